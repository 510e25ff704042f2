import type { Kysely } from 'kysely';
import type { Decision, LedgerSchema } from './schema.ts';

/** The decision recorded for a contact's hand-off, if any. */
export async function findDecision(db: Kysely<LedgerSchema>, hubspotContactId: string, handoffKey = 'first'): Promise<Decision | undefined> {
  return db
    .selectFrom('decisions')
    .selectAll()
    .where('hubspot_contact_id', '=', hubspotContactId)
    .where('handoff_key', '=', handoffKey)
    .executeTakeFirst();
}

/** Stores the Salesforce record id once the decision's write has landed. */
export async function setDecisionSalesforceId(db: Kysely<LedgerSchema>, id: number, salesforceId: string): Promise<void> {
  await db.updateTable('decisions').set({ salesforce_id: salesforceId }).where('id', '=', id).execute();
}
