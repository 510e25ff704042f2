import type { Connection } from 'jsforce';
import { queryAll } from './query.ts';
import { identifier, quote } from './soql.ts';
import { RequestRefused } from '../errors/index.ts';
import { classifySalesforceError } from './errors.ts';

/** What a merge of HubSpot contacts did to their leads. */
export interface RekeyOutcome {
  /** The lead now keyed by the survivor, and the merged contact it was keyed by before. */
  rekeyed?: { leadId: string; fromContactId: string };
  /** Leads of merged contacts left as they are because the survivor already has one: a merge for sales to do. */
  conflicts: { leadId: string; contactId: string }[];
}

/**
 * After HubSpot merged contacts, the Salesforce lead keyed by a merged-away id is re-keyed to the
 * survivor, so no lead is orphaned and the survivor's next hand-off finds it instead of creating a
 * duplicate. When the survivor already has its own lead, nothing is re-keyed (Salesforce merges
 * leads only through its UI or SOAP): the others are reported as conflicts.
 */
export async function rekeyLeads(conn: Connection, externalIdField: string, survivorId: string, mergedIds: readonly string[]): Promise<RekeyOutcome> {
  const ext = identifier(externalIdField);
  const ids = [survivorId, ...mergedIds];
  const rows = await queryAll<Record<string, string | boolean | null> & { Id: string; IsConverted: boolean }>(
    conn,
    `SELECT Id, IsConverted, ${ext} FROM Lead WHERE ${ext} IN (${ids.map(quote).join(', ')}) ORDER BY CreatedDate, Id`,
  );
  const byContact = new Map(rows.map((r) => [String(r[ext]), r]));
  const outcome: RekeyOutcome = { conflicts: [] };
  const mergedLeads = mergedIds.flatMap((id) => (byContact.get(id) ? [{ contactId: id, lead: byContact.get(id)! }] : []));
  if (byContact.has(survivorId)) {
    outcome.conflicts = mergedLeads.map((m) => ({ leadId: m.lead.Id, contactId: m.contactId }));
    return outcome;
  }
  // A converted lead cannot be edited; an open one is taken, the oldest first.
  const [take, ...rest] = [...mergedLeads.filter((m) => !m.lead.IsConverted), ...mergedLeads.filter((m) => m.lead.IsConverted)];
  if (!take) return outcome;
  if (!take.lead.IsConverted) {
    try {
      const answer = (await conn.sobject('Lead').update({ Id: take.lead.Id, [ext]: survivorId } as never)) as unknown as { success: boolean; errors?: { statusCode: string; message: string }[] };
      if (!answer.success) throw new RequestRefused('salesforce', answer.errors?.[0]?.statusCode ?? 'UNKNOWN', { what: "the re-key of a merged contact's lead" });
    } catch (error) {
      throw classifySalesforceError(error);
    }
    outcome.rekeyed = { leadId: take.lead.Id, fromContactId: take.contactId };
  } else {
    rest.unshift(take);
  }
  outcome.conflicts = rest.map((m) => ({ leadId: m.lead.Id, contactId: m.contactId }));
  return outcome;
}
