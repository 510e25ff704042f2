import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * The contacts among these whose latest Lead Status change (by the feedback) gave them back to
 * marketing — disqualified or recycled —, with when: a contact that qualifies again may be handed
 * off again once mapping.yaml's cool-down has passed since then.
 */
export async function backToMarketing(db: Kysely<LedgerSchema>, contactIds: readonly string[]): Promise<Map<string, { since: number; class: 'disqualified' | 'recycled' }>> {
  const wanted = [...new Set(contactIds)];
  if (wanted.length === 0) return new Map();
  const latest = await db
    .selectFrom('lead_status_changes')
    .select(['hubspot_contact_id', 'status_class', 'changed_at'])
    .distinctOn('hubspot_contact_id')
    .where('hubspot_contact_id', 'in', wanted)
    .orderBy('hubspot_contact_id')
    .orderBy('changed_at', 'desc')
    .orderBy(sql`id`, 'desc')
    .execute();
  return new Map(
    latest
      .filter((r): r is typeof r & { hubspot_contact_id: string; status_class: 'disqualified' | 'recycled' } => r.status_class === 'disqualified' || r.status_class === 'recycled')
      .map((r) => [r.hubspot_contact_id, { since: new Date(r.changed_at).getTime(), class: r.status_class }]),
  );
}
