import type { Connection } from 'jsforce';
import { queryAll } from './query.ts';
import { identifier, quote } from './soql.ts';
import { RequestRefused } from '../errors/index.ts';
import { classifySalesforceError } from './errors.ts';
import { mergeLeads } from './mergeLeads.ts';

/** A merged-away contact's lead leadloop left as it is: a person decides. */
export interface RekeyConflict {
  /** The merged-away contact's lead. */
  leadId: string;
  contactId: string;
  /** The survivor's lead (its own, or the one re-keyed to it), when it has one. */
  survivorLeadId?: string;
  /** A lead is converted (leadloop merges open leads only), or Salesforce refused the merge (its status code). */
  reason: { kind: 'converted'; leadIds: string[] } | { kind: 'refused'; code: string };
}

/** What a merge of HubSpot contacts did to their leads. */
export interface RekeyOutcome {
  /** The lead now keyed by the survivor, and the merged contact it was keyed by before. */
  rekeyed?: { leadId: string; fromContactId: string };
  /** Leads of merged contacts merged into the survivor's lead (Salesforce's merge: they are gone, their tasks moved). */
  merged?: { masterId: string; mergedIds: string[] };
  /** Leads of merged contacts left as they are: for a person to handle. */
  conflicts: RekeyConflict[];
}

type LeadRow = Record<string, string | boolean | null> & { Id: string; IsConverted: boolean };

/**
 * After HubSpot merged contacts, their Salesforce leads follow, so no lead is orphaned and the
 * survivor's next hand-off finds one lead instead of creating a duplicate. The leads are those
 * keyed by the contacts' ids in our external ID field (so leadloop's own, created or adopted):
 * - the survivor has no lead: the oldest open lead of a merged contact is re-keyed to it;
 * - the survivor has a lead (its own, or the one just re-keyed): the merged contacts' open leads
 *   are merged into it with Salesforce's merge (SOAP; src/salesforce/mergeLeads.ts). The
 *   survivor's lead is the master: its field values stand, the others go to the recycle bin and
 *   their tasks and campaign memberships move to it;
 * - a converted lead is never merged nor re-keyed (it cannot be edited, and it is the record of a
 *   conversion), and neither is anything merged into a converted survivor's lead: these, and a
 *   merge Salesforce refuses, are conflicts for a person, with both lead ids.
 */
export async function rekeyLeads(conn: Connection, externalIdField: string, survivorId: string, mergedIds: readonly string[]): Promise<RekeyOutcome> {
  const ext = identifier(externalIdField);
  const ids = [survivorId, ...mergedIds];
  const rows = await queryAll<LeadRow>(conn, `SELECT Id, IsConverted, ${ext} FROM Lead WHERE ${ext} IN (${ids.map(quote).join(', ')}) ORDER BY CreatedDate, Id`);
  const byContact = new Map(rows.map((r) => [String(r[ext]), r]));
  const outcome: RekeyOutcome = { conflicts: [] };
  const mergedLeads = mergedIds.flatMap((id) => (byContact.get(id) ? [{ contactId: id, lead: byContact.get(id)! }] : [])).sort((a, b) => rows.indexOf(a.lead) - rows.indexOf(b.lead));
  let survivorLead = byContact.get(survivorId);
  let open = mergedLeads.filter((m) => !m.lead.IsConverted);
  if (!survivorLead && open[0]) {
    // A converted lead cannot be edited; the oldest open one is taken.
    const take = open[0];
    try {
      const answer = (await conn.sobject('Lead').update({ Id: take.lead.Id, [ext]: survivorId } as never)) as unknown as { success: boolean; errors?: { statusCode: string; message: string }[] };
      if (!answer.success) throw new RequestRefused('salesforce', answer.errors?.[0]?.statusCode ?? 'UNKNOWN', { what: "the re-key of a merged contact's lead" });
    } catch (error) {
      throw classifySalesforceError(error);
    }
    outcome.rekeyed = { leadId: take.lead.Id, fromContactId: take.contactId };
    survivorLead = take.lead;
    open = open.slice(1);
  }
  const conflict = (m: { contactId: string; lead: LeadRow }, reason: RekeyConflict['reason']): RekeyConflict => ({
    leadId: m.lead.Id,
    contactId: m.contactId,
    ...(survivorLead ? { survivorLeadId: survivorLead.Id } : {}),
    reason,
  });
  const converted = mergedLeads.filter((m) => m.lead.IsConverted);
  if (survivorLead?.IsConverted) {
    outcome.conflicts = mergedLeads.map((m) => conflict(m, { kind: 'converted', leadIds: [survivorLead.Id, ...(m.lead.IsConverted ? [m.lead.Id] : [])] }));
    return outcome;
  }
  outcome.conflicts = converted.map((m) => conflict(m, { kind: 'converted', leadIds: [m.lead.Id] }));
  if (!survivorLead || open.length === 0) return outcome;
  const { merged, refused } = await mergeLeads(
    conn,
    survivorLead.Id,
    open.map((m) => m.lead.Id),
  );
  if (merged.length > 0) outcome.merged = { masterId: survivorLead.Id, mergedIds: merged };
  for (const r of refused) outcome.conflicts.push(conflict(open.find((m) => m.lead.Id === r.leadId)!, { kind: 'refused', code: r.code }));
  return outcome;
}
