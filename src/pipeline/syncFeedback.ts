import { parseDuration } from '../domain/config/duration.ts';
import type { FeedbackCapabilities, KeysetCursor } from '../domain/feedback/types.ts';
import { addPastCampaignMembers } from './addPastCampaignMembers.ts';
import { fillContactKeys } from './fillContactKeys.ts';
import type { SyncDeps } from './ports.ts';
import { pullLeadStatuses } from './pullLeadStatuses.ts';
import { pullOpportunities } from './pullOpportunities.ts';
import { syncCampaigns } from './syncCampaigns.ts';

/** What one feedback cycle did, printed by `sync feedback --once`. */
export interface FeedbackSummary {
  leads: number;
  statusChanges: { accepted: number; disqualified: number; recycled: number; open: number; approximated: number };
  opportunities: { pulled: number; open: number; won: number; lost: number; deleted: number; unlinked: number; reopened: number };
  deals: { created: number; updated: number; archived: number; unchanged: number; skipped: number };
  contactsUpdated: number;
  /** Salesforce Campaigns whose figure fields were written, or already held the ledger's figures; campaign names or ids the ledger holds that match no campaign or several. */
  campaigns: { updated: number; unchanged: number; unmatched: number };
  /** Opportunities given the Primary Campaign Source of their earliest hand-off. */
  primaryCampaignsSet: number;
  /** The one-time pass over hand-offs made before campaign membership: hand-offs looked at, members created, members Salesforce had already, and hand-offs skipped (campaign missing or ambiguous, record gone). */
  pastHandoffMembers: { checked: number; created: number; existing: number; skipped: number };
  contactKeysFilled: number;
  deadLettered: number;
  pages: number;
  /** What the org offered (Status history tracked, several currencies), whether HubSpot's connector makes the deals, and the portal's currencies. */
  org: FeedbackCapabilities & { connectorSyncsDeals: boolean; portalCurrencies: string[] };
  /** Where each pull began: the look-back start on a first run. */
  from: { leadStatus: string; opportunities: string };
}

export function emptyFeedbackSummary(org: FeedbackSummary['org'], from: FeedbackSummary['from']): FeedbackSummary {
  return {
    leads: 0,
    statusChanges: { accepted: 0, disqualified: 0, recycled: 0, open: 0, approximated: 0 },
    opportunities: { pulled: 0, open: 0, won: 0, lost: 0, deleted: 0, unlinked: 0, reopened: 0 },
    deals: { created: 0, updated: 0, archived: 0, unchanged: 0, skipped: 0 },
    contactsUpdated: 0,
    campaigns: { updated: 0, unchanged: 0, unmatched: 0 },
    primaryCampaignsSet: 0,
    pastHandoffMembers: { checked: 0, created: 0, existing: 0, skipped: 0 },
    contactKeysFilled: 0,
    deadLettered: 0,
    pages: 0,
    org,
    from,
  };
}

export interface SyncFeedbackOptions {
  /** Aborts the run (a lost lease, a shutdown): checked before each page goes on. */
  signal?: AbortSignal;
}

// Salesforce stamps SystemModstamp when a transaction starts its save; one that commits a little
// later can carry an earlier stamp than rows already visible. Pulling only up to a minute ago
// keeps the cursor from passing a row that is not visible yet.
const COMMIT_LAG_MS = 60_000;

/**
 * One feedback cycle (data flow 3): the ledger first learns how to find the contacts handed off
 * (their email keys and domains, from HubSpot), then what sales did since the cursors — Lead
 * Status changes, then opportunities — each page recorded in the ledger, carried into HubSpot
 * (deals, contact outcome properties, lifecycle stage forward), and only then its cursor moved;
 * then the Salesforce Campaigns: once, the members hand-offs made before campaign membership
 * lack (addPastCampaignMembers); Primary Campaign Source where missing, and the figures.
 * A first run starts `feedback.lookback` ago. A crash anywhere converges on rerun (every write is
 * idempotent and a deal already written is recognised). A dry run writes nothing and moves no cursor.
 */
export async function syncFeedback(deps: SyncDeps, options: SyncFeedbackOptions = {}): Promise<FeedbackSummary> {
  const now = deps.now();
  const until = now - COMMIT_LAG_MS;
  const start: KeysetCursor = { modstamp: now - parseDuration(deps.config.sync.feedback.lookback), id: '' };
  const [capabilities, connectorDeal, dealProperties, leadCursor, opportunityCursor] = await Promise.all([
    deps.feedback.capabilities(),
    deps.deals.connectorSyncedDeal(),
    deps.deals.dealProperties(),
    deps.state.feedbackCursor('lead-status'),
    deps.state.feedbackCursor('opportunities'),
  ]);
  const org = { ...capabilities, connectorSyncsDeals: connectorDeal !== undefined, portalCurrencies: dealProperties.get('deal_currency_code')?.options ?? [] };
  const from = { leadStatus: new Date((leadCursor ?? start).modstamp).toISOString(), opportunities: new Date((opportunityCursor ?? start).modstamp).toISOString() };
  const summary = emptyFeedbackSummary(org, from);

  summary.contactKeysFilled = await fillContactKeys(deps, options.signal);
  await pullLeadStatuses(deps, { after: leadCursor ?? start, until, org, summary, ...(options.signal ? { signal: options.signal } : {}) });
  await pullOpportunities(deps, { after: opportunityCursor ?? start, until, org, summary, ...(options.signal ? { signal: options.signal } : {}) });
  options.signal?.throwIfAborted();
  await addPastCampaignMembers(deps, summary, options.signal);
  await syncCampaigns(deps, summary);
  return summary;
}
