import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** The Salesforce leads a contact's hand-offs landed on: those leadloop created, and those it adopted (sales' own records). */
export async function leadsOf(db: Kysely<LedgerSchema>, contactId: string): Promise<{ created: string[]; adopted: string[] }> {
  const rows = await db.selectFrom('handoffs').select(['salesforce_id', 'outcome']).where('hubspot_contact_id', '=', contactId).where('salesforce_object', '=', 'Lead').execute();
  return { created: rows.filter((r) => r.outcome === 'created').map((r) => r.salesforce_id), adopted: rows.filter((r) => r.outcome === 'adopted').map((r) => r.salesforce_id) };
}

/**
 * A privacy deletion in the ledger: the contact's decisions (routing traces), decision traces (inputs), scores and contact
 * keys (email hash, domains) are deleted; its hand-offs, lead status changes and opportunity links
 * stay for the closed-loop figures but lose every link to the person — the contact id becomes one
 * random token (so the erased person's hand-off, status changes and opportunities still count
 * together), the hand-offs' Salesforce id is cleared and each lead id becomes a hash of itself with
 * that token (a lead's changes stay in sequence; nothing leads back to the lead). Opportunities hold
 * nothing personal and keep their row, outcome and attribution.
 */
export async function purgeContact(
  db: Kysely<LedgerSchema>,
  contactId: string,
): Promise<{ decisions: number; handoffs: number; leadStatusChanges: number; opportunityLinks: number; contactKeys: number }> {
  return db.transaction().execute(async (tx) => {
    const token = `erased:${randomUUID()}`;
    const decisions = await tx.deleteFrom('decisions').where('hubspot_contact_id', '=', contactId).executeTakeFirst();
    await tx.deleteFrom('contact_scores').where('hubspot_contact_id', '=', contactId).execute();
    // A trace holds the contact's inputs (email, name, answers): it goes whole.
    await tx.deleteFrom('decision_traces').where('hubspot_contact_id', '=', contactId).execute();
    const handoffs = await tx.updateTable('handoffs').set({ hubspot_contact_id: token, salesforce_id: 'erased' }).where('hubspot_contact_id', '=', contactId).executeTakeFirst();
    const leadStatusChanges = await tx
      .updateTable('lead_status_changes')
      .set({ hubspot_contact_id: token, lead_id: sql<string>`'erased:' || md5(${token} || lead_id)` })
      .where('hubspot_contact_id', '=', contactId)
      .executeTakeFirst();
    await tx.updateTable('sla_clocks').set({ hubspot_contact_id: token, salesforce_id: 'erased' }).where('hubspot_contact_id', '=', contactId).execute();
    const opportunityLinks = await tx.updateTable('opportunity_contacts').set({ hubspot_contact_id: token }).where('hubspot_contact_id', '=', contactId).executeTakeFirst();
    const contactKeys = await tx.deleteFrom('contact_keys').where('hubspot_contact_id', '=', contactId).executeTakeFirst();
    return {
      decisions: Number(decisions.numDeletedRows),
      handoffs: Number(handoffs.numUpdatedRows),
      leadStatusChanges: Number(leadStatusChanges.numUpdatedRows),
      opportunityLinks: Number(opportunityLinks.numUpdatedRows),
      contactKeys: Number(contactKeys.numDeletedRows),
    };
  });
}
