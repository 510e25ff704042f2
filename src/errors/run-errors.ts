import { LeadloopError } from './leadloop-error.ts';

export type Lane = 'bulk' | 'handoff';

/**
 * BUDGET_SPENT: leadloop's share of the Salesforce daily allocation is spent for `lane`; the call
 * was not sent. While the hand-off reserve has calls left (`handoffReserveLeft`), only bulk jobs
 * wait; once nothing is left, Salesforce work pauses as on a vendor DAILY_LIMIT.
 */
export class BudgetSpent extends LeadloopError {
  override readonly name = 'BudgetSpent';
  readonly code = 'BUDGET_SPENT' as const;
  readonly system = 'salesforce' as const;
  readonly lane: Lane;
  /** How long until the reading it was refused on goes stale (a fresh one is then taken). */
  readonly retryAfterMs: number;
  readonly handoffReserveLeft: boolean;
  constructor(lane: Lane, retryAfterMs: number, handoffReserveLeft = false) {
    super(`leadloop's ${lane} share of the Salesforce daily API allocation is spent; Salesforce work waits ${retryAfterMs} ms`);
    this.lane = lane;
    this.retryAfterMs = retryAfterMs;
    this.handoffReserveLeft = lane === 'bulk' && handoffReserveLeft;
  }
}

/** BUDGET_WAIT_TOO_LONG: the budget frees later than a job may sleep; the job is delayed by `waitMs`. */
export class BudgetWaitTooLong extends LeadloopError {
  override readonly name = 'BudgetWaitTooLong';
  readonly code = 'BUDGET_WAIT_TOO_LONG' as const;
  readonly system = 'leadloop' as const;
  readonly api: string;
  readonly waitMs: number;
  constructor(api: string, waitMs: number) {
    super(`${api} budget exhausted for the next ${waitMs} ms`);
    this.api = api;
    this.waitMs = waitMs;
  }
}

/** LEASE_HELD: another run holds the lease `lease`, until about `heldUntil` (epoch ms) unless renewed. */
export class LeaseHeld extends LeadloopError {
  override readonly name = 'LeaseHeld';
  readonly code = 'LEASE_HELD' as const;
  readonly system = 'leadloop' as const;
  readonly lease: string;
  readonly holder: string | undefined;
  readonly heldUntil: number | undefined;
  constructor(lease: string, holder?: { holder?: string; heldUntil?: number }) {
    super(`another run holds the "${lease}" lease${holder?.holder ? ` (${holder.holder})` : ''}${holder?.heldUntil ? ` until ${new Date(holder.heldUntil).toISOString()} unless it renews it` : ''}`);
    this.lease = lease;
    this.holder = holder?.holder;
    this.heldUntil = holder?.heldUntil;
  }
}

/** LEASE_LOST: the lease expired or was taken over while the work ran; nothing more may be written. */
export class LeaseLost extends LeadloopError {
  override readonly name = 'LeaseLost';
  readonly code = 'LEASE_LOST' as const;
  readonly system = 'leadloop' as const;
  readonly lease: string;
  constructor(lease: string) {
    super(`the "${lease}" lease was lost`);
    this.lease = lease;
  }
}

/** SHUTDOWN: the process is stopping; the job goes back to the queue as it is. */
export class ShutdownRequested extends LeadloopError {
  override readonly name = 'ShutdownRequested';
  readonly code = 'SHUTDOWN' as const;
  readonly system = 'leadloop' as const;
}

/** LEDGER_UNAVAILABLE: the ledger database cannot be used (unreachable, refused, unwritable or locked folder). */
export class LedgerUnavailable extends LeadloopError {
  override readonly name = 'LedgerUnavailable';
  readonly code = 'LEDGER_UNAVAILABLE' as const;
  readonly system = 'leadloop' as const;
}
