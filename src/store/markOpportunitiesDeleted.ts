import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * Marks opportunities Salesforce deleted (getDeleted, or IsDeleted in a query with ALL ROWS): they
 * keep their row, links and history but leave the figures, and their HubSpot deal is archived.
 * Already marked ones keep the first time; ids the ledger never recorded are ignored. Returns how
 * many were marked now.
 */
export async function markOpportunitiesDeleted(db: Kysely<LedgerSchema>, opportunityIds: readonly string[], at: number): Promise<number> {
  if (opportunityIds.length === 0) return 0;
  const result = await db
    .updateTable('opportunities')
    .set({ deleted_at: new Date(at), updated_at: new Date(at) })
    .where('opportunity_id', 'in', [...new Set(opportunityIds)])
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
