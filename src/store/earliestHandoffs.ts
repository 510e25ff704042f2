import type { Kysely } from 'kysely';
import type { EarliestHandoff } from '../domain/feedback/types.ts';
import type { LedgerSchema } from './schema.ts';

/** Each contact's earliest hand-off, with the source and campaign it carried then (attribution's fallback). */
export async function earliestHandoffs(db: Kysely<LedgerSchema>, contactIds: readonly string[]): Promise<Map<string, EarliestHandoff>> {
  const wanted = [...new Set(contactIds)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('handoffs')
    .select(['hubspot_contact_id', 'handed_off_at', 'source', 'campaign'])
    .distinctOn('hubspot_contact_id')
    .where('hubspot_contact_id', 'in', wanted)
    .orderBy('hubspot_contact_id')
    .orderBy('handed_off_at')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.hubspot_contact_id, { contactId: r.hubspot_contact_id, handedOffAt: new Date(r.handed_off_at).getTime(), source: r.source, campaign: r.campaign }]));
}
