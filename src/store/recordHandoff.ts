import type { Kysely } from 'kysely';
import type { LedgerSchema, NewHandoff } from './schema.ts';

/** Records hand-offs once (one statement): a retried page finds them already there and writes nothing. */
export async function recordHandoffs(db: Kysely<LedgerSchema>, handoffs: readonly NewHandoff[]): Promise<void> {
  if (handoffs.length === 0) return;
  await db
    .insertInto('handoffs')
    .values([...handoffs])
    .onConflict((oc) => oc.columns(['hubspot_contact_id', 'handoff_key']).doNothing())
    .execute();
}
