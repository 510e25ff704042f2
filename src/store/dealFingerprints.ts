import { sql, type Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** The fingerprint of the HubSpot deal last written for each of these opportunities (those with one). */
export async function dealFingerprints(db: Kysely<LedgerSchema>, opportunityIds: readonly string[]): Promise<Map<string, string>> {
  if (opportunityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('opportunities')
    .select(['opportunity_id', 'deal_fingerprint'])
    .where('opportunity_id', 'in', [...new Set(opportunityIds)])
    .where('deal_fingerprint', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.opportunity_id, r.deal_fingerprint!]));
}

/** Stores the fingerprints of deals just written (one statement), so a rerun with nothing changed writes nothing. */
export async function setDealFingerprints(db: Kysely<LedgerSchema>, fingerprints: ReadonlyMap<string, string>): Promise<void> {
  if (fingerprints.size === 0) return;
  const values = sql.join([...fingerprints].map(([id, fingerprint]) => sql`(${id}, ${fingerprint})`));
  await sql`update opportunities as o set deal_fingerprint = v.fingerprint
    from (values ${values}) as v(opportunity_id, fingerprint)
    where o.opportunity_id = v.opportunity_id`.execute(db);
}
