import type { Attribution, Outcome } from './types.ts';

/** One opportunity as the figures see it. */
export interface TalliedOpportunity {
  opportunityId: string;
  outcome: Pick<Outcome, 'state' | 'amount' | 'currency' | 'deleted'>;
  attribution: Pick<Attribution, 'source' | 'campaign'>;
}

/** The figures of one source or campaign. Amounts are per currency: they are never added across currencies. */
export interface Figures {
  opportunities: number;
  open: number;
  won: number;
  lost: number;
  wonAmount: Record<string, number>;
}

/** The key figures of an opportunity with no currency (a single-currency org's corporate currency) are kept under. */
export const CORPORATE_CURRENCY = 'corporate';

/**
 * The closed-loop figures per source and per campaign: each opportunity counts once in each
 * dimension (its attribution; `(none)` when it has none), the last snapshot of an id given twice
 * wins, and a deleted opportunity counts nowhere.
 */
export function tallyOutcomes(opportunities: readonly TalliedOpportunity[]): { bySource: Map<string, Figures>; byCampaign: Map<string, Figures> } {
  const latest = new Map(opportunities.map((o) => [o.opportunityId, o]));
  const bySource = new Map<string, Figures>();
  const byCampaign = new Map<string, Figures>();
  for (const o of latest.values()) {
    if (o.outcome.deleted) continue;
    count(bySource, o.attribution.source ?? '(none)', o.outcome);
    count(byCampaign, o.attribution.campaign ?? '(none)', o.outcome);
  }
  return { bySource, byCampaign };
}

function count(into: Map<string, Figures>, key: string, outcome: TalliedOpportunity['outcome']): void {
  const f = into.get(key) ?? { opportunities: 0, open: 0, won: 0, lost: 0, wonAmount: {} };
  f.opportunities += 1;
  f[outcome.state] += 1;
  if (outcome.state === 'won' && outcome.amount !== null) {
    const currency = outcome.currency ?? CORPORATE_CURRENCY;
    f.wonAmount[currency] = (f.wonAmount[currency] ?? 0) + outcome.amount;
  }
  into.set(key, f);
}
