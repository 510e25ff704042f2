import type { Kysely } from 'kysely';
import type { PastHandoff } from '../domain/feedback/past-members.ts';
import type { LedgerSchema } from './schema.ts';

/** Hand-offs that carried a campaign name, in id order after `after`, a page of `limit` (the one-time campaign member pass). */
export async function pastCampaignHandoffs(db: Kysely<LedgerSchema>, options: { after: number; limit: number }): Promise<PastHandoff[]> {
  const rows = await db
    .selectFrom('handoffs')
    .select(['id', 'hubspot_contact_id', 'campaign', 'salesforce_object', 'salesforce_id'])
    .where('id', '>', options.after)
    .where('campaign', 'is not', null)
    .orderBy('id')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ handoffId: Number(r.id), contactId: r.hubspot_contact_id, campaign: r.campaign!, object: r.salesforce_object, salesforceId: r.salesforce_id }));
}
