import type { Lane } from './budget-math.ts';
import type { BudgetGovernor } from './budget.ts';

/**
 * leadloop's share of the Salesforce daily allocation is spent for this lane. It carries the
 * kind of a daily REQUEST_LIMIT_EXCEEDED, so decideRetry pauses Salesforce work for
 * `retryAfterMs` (until the reading it was refused on goes stale and a fresh one is taken)
 * without losing the page, exactly as if Salesforce itself had refused the call.
 */
export class SalesforceBudgetSpent extends Error {
  override name = 'SalesforceBudgetSpent';
  readonly kind = 'salesforce-daily-limit';
  readonly lane: Lane;
  readonly retryAfterMs: number;
  constructor(lane: Lane, retryAfterMs: number) {
    super(`leadloop's ${lane} share of the Salesforce daily API allocation is spent; Salesforce work waits ${retryAfterMs} ms`);
    this.lane = lane;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The hooks connectSalesforce / setSalesforceCallHooks take (src/salesforce/connection.ts). */
export interface SalesforceGate {
  beforeCall: () => Promise<void>;
  onLimitInfo: (usage: { used: number; limit: number }) => Promise<void>;
}

/**
 * Gates each Salesforce request on the shared `salesforce-daily` allowance and feeds that
 * allowance from every response's `Sforce-Limit-Info`, so all workers see the org's usage.
 * Scheduled work uses the `bulk` lane and stops short of the share kept for hand-offs; a
 * worker that serves both may pass a function that names the lane of the current call.
 * A refused call is not waited for inside the job: the allowance frees only as old calls
 * leave Salesforce's rolling 24 h, so the job pauses instead (see SalesforceBudgetSpent).
 */
export function salesforceBudgetGate(governor: BudgetGovernor, lane: Lane | (() => Lane)): SalesforceGate {
  return {
    async beforeCall() {
      const current = typeof lane === 'function' ? lane() : lane;
      const decision = await governor.take('salesforce', 1, { lane: current });
      if (!decision.granted) throw new SalesforceBudgetSpent(current, decision.waitMs);
    },
    onLimitInfo: (usage) => governor.observeSalesforceUsage(usage),
  };
}
