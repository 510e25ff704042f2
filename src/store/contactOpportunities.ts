import type { Kysely } from 'kysely';
import type { ContactOpportunity } from '../domain/feedback/plan-hubspot.ts';
import type { LedgerSchema } from './schema.ts';

/** Every opportunity each of these contacts is linked to, as its outcome summary reads them (deleted ones flagged, and whether it came from the contact's converted lead). */
export async function contactOpportunities(db: Kysely<LedgerSchema>, contactIds: readonly string[]): Promise<Map<string, ContactOpportunity[]>> {
  const wanted = [...new Set(contactIds)];
  const byContact = new Map<string, ContactOpportunity[]>(wanted.map((id) => [id, []]));
  if (wanted.length === 0) return byContact;
  const rows = await db
    .selectFrom('opportunity_contacts as c')
    .innerJoin('opportunities as o', 'o.opportunity_id', 'c.opportunity_id')
    .select(['c.hubspot_contact_id', 'o.opportunity_id', 'o.outcome', 'o.amount', 'o.currency', 'o.loss_reason', 'o.competitor', 'o.closed_at', 'o.deleted_at', 'c.link_path'])
    .where('c.hubspot_contact_id', 'in', wanted)
    .orderBy('o.opportunity_id')
    .execute();
  for (const r of rows) {
    byContact.get(r.hubspot_contact_id)?.push({
      opportunityId: r.opportunity_id,
      outcome: r.outcome,
      amount: r.amount === null ? null : Number(r.amount),
      currency: r.currency,
      lossReason: r.loss_reason,
      competitor: r.competitor,
      closedAt: r.closed_at ? new Date(r.closed_at).getTime() : null,
      deleted: r.deleted_at !== null,
      convertedLead: r.link_path === 'converted-lead',
    });
  }
  return byContact;
}
