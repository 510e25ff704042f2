import { planPastMembers } from '../domain/feedback/past-members.ts';
import { type Rejection, rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/** Past hand-offs taken a page at a time (two Salesforce reads a page, then the creates). */
export const PAST_MEMBERS_PAGE = 1_000;

/**
 * Once per installation: hand-offs the ledger recorded before campaign membership existed become
 * members of the campaign they carried. Hand-offs are read in id order, a page at a time; for each
 * page Salesforce is asked which of its Leads and Contacts are members of those campaigns already
 * (batch reads), and only the missing members are created (a status a campaign lacks first), with
 * mapping.yaml's `campaign.member_status`. The position is saved after each page and the pass is
 * marked done at the end, so a crash resumes where it stopped and a finished pass costs nothing;
 * run again from the start (its marker lost with Redis) it finds every member and creates none.
 * Later hand-offs get their member in their own batch (planHandoffs). A dry run lists the writes
 * and saves nothing.
 */
export async function addPastCampaignMembers(deps: SyncDeps, summary: FeedbackSummary, signal?: AbortSignal): Promise<void> {
  // Setup found that members cannot be created: the pass waits (unmarked) until that is fixed.
  if (deps.campaignWritesBlocked) return;
  const position = (await deps.state.pastMembersPass()) ?? { after: 0, done: false };
  if (position.done) return;
  const status = deps.config.mapping.campaign.member_status;
  let after = position.after;
  for (;;) {
    signal?.throwIfAborted();
    const page = await deps.outcomes.pastCampaignHandoffs({ after, limit: PAST_MEMBERS_PAGE });
    if (page.length === 0) break;
    const facts = await deps.feedback.pastMemberFacts({
      names: page.map((h) => h.campaign),
      leadIds: page.filter((h) => h.object === 'Lead').map((h) => h.salesforceId),
      contactIds: page.filter((h) => h.object === 'Contact').map((h) => h.salesforceId),
    });
    const plan = planPastMembers(page, facts, status);
    summary.pastHandoffMembers.checked += page.length;
    summary.pastHandoffMembers.skipped += plan.skipped.filter((s) => s.reason !== 'already-member').length;
    summary.pastHandoffMembers.existing += plan.skipped.filter((s) => s.reason === 'already-member').length;
    if (deps.plannedWrites) {
      deps.plannedWrites.push(
        ...plan.statusCreates.map((s) => ({ system: 'salesforce' as const, operation: 'member-status-create' as const, key: s.campaignId, fields: { Label: s.label } })),
        ...plan.members.map((m) => ({
          system: 'salesforce' as const,
          operation: 'campaign-member-create' as const,
          key: m.contactId,
          fields: { CampaignId: m.campaignId, ...(m.leadId ? { LeadId: m.leadId } : { ContactId: m.salesforceContactId }), Status: m.status },
        })),
      );
    } else {
      const rejections: Rejection[] = [];
      const refusedStatus = new Set<string>();
      if (plan.statusCreates.length > 0) {
        const answer = await deps.leads.createCampaignRecords(
          'CampaignMemberStatus',
          plan.statusCreates.map((s) => ({ key: s.campaignId, fields: { CampaignId: s.campaignId, Label: s.label, HasResponded: true, SortOrder: s.sortOrder } })),
        );
        for (const r of answer.rejections) refusedStatus.add(r.recordKey);
        rejections.push(...answer.rejections.map((r) => ({ ...r, recordKey: `campaign-status:${r.recordKey}` })));
      }
      const members = plan.members.filter((m) => !refusedStatus.has(m.campaignId));
      if (members.length > 0) {
        const answer = await deps.leads.createCampaignRecords(
          'CampaignMember',
          members.map((m) => ({
            key: `${m.contactId}:campaign:${m.campaignId}`,
            fields: { CampaignId: m.campaignId, ...(m.leadId ? { LeadId: m.leadId } : { ContactId: m.salesforceContactId }), Status: m.status },
          })),
        );
        summary.pastHandoffMembers.created += answer.created.size;
        summary.pastHandoffMembers.existing += answer.existing.length;
        rejections.push(...answer.rejections);
      }
      for (const r of rejections) {
        await deps.deadLetter.add({
          system: r.system,
          operation: 'feedback-past-campaign-member',
          recordKey: r.recordKey,
          reason: rejectionReason(r),
          error: { code: r.code, fields: r.fields },
          at: deps.now(),
        });
        summary.deadLettered += 1;
      }
    }
    after = page.at(-1)!.handoffId;
    if (!deps.plannedWrites) await deps.state.savePastMembersPass({ after, done: false });
    if (page.length < PAST_MEMBERS_PAGE) break;
  }
  if (!deps.plannedWrites) await deps.state.savePastMembersPass({ after, done: true });
}
