import { normalizeDomain } from '../domain/domain-name.ts';
import { contactSummary, dealContent, emailKey, linkOpportunity, lostAfterConversion, opportunityRecord, planDeals, sourceOfCampaignType } from '../domain/feedback/index.ts';
import type { CampaignInfo, KeysetCursor, LinkEvidence, OpportunityRecord, OpportunitySnapshot } from '../domain/feedback/types.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';
import { writeDeals } from './writeDeals.ts';
import { writeFeedbackContacts } from './writeFeedbackContacts.ts';

/**
 * The opportunity half of the feedback: opportunities changed since the cursor (deleted ones too),
 * a page at a time — each linked to its HubSpot contacts, attributed and read for its outcome,
 * recorded in the ledger; then its HubSpot deal written where what it carries changed, and each
 * linked contact's outcome properties and lifecycle stage — or, when every opportunity of its
 * converted lead was lost, its return to marketing —; then the cursor moved past the page.
 */
export async function pullOpportunities(deps: SyncDeps, options: { after: KeysetCursor; until: number; org: FeedbackSummary['org']; summary: FeedbackSummary; signal?: AbortSignal }): Promise<void> {
  const { summary, org } = options;
  for await (const page of deps.feedback.changedOpportunities({ after: options.after, until: options.until, multiCurrency: org.multiCurrency })) {
    options.signal?.throwIfAborted();
    summary.pages += 1;
    summary.opportunities.pulled += page.opportunities.length;
    const records = await recordsOf(deps, page.opportunities);
    for (const r of records) {
      if (r.outcome.deleted) summary.opportunities.deleted += 1;
      else summary.opportunities[r.outcome.state] += 1;
      if (r.links.kind === 'unlinked' && !r.outcome.deleted) summary.opportunities.unlinked += 1;
      if (r.outcome.reopened) summary.opportunities.reopened += 1;
    }
    if (deps.plannedWrites) {
      deps.plannedWrites.push(
        ...records.map((r) => ({
          system: 'ledger' as const,
          operation: r.outcome.deleted ? ('opportunity-delete' as const) : ('opportunity-record' as const),
          key: r.opportunity.opportunityId,
          fields: { outcome: r.outcome.state, link: r.links.kind === 'linked' ? r.links.path : 'unlinked', source: r.attribution.source, campaign: r.attribution.campaign },
        })),
      );
    } else {
      await deps.outcomes.recordOpportunities(records, deps.now());
    }

    const linked = [...new Set(records.flatMap((r) => (r.links.kind === 'linked' ? r.links.contacts.map((c) => c.contactId) : [])))];
    const [written, companyOf] = await Promise.all([
      deps.outcomes.dealFingerprints(records.map((r) => r.opportunity.opportunityId)),
      org.connectorSyncsDeals || linked.length === 0 ? new Map<string, string>() : deps.deals.primaryCompanies(linked),
    ]);
    const plan = planDeals({
      contents: records.map((r) => dealContent(r.opportunity, r.outcome, r.links)),
      written,
      companyOf,
      mapping: deps.config.mapping,
      connectorSyncsDeals: org.connectorSyncsDeals,
      ...(org.portalCurrencies.length > 0 ? { portalCurrencies: new Set(org.portalCurrencies) } : {}),
    });
    await writeDeals(deps, plan, summary);

    const opportunitiesOf = await deps.outcomes.contactOpportunities(linked);
    await writeFeedbackContacts(
      deps,
      linked.map((contactId) => {
        const mine = opportunitiesOf.get(contactId) ?? [];
        const summaryOf = contactSummary(mine);
        // Its converted lead's opportunities all lost: back to marketing (a converted lead's Status never says so).
        if (lostAfterConversion(mine)) return { contactId, summary: summaryOf, backToMarketing: 'lost' as const };
        return { contactId, summary: summaryOf, ...(summaryOf.outcome === 'won' ? { lifecycle: 'won' as const } : mine.some((o) => !o.deleted) ? { lifecycle: 'opportunity' as const } : {}) };
      }),
      org,
      summary,
    );
    if (!deps.plannedWrites) await deps.state.saveFeedbackCursor('opportunities', page.cursor);
  }
}

/** Links, attributes and reads the outcome of a page of opportunities, from what Salesforce and the ledger say about them. */
async function recordsOf(deps: SyncDeps, opportunities: readonly OpportunitySnapshot[]): Promise<OpportunityRecord[]> {
  if (opportunities.length === 0) return [];
  const ids = opportunities.map((o) => o.opportunityId);
  const campaignIds = [...new Set(opportunities.flatMap((o) => (o.campaignId ? [o.campaignId] : [])))];
  const emailKeys = [...new Set(opportunities.flatMap((o) => o.contactRoles.map((r) => emailKey(r.email)).filter((k): k is string => k !== undefined)))];
  const domains = [...new Set(opportunities.map((o) => normalizeDomain(o.accountWebsite)).filter((d): d is string => d !== undefined))];
  const [history, convertedLeads, campaignsRead, handedOffByEmail, handedOffByDomain] = await Promise.all([
    deps.feedback.stageHistory(ids),
    deps.feedback.convertedLeads(ids),
    campaignIds.length > 0 ? deps.feedback.campaigns(campaignIds) : new Map<string, CampaignInfo>(),
    deps.outcomes.handedOffByEmailKey(emailKeys),
    deps.outcomes.handedOffByDomain(domains),
  ]);
  const candidates = new Set<string>([
    ...[...convertedLeads.values()].flat().flatMap((l) => (l.externalId ? [l.externalId] : [])),
    ...opportunities.flatMap((o) => o.contactRoles.flatMap((r) => (r.externalId ? [r.externalId] : []))),
    ...[...handedOffByEmail.values()].flat(),
    ...[...handedOffByDomain.values()].flat(),
  ]);
  const campaigns = new Map([...campaignsRead].map(([id, c]) => [id, { ...c, type: sourceOfCampaignType(c.type, deps.config.mapping.lead.fields) }]));
  const evidence: LinkEvidence = { convertedLeads, handedOffByEmail, handedOffByDomain, erased: await deps.erasures.among([...candidates]) };
  const contacts = [...new Set(opportunities.flatMap((o) => linkedContacts(o, evidence)))];
  const handoffs = await deps.outcomes.earliestHandoffs(contacts);
  return opportunities.map((o) => opportunityRecord(o, history.get(o.opportunityId) ?? [], evidence, handoffs, campaigns));
}

function linkedContacts(opportunity: OpportunitySnapshot, evidence: LinkEvidence): string[] {
  const links = linkOpportunity(opportunity, evidence);
  return links.kind === 'linked' ? links.contacts.map((c) => c.contactId) : [];
}
