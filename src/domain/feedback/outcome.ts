import type { OpportunitySnapshot, Outcome, StageChange } from './types.ts';

/**
 * Where an opportunity stands. The current state, amount, currency, close date, loss reason and
 * competitor come from its snapshot (Salesforce's own IsClosed/IsWon, not the stage name); the
 * stage history (OpportunityHistory, any order) says how often it closed, when it last closed, and
 * whether it was reopened — closed once, then open again, whatever it is now.
 * The loss reason and the competitor who beat us are kept for a lost opportunity only: the
 * competitor field (mapping.yaml's opportunity.competitor) when set, else the only
 * OpportunityCompetitor (with several, which one won is unknown: null). Every competitor met is
 * listed whatever the outcome. A deleted opportunity reports its last state, flagged `deleted`.
 */
export function outcomeOf(opportunity: OpportunitySnapshot, stageHistory: readonly StageChange[]): Outcome {
  const history = stageHistory.toSorted((a, b) => a.at - b.at);
  let wasClosed = false;
  let timesClosed = 0;
  let reopened = false;
  let closedAt: number | null = null;
  for (const change of history) {
    if (change.isClosed && !wasClosed) {
      timesClosed += 1;
      closedAt = change.at;
    } else if (!change.isClosed && wasClosed) {
      reopened = true;
    }
    wasClosed = change.isClosed;
  }
  // History can lag the snapshot (or be absent): the snapshot's state is the truth.
  if (opportunity.isClosed && !wasClosed) {
    timesClosed += 1;
    closedAt = null;
  } else if (!opportunity.isClosed && wasClosed) {
    reopened = true;
  }
  const state = opportunity.isClosed ? (opportunity.isWon ? 'won' : 'lost') : 'open';

  const text = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
  const rows = [...new Set(opportunity.competitors.map((c) => text(c.competitorName)).filter((n): n is string => n !== null))];
  const field = text(opportunity.competitorField);
  const competitorsMet = [...new Set([...rows, ...(field ? [field] : [])])].sort();
  const lost = state === 'lost';
  return {
    state,
    reopened,
    timesClosed,
    closedAt: state === 'open' ? null : closedAt,
    amount: opportunity.amount,
    currency: opportunity.currency,
    closeDate: opportunity.closeDate,
    lossReason: lost ? text(opportunity.lossReason) : null,
    competitor: lost ? (field ?? (rows.length === 1 ? (rows[0] ?? null) : null)) : null,
    competitorsMet,
    deleted: opportunity.isDeleted,
  };
}
