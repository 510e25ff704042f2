import type { Kysely } from 'kysely';
import type { UnlinkedOpportunity } from '../domain/feedback/types.ts';
import type { LedgerSchema } from './schema.ts';

/** Opportunities that link to no HubSpot contact, a page at a time in id order after `after`: listed, never dropped. */
export async function unlinkedOpportunities(db: Kysely<LedgerSchema>, options: { limit: number; after?: string }): Promise<UnlinkedOpportunity[]> {
  let query = db.selectFrom('opportunities').select(['opportunity_id', 'name', 'account_id', 'outcome', 'deleted_at']).where('link_path', '=', 'unlinked');
  if (options.after !== undefined) query = query.where('opportunity_id', '>', options.after);
  const rows = await query.orderBy('opportunity_id').limit(options.limit).execute();
  return rows.map((r) => ({ opportunityId: r.opportunity_id, name: r.name, accountId: r.account_id, outcome: r.outcome, deleted: r.deleted_at !== null }));
}
