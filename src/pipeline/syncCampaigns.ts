import { type CampaignState, planCampaignFigures, planPrimaryCampaigns, storedCampaign } from '../domain/feedback/campaigns.ts';
import { type Rejection, rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/**
 * The Campaign half of the feedback, after the opportunities are recorded: the campaigns the
 * ledger names (by id where it has one, else by name) are read in one call with their costs,
 * Salesforce's won roll-ups and their figure fields; live linked opportunities without a Primary
 * Campaign Source get the campaign of their earliest hand-off; then each campaign whose hand-offs,
 * SQL, lost or win rate differ from the ledger's is updated (sObject Collections, 200 a call), so a
 * rerun writes nothing. The campaigns' costs and roll-ups are kept in the ledger for the report.
 * A dry run lists the writes.
 */
export async function syncCampaigns(deps: SyncDeps, summary: FeedbackSummary): Promise<void> {
  const fields = deps.config.mapping.campaign.figures;
  const [ledger, lacking] = await Promise.all([deps.outcomes.campaignFigures(), deps.outcomes.opportunitiesLackingCampaign()]);
  const ids = [...new Set(ledger.opportunities.flatMap((o) => (o.campaignId ? [o.campaignId] : [])))];
  const names = [...new Set([...ledger.handoffs.map((h) => h.campaign), ...ledger.opportunities.flatMap((o) => (!o.campaignId && o.campaign ? [o.campaign] : [])), ...lacking.map((o) => o.campaign)])];
  if (ids.length === 0 && names.length === 0) return;
  const read = () => deps.feedback.campaignStates({ ids, names, fields });
  let campaigns: CampaignState[] = await read();
  const rejections: { operation: string; rejection: Rejection }[] = [];

  const primary = planPrimaryCampaigns({ lacking, campaigns });
  if (deps.plannedWrites) {
    deps.plannedWrites.push(
      ...primary.updates.map((u) => ({ system: 'salesforce' as const, operation: 'opportunity-update' as const, key: u.opportunityId, fields: { CampaignId: u.campaignId, campaign: u.campaign } })),
    );
  } else if (primary.updates.length > 0) {
    const written = await deps.feedback.updateRecords(
      'Opportunity',
      primary.updates.map((u) => ({ id: u.opportunityId, fields: { CampaignId: u.campaignId } })),
    );
    const done = new Set(written.updated);
    await deps.outcomes.setOpportunityCampaigns(primary.updates.filter((u) => done.has(u.opportunityId)));
    summary.primaryCampaignsSet += done.size;
    rejections.push(...written.rejections.map((rejection) => ({ operation: 'feedback-primary-campaign', rejection })));
    // Salesforce's won roll-ups moved with the opportunities: read them as they are now for the report.
    if (done.size > 0) campaigns = await read();
  }

  const plan = planCampaignFigures({ campaigns, ledger, fields });
  summary.campaigns.unchanged += plan.unchanged;
  summary.campaigns.unmatched = plan.unmatched.length;
  if (deps.plannedWrites) {
    deps.plannedWrites.push(...plan.updates.map((u) => ({ system: 'salesforce' as const, operation: 'campaign-update' as const, key: u.id, fields: u.fields })));
    return;
  }
  if (plan.updates.length > 0) {
    const written = await deps.feedback.updateRecords('Campaign', plan.updates);
    summary.campaigns.updated += written.updated.length;
    rejections.push(...written.rejections.map((rejection) => ({ operation: 'feedback-campaign-figures', rejection })));
  }
  await deps.outcomes.recordCampaigns(campaigns.map(storedCampaign), deps.now());
  for (const { operation, rejection: r } of rejections) {
    await deps.deadLetter.add({ system: r.system, operation, recordKey: r.recordKey, reason: rejectionReason(r), error: { code: r.code, fields: r.fields }, at: deps.now() });
    summary.deadLettered += 1;
  }
}
