import type { HandoffPlan, ScoreWrite, WritebackWrite } from '../domain/handoff/types.ts';
import type { PlannedWrite } from './ports.ts';

/**
 * A plan as the lines `--dry-run` prints (`{"wouldWrite":…}`): every Salesforce write with its
 * fields, the tasks with their owner and the record they go on, what is skipped and why, the
 * HubSpot write-back and the scores the ledger would keep.
 */
export function describePlan(plan: HandoffPlan, writeback: readonly WritebackWrite[], scores: readonly ScoreWrite[]): PlannedWrite[] {
  const on = new Map(
    plan.landings.map((l) => [l.contactId, l.outcome === 'existing_contact' ? `Contact ${l.salesforceContactId}` : l.outcome === 'adopt' ? `Lead ${l.leadId}` : `the lead of contact ${l.contactId}`]),
  );
  return [
    ...plan.upserts.map((u): PlannedWrite => ({ system: 'salesforce', operation: u.isNew ? 'lead-create' : 'lead-update', key: u.contactId, fields: u.fields })),
    ...plan.adoptions.map((a): PlannedWrite => ({ system: 'salesforce', operation: 'lead-adopt', key: a.leadId, fields: a.fields })),
    ...plan.tasks.map((t): PlannedWrite => ({ system: 'salesforce', operation: 'task-create', key: t.key, fields: { ...t.fields, OwnerId: t.ownerId, WhoId: on.get(t.contactId) ?? t.contactId } })),
    ...plan.campaignCreates.map((c): PlannedWrite => ({ system: 'salesforce', operation: 'campaign-create', key: c.name, fields: { Name: c.name, IsActive: true } })),
    ...plan.memberStatusCreates.map(
      (m): PlannedWrite => ({
        system: 'salesforce',
        operation: 'member-status-create',
        key: m.campaignId ?? m.campaignName,
        fields: { CampaignId: m.campaignId ?? `<id of the new campaign ${m.campaignName}>`, Label: m.label, HasResponded: true, SortOrder: m.sortOrder },
      }),
    ),
    ...plan.campaignMembers.map(
      (m): PlannedWrite => ({
        system: 'salesforce',
        operation: 'campaign-member-create',
        key: m.contactId,
        fields: {
          CampaignId: m.campaignId ?? `<id of the new campaign ${m.campaignName}>`,
          campaign: m.campaignName,
          ...(m.leadId ? { LeadId: m.leadId } : m.salesforceContactId ? { ContactId: m.salesforceContactId } : { LeadId: on.get(m.contactId) ?? m.contactId }),
          Status: m.status,
        },
      }),
    ),
    ...plan.skipped.map(
      (s): PlannedWrite => ({
        system: 'salesforce',
        operation: 'skip',
        key: s.key ?? s.contactId,
        fields: { reason: s.reason, ...(s.campaign !== undefined ? { campaign: s.campaign } : {}), ...(s.campaignIds ? { campaignIds: s.campaignIds } : {}) },
      }),
    ),
    ...writeback.map((w): PlannedWrite => ({ system: 'hubspot', operation: 'contact-writeback', key: w.contactId, fields: w.properties })),
    ...scores.map(
      (s): PlannedWrite => ({
        system: 'ledger',
        operation: 'score-record',
        key: s.contactId,
        fields: { score: s.score, grade: s.grade, mql: s.mql, review_at: s.reviewAt === null ? null : new Date(s.reviewAt).toISOString() },
      }),
    ),
  ];
}
