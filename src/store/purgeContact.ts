import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** The Salesforce leads a contact's hand-offs landed on: those leadloop created, and those it adopted (sales' own records). */
export async function leadsOf(db: Kysely<LedgerSchema>, contactId: string): Promise<{ created: string[]; adopted: string[] }> {
  const rows = await db.selectFrom('handoffs').select(['salesforce_id', 'outcome']).where('hubspot_contact_id', '=', contactId).where('salesforce_object', '=', 'Lead').execute();
  return { created: rows.filter((r) => r.outcome === 'created').map((r) => r.salesforce_id), adopted: rows.filter((r) => r.outcome === 'adopted').map((r) => r.salesforce_id) };
}

/**
 * A privacy deletion in the ledger: the contact's decisions (routing traces) and scores are deleted;
 * its hand-offs stay for the closed-loop figures but lose every link to the person — the contact
 * id becomes a random token and the Salesforce id is cleared.
 */
export async function purgeContact(db: Kysely<LedgerSchema>, contactId: string): Promise<{ decisions: number; handoffs: number }> {
  return db.transaction().execute(async (tx) => {
    const decisions = await tx.deleteFrom('decisions').where('hubspot_contact_id', '=', contactId).executeTakeFirst();
    await tx.deleteFrom('contact_scores').where('hubspot_contact_id', '=', contactId).execute();
    const handoffs = await tx
      .updateTable('handoffs')
      .set({ hubspot_contact_id: `erased:${randomUUID()}`, salesforce_id: 'erased' })
      .where('hubspot_contact_id', '=', contactId)
      .executeTakeFirst();
    return { decisions: Number(decisions.numDeletedRows), handoffs: Number(handoffs.numUpdatedRows) };
  });
}
