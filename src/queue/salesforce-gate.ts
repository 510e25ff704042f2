import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lane } from './budget-math.ts';
import type { BudgetGovernor } from './budget.ts';

/**
 * leadloop's share of the Salesforce daily allocation is spent for this lane; the call was not
 * sent. `retryAfterMs` is how long until the reading it was refused on goes stale (a fresh one
 * is then taken). decideRetry keeps the job for later without losing the page: while the
 * hand-off reserve has calls left, a spent bulk share delays the bulk job only, so hand-offs go
 * on; once nothing is left, Salesforce work pauses as on a daily REQUEST_LIMIT_EXCEEDED.
 */
export class SalesforceBudgetSpent extends Error {
  override name = 'SalesforceBudgetSpent';
  readonly kind = 'salesforce-budget-spent';
  readonly lane: Lane;
  readonly retryAfterMs: number;
  /** Hand-offs may still call (the refusal was the bulk lane's, and the reserve is not spent). */
  readonly handoffReserveLeft: boolean;
  constructor(lane: Lane, retryAfterMs: number, handoffReserveLeft = false) {
    super(`leadloop's ${lane} share of the Salesforce daily API allocation is spent; Salesforce work waits ${retryAfterMs} ms`);
    this.lane = lane;
    this.retryAfterMs = retryAfterMs;
    this.handoffReserveLeft = lane === 'bulk' && handoffReserveLeft;
  }
}

/** The hooks connectSalesforce / setSalesforceCallHooks take (src/salesforce/connection.ts). */
export interface SalesforceGate {
  beforeCall: () => Promise<void>;
  onLimitInfo: (usage: { used: number; limit: number }) => Promise<void>;
}

const laneOfCall = new AsyncLocalStorage<Lane>();

/**
 * Runs `fn` with its Salesforce calls in `lane`, whatever lane the gate was made with: one
 * connection can serve the scheduled sync (bulk) and the hand-off worker (handoff).
 */
export function withSalesforceLane<T>(lane: Lane, fn: () => T): T {
  return laneOfCall.run(lane, fn);
}

/**
 * Gates each Salesforce request on the shared `salesforce-daily` allowance and feeds that
 * allowance from every response's `Sforce-Limit-Info`, so all workers see the org's usage.
 * Scheduled work uses the `bulk` lane and stops short of the share kept for hand-offs; work
 * run inside withSalesforceLane uses that lane instead, and `lane` may also be a function
 * that names the lane of the current call.
 * A refused call is not waited for inside the job: the allowance frees only as old calls
 * leave Salesforce's rolling 24 h, so the job pauses instead (see SalesforceBudgetSpent).
 */
export function salesforceBudgetGate(governor: BudgetGovernor, lane: Lane | (() => Lane)): SalesforceGate {
  return {
    async beforeCall() {
      const current = laneOfCall.getStore() ?? (typeof lane === 'function' ? lane() : lane);
      const decision = await governor.take('salesforce', 1, { lane: current });
      if (decision.granted) return;
      const left = current === 'bulk' ? ((await governor.salesforceAllowance())?.remaining ?? 0) > 0 : false;
      throw new SalesforceBudgetSpent(current, decision.waitMs, left);
    },
    onLimitInfo: (usage) => governor.observeSalesforceUsage(usage),
  };
}
