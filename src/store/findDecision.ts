import { sql, type Kysely } from 'kysely';
import type { Decision, LedgerSchema } from './schema.ts';

/** The decision recorded for a contact's hand-off, if any. */
export async function findDecision(db: Kysely<LedgerSchema>, hubspotContactId: string, handoffKey = 'first'): Promise<Decision | undefined> {
  return (await findDecisions(db, [hubspotContactId], handoffKey)).get(hubspotContactId);
}

/** The decisions recorded for many contacts' hand-offs, by contact id (one query). */
export async function findDecisions(db: Kysely<LedgerSchema>, hubspotContactIds: readonly string[], handoffKey = 'first'): Promise<Map<string, Decision>> {
  if (hubspotContactIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('decisions')
    .selectAll()
    .where('hubspot_contact_id', 'in', [...hubspotContactIds])
    .where('handoff_key', '=', handoffKey)
    .execute();
  return new Map(rows.map((r) => [r.hubspot_contact_id, r]));
}

/** Stores the Salesforce ids of decisions whose writes have landed, where none is stored yet (one statement). */
export async function setDecisionSalesforceIds(db: Kysely<LedgerSchema>, salesforceIds: ReadonlyMap<string, string>, handoffKey = 'first'): Promise<void> {
  if (salesforceIds.size === 0) return;
  const values = sql.join([...salesforceIds].map(([contactId, salesforceId]) => sql`(${contactId}, ${salesforceId})`));
  await sql`update decisions as d set salesforce_id = v.salesforce_id
    from (values ${values}) as v(hubspot_contact_id, salesforce_id)
    where d.hubspot_contact_id = v.hubspot_contact_id and d.handoff_key = ${handoffKey} and d.salesforce_id is null`.execute(db);
}
