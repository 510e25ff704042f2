import { type BackToMarketing, leadStatusChanges } from '../domain/feedback/index.ts';
import type { KeysetCursor, LeadStatusChange } from '../domain/feedback/types.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';
import { writeFeedbackContacts } from './writeFeedbackContacts.ts';

/**
 * The Lead Status half of the feedback: the leads leadloop handed off that changed since the
 * cursor, a page at a time — their status changes (dated by LeadHistory where Status history is
 * tracked, else approximated) recorded in the ledger; in HubSpot, a contact whose latest change is
 * an acceptance moves its lifecycle stage forward, one disqualified or recycled goes back to
 * marketing (mapping.yaml's back_to_marketing); then the cursor moves past the page. Erased
 * contacts are left out.
 */
export async function pullLeadStatuses(deps: SyncDeps, options: { after: KeysetCursor; until: number; org: FeedbackSummary['org']; summary: FeedbackSummary; signal?: AbortSignal }): Promise<void> {
  const { summary, org } = options;
  for await (const page of deps.feedback.changedLeads({ after: options.after, until: options.until })) {
    options.signal?.throwIfAborted();
    summary.pages += 1;
    summary.leads += page.leads.length;
    const erased = await deps.erasures.among(page.leads.flatMap((l) => (l.contactId ? [l.contactId] : [])));
    const leads = page.leads.filter((l) => !(l.contactId && erased.has(l.contactId)));
    const history = org.statusHistoryTracked && leads.length > 0 ? await deps.feedback.leadStatusHistory(leads.map((l) => l.leadId)) : undefined;
    const changes = leads.flatMap((l) => leadStatusChanges(l, history, deps.config.mapping));
    for (const c of changes) {
      summary.statusChanges[c.class] += 1;
      if (c.approximated) summary.statusChanges.approximated += 1;
    }
    if (deps.plannedWrites) {
      deps.plannedWrites.push(
        ...changes.map((c) => ({
          system: 'ledger' as const,
          operation: 'status-record' as const,
          key: c.leadId,
          fields: { status: c.status, class: c.class, changedAt: new Date(c.changedAt).toISOString() },
        })),
      );
    } else {
      await deps.outcomes.recordLeadStatusChanges(changes);
    }

    // Each contact's latest change says where it stands: accepted (lifecycle forward), or back to marketing.
    const latest = new Map<string, LeadStatusChange>();
    for (const c of changes) {
      if (!c.contactId) continue;
      const before = latest.get(c.contactId);
      if (!before || c.changedAt >= before.changedAt) latest.set(c.contactId, c);
    }
    const moved = [...latest.values()].filter((c) => c.class !== 'open');
    await writeFeedbackContacts(
      deps,
      moved.map((c) => (c.class === 'accepted' ? { contactId: c.contactId!, lifecycle: 'accepted' as const } : { contactId: c.contactId!, backToMarketing: c.class as BackToMarketing })),
      org,
      summary,
    );
    if (!deps.plannedWrites) await deps.state.saveFeedbackCursor('lead-status', page.cursor);
  }
}
