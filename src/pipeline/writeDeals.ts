import type { DealPlan } from '../domain/feedback/index.ts';
import { type Rejection, rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/**
 * Carries out a deal plan in HubSpot: creates (a deal already there — its answer lost on an
 * earlier run — is updated instead), updates (one HubSpot no longer has is created again),
 * archives; refusals go to the dead-letter list. Only the deals written get their fingerprint
 * stored, so a refused one is tried again on the next run. A dry run lists the writes.
 */
export async function writeDeals(deps: SyncDeps, plan: DealPlan, summary: FeedbackSummary): Promise<void> {
  for (const s of plan.skipped) {
    if (s.reason === 'unchanged') summary.deals.unchanged += 1;
    else summary.deals.skipped += 1;
  }
  const badCurrency = plan.skipped.filter((s) => s.reason === 'currency-not-in-portal');
  if (deps.plannedWrites) {
    deps.plannedWrites.push(
      ...plan.create.map((d) => ({
        system: 'hubspot' as const,
        operation: 'deal-create' as const,
        key: d.opportunityId,
        fields: { ...d.properties, contacts: d.contactIds, companies: d.companyIds },
      })),
      ...plan.update.map((d) => ({
        system: 'hubspot' as const,
        operation: 'deal-update' as const,
        key: d.opportunityId,
        fields: { ...d.properties, contacts: d.contactIds, companies: d.companyIds },
      })),
      ...plan.archive.map((id) => ({ system: 'hubspot' as const, operation: 'deal-archive' as const, key: id })),
    );
    return;
  }
  const written = new Set<string>();
  const rejections: Rejection[] = [];
  const byId = new Map([...plan.create, ...plan.update].map((d) => [d.opportunityId, d]));

  let toUpdate = plan.update;
  if (plan.create.length > 0) {
    const created = await deps.deals.createDeals(plan.create);
    for (const id of created.created.keys()) written.add(id);
    summary.deals.created += created.created.size;
    rejections.push(...created.rejections);
    toUpdate = [...toUpdate, ...[...created.existing.keys()].map((id) => byId.get(id)!)];
  }
  if (toUpdate.length > 0) {
    const updated = await deps.deals.updateDeals(toUpdate);
    for (const id of updated.updated.keys()) written.add(id);
    summary.deals.updated += updated.updated.size;
    rejections.push(...updated.rejections);
    const gone = updated.missing.map((id) => byId.get(id)!).filter((d) => d !== undefined);
    if (gone.length > 0) {
      const recreated = await deps.deals.createDeals(gone);
      for (const id of recreated.created.keys()) written.add(id);
      summary.deals.created += recreated.created.size;
      rejections.push(...recreated.rejections);
    }
  }
  if (plan.archive.length > 0) {
    const archived = await deps.deals.archiveDeals(plan.archive);
    for (const id of archived.archived) written.add(id);
    summary.deals.archived += archived.archived.length;
    rejections.push(...archived.rejections);
  }
  for (const s of badCurrency) {
    await deps.deadLetter.add({
      system: 'hubspot',
      operation: 'feedback-deal',
      recordKey: s.opportunityId,
      reason: `CURRENCY_NOT_IN_PORTAL (deal_currency_code): the opportunity is in ${s.currency}, which the HubSpot portal has not set up; add it (Settings → Account defaults → Currency): the deal is written the next time the opportunity changes`,
      error: { code: 'CURRENCY_NOT_IN_PORTAL', fields: ['deal_currency_code'] },
      at: deps.now(),
    });
    summary.deadLettered += 1;
  }
  for (const r of rejections) {
    await deps.deadLetter.add({ system: r.system, operation: 'feedback-deal', recordKey: r.recordKey, reason: rejectionReason(r), error: { code: r.code, fields: r.fields }, at: deps.now() });
    summary.deadLettered += 1;
  }
  await deps.outcomes.setDealFingerprints(new Map([...plan.fingerprints].filter(([id]) => written.has(id))));
}
