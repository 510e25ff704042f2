import { type Kysely, sql } from 'kysely';
import { type BackToMarketing, backToMarketingOf } from '../domain/feedback/plan-hubspot.ts';
import { contactOpportunities } from './contactOpportunities.ts';
import type { LedgerSchema } from './schema.ts';

/**
 * The contacts among these that sales gave back to marketing, with when and why (backToMarketingOf,
 * from what the feedback recorded): the latest Lead Status change disqualified or recycled them,
 * or every opportunity linked to them, their converted lead's among them, was lost. A contact that
 * qualifies again may be handed off again once mapping.yaml's cool-down has passed since then.
 */
export async function backToMarketing(db: Kysely<LedgerSchema>, contactIds: readonly string[]): Promise<Map<string, { since: number; class: BackToMarketing }>> {
  const wanted = [...new Set(contactIds)];
  if (wanted.length === 0) return new Map();
  const [latest, opportunities] = await Promise.all([
    db
      .selectFrom('lead_status_changes')
      .select(['hubspot_contact_id', 'status_class', 'changed_at'])
      .distinctOn('hubspot_contact_id')
      .where('hubspot_contact_id', 'in', wanted)
      .orderBy('hubspot_contact_id')
      .orderBy('changed_at', 'desc')
      .orderBy(sql`id`, 'desc')
      .execute(),
    contactOpportunities(db, wanted),
  ]);
  const statusOf = new Map(latest.map((r) => [r.hubspot_contact_id, { class: r.status_class, changedAt: new Date(r.changed_at).getTime() }]));
  const back = new Map<string, { since: number; class: BackToMarketing }>();
  for (const id of wanted) {
    const status = statusOf.get(id);
    const given = backToMarketingOf({ ...(status ? { latestStatus: status } : {}), opportunities: opportunities.get(id) ?? [] });
    if (given) back.set(id, given);
  }
  return back;
}
