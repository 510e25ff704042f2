import { propertiesToPull } from '../domain/inputs.ts';
import { handleContacts, runContext } from './handleContacts.ts';
import type { SalesforceLookups } from './lookups.ts';
import { emptySummary, type PendingMergesPort, type SyncDeps, type SyncSummary } from './ports.ts';

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
    const outcome = await deps.leads.rekeyLeads(survivorId, mergedIds);
    const from = outcome.rekeyed?.fromContactId ?? mergedIds[0]!;
    await deps.ledger.rekeyContact(from, survivorId);
    await deps.ledger.forgetScores(mergedIds);
    for (const conflict of outcome.conflicts) {
      await deps.deadLetter.add({
        system: 'leadloop',
        operation: 'merge-rekey',
        recordKey: conflict.contactId,
        reason: `HubSpot merged contact ${conflict.contactId} into ${survivorId}, and both have a Salesforce lead (${conflict.leadId} stays keyed by the merged-away id): merge the leads in Salesforce, then drop this entry`,
        error: null,
        at: now,
      });
    }
    // The survivor's inputs changed with the merge: its next sighting is scored afresh.
    await deps.contactState.forget([survivorId, ...mergedIds]);
    await deps.pendingMerges.applied(survivorId, mergedIds);
  }
}
