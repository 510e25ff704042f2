import { propertiesToPull } from '../domain/inputs.ts';
import { handleContacts, runContext } from './handleContacts.ts';
import type { SalesforceLookups } from './lookups.ts';
import { emptySummary, type PendingMergesPort, type RekeyOutcome, type SyncDeps, type SyncSummary } from './ports.ts';

export interface HandoffDeps extends SyncDeps {
  lookups: SalesforceLookups;
  pendingMerges: PendingMergesPort;
}

/** What became of one contact a webhook named. */
export type HandoffOutcome = 'handled' | 'missing';

/**
 * The webhook hand-off of a few contacts at once: merges HubSpot announced for them are applied
 * first (the merged-away contact's lead and ledger rows re-keyed to the survivor), then the
 * contacts are read in one batch and take the same path as a sync page (handleContacts): scored,
 * routed once, handed off when qualified, written back. A contact HubSpot no longer has (deleted,
 * merged away) is reported missing and nothing is written for it.
 */
export async function handoffContacts(
  deps: HandoffDeps,
  contactIds: readonly string[],
  options: { retake?: ReadonlySet<string> } = {},
): Promise<{ outcomes: Map<string, HandoffOutcome>; summary: SyncSummary }> {
  const summary = emptySummary();
  // A replayed dead letter is taken afresh, even where its inputs did not change.
  const run = runContext(deps, summary, { lookups: deps.lookups, ...(options.retake && options.retake.size > 0 ? { force: options.retake } : {}) });
  await applyPendingMerges(deps, contactIds, run.now);
  const { contacts } = await deps.contacts.read(contactIds, propertiesToPull(deps.config));
  summary.pulled = contacts.length;
  await handleContacts(deps, contacts, run);
  // Whatever HubSpot did not return (named in its errors or not) is missing: deleted or merged
  // away. What leadloop kept of it goes (its decisions and hand-offs stay for the figures).
  const read = new Set(contacts.map((c) => c.id));
  const outcomes = new Map<string, HandoffOutcome>(contactIds.map((id) => [id, read.has(id) ? 'handled' : 'missing']));
  const missing = contactIds.filter((id) => !read.has(id));
  if (missing.length > 0 && !deps.plannedWrites) {
    await deps.contactState.forget(missing);
    await deps.ledger.forgetScores(missing);
  }
  return { outcomes, summary };
}

async function applyPendingMerges(deps: HandoffDeps, contactIds: readonly string[], now: number): Promise<void> {
  const merges = await deps.pendingMerges.of(contactIds);
  for (const [survivorId, mergedIds] of merges) {
    // Re-keyed, merged into the survivor's lead (gone, its tasks moved: nothing for a person), or a conflict.
    const outcome = await deps.leads.rekeyLeads(survivorId, mergedIds);
    // Every merged-away contact's ledger rows become the survivor's, whatever became of its lead.
    for (const mergedId of mergedIds) {
      await deps.ledger.rekeyContact(mergedId, survivorId);
      // What sales did with the merged-away contact's lead now belongs to the survivor, so a later privacy deletion of the survivor reaches it.
      await deps.outcomes.rekeyFeedback(mergedId, survivorId);
    }
    await deps.ledger.forgetScores(mergedIds);
    for (const conflict of outcome.conflicts) {
      await deps.deadLetter.add({ system: 'leadloop', operation: 'merge-rekey', recordKey: conflict.contactId, reason: mergeConflictReason(conflict, survivorId), error: null, at: now });
    }
    // The survivor's inputs changed with the merge: its next sighting is scored afresh.
    await deps.contactState.forget([survivorId, ...mergedIds]);
    await deps.pendingMerges.applied(survivorId, mergedIds);
  }
}

/** What a person reads in the dead letter of a merge leadloop left to them: both lead ids and what to do. */
function mergeConflictReason(conflict: RekeyOutcome['conflicts'][number], survivorId: string): string {
  const { contactId, leadId, survivorLeadId, reason } = conflict;
  const merged = `HubSpot merged contact ${contactId} into ${survivorId}`;
  if (!survivorLeadId) {
    return `${merged}; its Salesforce lead ${leadId} is converted, so it stays keyed by the merged-away id and the survivor has no lead: nothing to merge, check the survivor's Contact in Salesforce, then drop this entry`;
  }
  const both = `${merged}, and both have a Salesforce lead (${leadId} of the merged-away contact, ${survivorLeadId} of the survivor; ${leadId} stays keyed by the merged-away id)`;
  if (reason.kind === 'refused') return `${both} and Salesforce refused to merge them (${reason.code}): merge the leads in Salesforce, then drop this entry`;
  if (reason.leadIds.length > 1) return `${both} and both are converted, so leadloop did not merge them: merge their Contacts in Salesforce if they are one person, then drop this entry`;
  const open = reason.leadIds[0] === leadId ? survivorLeadId : leadId;
  return `${both} and ${reason.leadIds[0]} is converted, so leadloop did not merge them: convert the open lead ${open} into the Contact the converted one became, or close it, in Salesforce, then drop this entry`;
}
