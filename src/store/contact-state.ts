import { sql, type Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Observed } from '../domain/inputs.ts';
import type { LedgerSchema } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement (3 a row).
const ROWS_PER_STATEMENT = 5_000;

/**
 * Each contact's input fingerprint and observed changes, in the ledger (one read and one write per
 * batch). A contact whose landing failed keeps its previous fingerprint (it is tried again), while
 * what was observed of it is kept either way.
 */
export class ContactStateTable {
  readonly #db: Kysely<LedgerSchema>;

  constructor(db: Kysely<LedgerSchema>) {
    this.#db = db;
  }

  async fingerprints(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.#rows(ids);
    return new Map(rows.flatMap((r) => (r.fingerprint ? [[r.hubspot_contact_id, r.fingerprint] as const] : [])));
  }

  async observed(ids: readonly string[]): Promise<Map<string, Observed>> {
    const rows = await this.#rows(ids);
    return new Map(rows.map((r) => [r.hubspot_contact_id, r.observed as Observed]));
  }

  /** Stores what was observed of these contacts and, for those given one, their new fingerprint (others keep theirs). */
  async save(observed: ReadonlyMap<string, Observed>, fingerprints: ReadonlyMap<string, string>, at: number): Promise<void> {
    const seenAt = new Date(at);
    const observedRows = [...observed].map(([id, o]) => ({ hubspot_contact_id: id, observed: JSON.stringify(o), seen_at: seenAt }));
    for (let i = 0; i < observedRows.length; i += ROWS_PER_STATEMENT) {
      await this.#db
        .insertInto('contact_state')
        .values(observedRows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.column('hubspot_contact_id').doUpdateSet((eb) => ({ observed: eb.ref('excluded.observed'), seen_at: eb.ref('excluded.seen_at') })))
        .execute();
    }
    const fingerprintRows = [...fingerprints].map(([id, fingerprint]) => ({ hubspot_contact_id: id, fingerprint, seen_at: seenAt }));
    for (let i = 0; i < fingerprintRows.length; i += ROWS_PER_STATEMENT) {
      await this.#db
        .insertInto('contact_state')
        .values(fingerprintRows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.column('hubspot_contact_id').doUpdateSet((eb) => ({ fingerprint: eb.ref('excluded.fingerprint'), seen_at: eb.ref('excluded.seen_at') })))
        .execute();
    }
  }

  /** Forgets these contacts (deleted, merged away or erased): their next sighting is a first one. */
  async forget(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.#db
      .deleteFrom('contact_state')
      .where('hubspot_contact_id', 'in', [...ids])
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** How many contacts leadloop keeps state for. */
  async count(): Promise<number> {
    const row = await this.#db.selectFrom('contact_state').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  #rows(ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.#db
      .selectFrom('contact_state')
      .select(['hubspot_contact_id', 'fingerprint', 'observed'])
      .where('hubspot_contact_id', 'in', [...ids])
      .execute();
  }
}

/**
 * Moves the fingerprints and observations an installation from before kept in Redis hashes into
 * the ledger, then deletes the hashes: an upgraded installation does not re-score every contact,
 * nor forget the recency it observed. Idempotent; returns how many contacts moved.
 */
export async function importLegacyContactState(redis: Redis, hashes: { fingerprints: string; observed: string }, table: ContactStateTable, at: number): Promise<number> {
  let moved = 0;
  for await (const batch of redis.hscanStream(hashes.observed, { count: 1000 }) as AsyncIterable<string[]>) {
    const observed = new Map<string, Observed>();
    for (let i = 0; i < batch.length; i += 2) observed.set(batch[i]!, JSON.parse(batch[i + 1]!) as Observed);
    await table.save(observed, new Map(), at);
  }
  for await (const batch of redis.hscanStream(hashes.fingerprints, { count: 1000 }) as AsyncIterable<string[]>) {
    const fingerprints = new Map<string, string>();
    for (let i = 0; i < batch.length; i += 2) fingerprints.set(batch[i]!, batch[i + 1]!);
    await table.save(new Map(), fingerprints, at);
    moved += fingerprints.size;
  }
  await redis.del(hashes.fingerprints, hashes.observed);
  return moved;
}
