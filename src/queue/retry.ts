// One place that maps leadloop's named errors (src/errors/) to what the queue does with a job:
// a switch on the error's code. Anything without a code is unexpected and backs off.
import { isLeadloopError, type NamedError } from '../errors/index.ts';
import { DEFAULT_BACKOFF, jitteredExponentialDelay } from './backoff.ts';

export type QueueSystem = 'hubspot' | 'salesforce';

/** How long a job held back by a blocking setup problem waits before it looks again. */
export const PREFLIGHT_RECHECK_MS = 60_000;

export type RetryDecision =
  /** Re-delay the job without spending an attempt (rate limit, budget, released on shutdown). */
  | { action: 'delay'; delayMs: number; reason: string }
  /** Stop all work on `system` until `untilMs`, and re-delay the job until then. */
  | { action: 'pause-system'; system: QueueSystem; untilMs: number; reason: string }
  /** Pause every queue and alert: nothing succeeds until a person fixes credentials. */
  | { action: 'pause-queues'; system: QueueSystem; reason: string }
  /** A normal retry: spends an attempt, BullMQ applies the jittered exponential backoff. */
  | { action: 'backoff'; reason: string }
  /** Never retried. */
  | { action: 'fail'; reason: string };

export interface RetryContext {
  now: number;
  /** When HubSpot's daily limit resets (midnight in the account's time zone). */
  hubspotDailyResetAt: (now: number) => number;
  /** How long Salesforce work pauses after a daily REQUEST_LIMIT_EXCEEDED. Default 1 h. */
  salesforceDailyPauseMs?: number;
  random?: () => number;
}

const HOUR = 3_600_000;

export function decideRetry(error: unknown, context: RetryContext): RetryDecision {
  if (!isLeadloopError(error)) return { action: 'backoff', reason: 'unexpected' };
  const jitter = (ms: number): number => Math.floor((context.random ?? Math.random)() * ms);
  const salesforcePause = context.salesforceDailyPauseMs ?? HOUR;
  const e = error as NamedError;
  switch (e.code) {
    case 'RATE_LIMITED':
      // Jitter adds to the vendor's wait, never takes from it; a second's window gets less of it.
      return { action: 'delay', delayMs: e.retryAfterMs + jitter(e.retryAfterMs <= 1_000 ? 250 : 1_000), reason: `${e.system}-${e.policy === 'SECONDLY' ? 'secondly' : 'ten-secondly'}-limit` };
    case 'DAILY_LIMIT':
      return {
        action: 'pause-system',
        system: e.system,
        untilMs: e.resumeAt ?? (e.system === 'hubspot' ? context.hubspotDailyResetAt(context.now) : context.now + salesforcePause),
        reason: `${e.system}-daily-limit`,
      };
    case 'CONCURRENCY_LIMIT':
      // Long-running requests finish within seconds to minutes: back off briefly, no pause.
      return { action: 'delay', delayMs: 5_000 + jitter(5_000), reason: 'salesforce-concurrent-limit' };
    case 'AUTH_FAILED':
      return { action: 'pause-queues', system: e.system, reason: `${e.system}-auth` };
    case 'UNAVAILABLE':
      return { action: 'backoff', reason: e.timeoutMs !== undefined ? 'timeout' : 'transient' };
    case 'REQUEST_REFUSED':
      return { action: 'backoff', reason: 'refused' };
    case 'BUDGET_SPENT':
      // The bulk share spent but not the reserve: only bulk jobs wait, hand-offs go on with it.
      if (e.handoffReserveLeft) return { action: 'delay', delayMs: e.retryAfterMs + jitter(1_000), reason: 'salesforce-bulk-share-spent' };
      return { action: 'pause-system', system: 'salesforce', untilMs: context.now + e.retryAfterMs, reason: 'salesforce-daily-limit' };
    case 'BUDGET_WAIT_TOO_LONG':
      return { action: 'delay', delayMs: e.waitMs + jitter(250), reason: 'budget-exhausted' };
    case 'LEASE_HELD':
      return { action: 'delay', delayMs: 15_000 + jitter(5_000), reason: 'lease-unavailable' };
    case 'LEASE_LOST':
    case 'SHUTDOWN':
      return { action: 'delay', delayMs: 0, reason: 'released' };
    case 'PREFLIGHT_BLOCKED':
      // A person must fix it; look again when the cached answer expires (or sooner, after `leadloop setup`).
      return { action: 'delay', delayMs: PREFLIGHT_RECHECK_MS, reason: 'setup-blocking-problem' };
    case 'LEDGER_UNAVAILABLE':
      return { action: 'backoff', reason: 'ledger-unavailable' };
    case 'CONFIG_INVALID':
    case 'ENV_INVALID':
      return { action: 'fail', reason: e.code.toLowerCase() };
  }
}

/** The BullMQ backoff for `backoff` decisions (registered as the worker's backoffStrategy). */
export function backoffDelay(attemptsMade: number, options: { baseMs?: number } = {}, random?: () => number): number {
  return jitteredExponentialDelay(attemptsMade, { ...DEFAULT_BACKOFF, ...options }, random);
}
