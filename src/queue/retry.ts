// One place that maps the adapters' named errors to what the queue does with the job.
// Errors are matched structurally (by `name` or `kind`, and by vendor fields), so this file
// depends on no adapter. The shapes it relies on are the interfaces below.
import { jitteredExponentialDelay, DEFAULT_BACKOFF } from './backoff.ts';

/** src/hubspot/errors.ts `HubSpotRateLimited`: a 429 with HubSpot's `policyName`. */
export interface HubSpotRateLimitedShape {
  name: 'HubSpotRateLimited';
  /** `TEN_SECONDLY_ROLLING`, `SECONDLY`, `DAILY` (HubSpot's policyName), or absent. */
  policy?: string;
  /** From `Retry-After` when HubSpot sent one (not documented that it does). */
  retryAfterMs?: number;
}
/** `HubSpotAuthError`, `SalesforceAuthError`: revoked token, missing scope, failed refresh. */
export interface AuthErrorShape {
  name: 'HubSpotAuthError' | 'SalesforceAuthError';
}
/** `SalesforceDailyLimit`: 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded." */
export interface SalesforceDailyLimitShape {
  name: 'SalesforceDailyLimit';
  retryAfterMs?: number;
}
/** src/queue/salesforce-gate.ts `SalesforceBudgetSpent`: leadloop's share for `lane` is spent. */
export interface SalesforceBudgetSpentShape {
  name: 'SalesforceBudgetSpent';
  lane: 'bulk' | 'handoff';
  retryAfterMs: number;
  handoffReserveLeft: boolean;
}
/** `SalesforceConcurrencyLimit`: REQUEST_LIMIT_EXCEEDED for concurrent long-running requests. */
export interface SalesforceConcurrencyLimitShape {
  name: 'SalesforceConcurrencyLimit';
}
/** `InvalidRecord`: the vendor refused this record for good (the pipeline dead-letters it). */
export interface InvalidRecordShape {
  name: 'InvalidRecord';
}

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
  /** When HubSpot's daily limit resets (midnight in the account's time zone, or configured). */
  hubspotDailyResetAt: (now: number) => number;
  /** How long Salesforce work pauses after a daily REQUEST_LIMIT_EXCEEDED. Default 1 h. */
  salesforceDailyPauseMs?: number;
  random?: () => number;
}

const TEN_SECONDS = 10_000;
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

export function decideRetry(error: unknown, context: RetryContext): RetryDecision {
  const e = asRecord(error);
  const name = typeof e['name'] === 'string' ? e['name'] : '';
  const kind = typeof e['kind'] === 'string' ? e['kind'] : '';
  const random = context.random ?? Math.random;
  const jitter = (ms: number): number => Math.floor(random() * ms);

  if (name === 'InvalidRecord' || kind === 'invalid-record') return { action: 'fail', reason: 'invalid record' };

  // src/pipeline/preflight.ts: setup finds a blocking problem. A person must fix it; look again
  // when the cached answer expires (or sooner, when `leadloop setup` stores a fresh one).
  if (name === 'PreflightBlocked') return { action: 'delay', delayMs: PREFLIGHT_RECHECK_MS, reason: 'setup-blocking-problem' };

  if (name === 'HubSpotAuthError' || kind === 'hubspot-auth') {
    return { action: 'pause-queues', system: 'hubspot', reason: 'hubspot-auth' };
  }
  if (name === 'SalesforceAuthError' || kind === 'salesforce-auth') {
    return { action: 'pause-queues', system: 'salesforce', reason: 'salesforce-auth' };
  }

  const hubspotPolicy = hubspotRateLimitPolicy(e, name);
  if (hubspotPolicy !== null) {
    const retryAfterMs = numberField(e, 'retryAfterMs');
    if (hubspotPolicy === 'DAILY') {
      return { action: 'pause-system', system: 'hubspot', untilMs: context.hubspotDailyResetAt(context.now), reason: 'hubspot-daily-limit' };
    }
    if (hubspotPolicy === 'SECONDLY') {
      return { action: 'delay', delayMs: (retryAfterMs ?? 1_000) + jitter(250), reason: 'hubspot-secondly-limit' };
    }
    // TEN_SECONDLY_ROLLING (or unnamed): the rolling window has fully moved on after 10 s.
    return { action: 'delay', delayMs: (retryAfterMs ?? TEN_SECONDS) + jitter(1_000), reason: 'hubspot-ten-secondly-limit' };
  }

  // src/queue/salesforce-gate.ts: our own share of the allocation, refused before any call.
  if (name === 'SalesforceBudgetSpent' || kind === 'salesforce-budget-spent') {
    const waitMs = numberField(e, 'retryAfterMs') ?? context.salesforceDailyPauseMs ?? 60 * 60_000;
    // The bulk share spent but not the reserve: only bulk jobs wait, hand-offs go on with it.
    if (e['lane'] === 'bulk' && e['handoffReserveLeft'] === true) return { action: 'delay', delayMs: waitMs + jitter(1_000), reason: 'salesforce-bulk-share-spent' };
    return { action: 'pause-system', system: 'salesforce', untilMs: context.now + waitMs, reason: 'salesforce-daily-limit' };
  }

  const salesforceLimit = salesforceLimitKind(e, name);
  if (salesforceLimit === 'daily') {
    const pauseMs = numberField(e, 'retryAfterMs') ?? context.salesforceDailyPauseMs ?? 60 * 60_000;
    return { action: 'pause-system', system: 'salesforce', untilMs: context.now + pauseMs, reason: 'salesforce-daily-limit' };
  }
  if (salesforceLimit === 'concurrent') {
    // Long-running requests finish within seconds to minutes: back off briefly, no pause.
    return { action: 'delay', delayMs: 5_000 + jitter(5_000), reason: 'salesforce-concurrent-limit' };
  }

  if (name === 'BudgetExhausted' || kind === 'budget-exhausted') {
    return { action: 'delay', delayMs: (numberField(e, 'waitMs') ?? 1_000) + jitter(250), reason: 'budget-exhausted' };
  }
  if (name === 'LeaseUnavailable' || kind === 'lease-unavailable') {
    return { action: 'delay', delayMs: 15_000 + jitter(5_000), reason: 'lease-unavailable' };
  }
  if (name === 'AbortError' || name === 'LeaseLost' || kind === 'lease-lost' || kind === 'shutdown') {
    return { action: 'delay', delayMs: 0, reason: 'released' };
  }

  // The adapters' named "no usable answer" errors (5xx, network, a request past its deadline).
  if (name === 'HubSpotUnavailable' || name === 'SalesforceUnavailable') {
    return { action: 'backoff', reason: numberField(e, 'timeoutMs') !== undefined ? 'timeout' : 'transient' };
  }
  if (isTransient(e, name)) return { action: 'backoff', reason: 'transient' };
  return { action: 'backoff', reason: 'unexpected' };
}

/** The BullMQ backoff for `backoff` decisions (registered as the worker's backoffStrategy). */
export function backoffDelay(attemptsMade: number, options: { baseMs?: number } = {}, random?: () => number): number {
  return jitteredExponentialDelay(attemptsMade, { ...DEFAULT_BACKOFF, ...options }, random);
}

function hubspotRateLimitPolicy(e: Record<string, unknown>, name: string): string | null {
  if (name === 'HubSpotRateLimited' || e['kind'] === 'hubspot-rate-limited') {
    return normalisePolicy(e['policy']);
  }
  // The raw SDK ApiException: `.code` 429 and HubSpot's body `{ policyName, message }`.
  if (e['code'] === 429 && e['body'] !== undefined) {
    const body = asRecord(e['body']);
    if (body['message'] === 'You have reached your secondly limit.') return 'SECONDLY';
    return normalisePolicy(body['policyName']);
  }
  return null;
}

function normalisePolicy(value: unknown): string {
  return typeof value === 'string' ? value.toUpperCase() : 'TEN_SECONDLY_ROLLING';
}

function salesforceLimitKind(e: Record<string, unknown>, name: string): 'daily' | 'concurrent' | null {
  if (name === 'SalesforceDailyLimit' || e['kind'] === 'salesforce-daily-limit') return 'daily';
  if (name === 'SalesforceConcurrencyLimit' || e['kind'] === 'salesforce-concurrency-limit') return 'concurrent';
  // jsforce's HttpApiError: name = errorCode. The same code covers both limits, only the
  // message tells them apart ("TotalRequests Limit exceeded." is the daily allocation).
  if (name === 'REQUEST_LIMIT_EXCEEDED' || e['errorCode'] === 'REQUEST_LIMIT_EXCEEDED') {
    const message = String(e['message'] ?? '');
    return /concurren|ConcurrentPerOrgLongTxn/i.test(message) ? 'concurrent' : 'daily';
  }
  return null;
}

function isTransient(e: Record<string, unknown>, name: string): boolean {
  const code = e['code'];
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof code === 'number' && code >= 500) return true;
  const status = e['status'] ?? e['statusCode'];
  if (typeof status === 'number' && status >= 500) return true;
  if (name === 'UNABLE_TO_LOCK_ROW' || e['errorCode'] === 'UNABLE_TO_LOCK_ROW') return true;
  if (name === 'TimeoutError' || name === 'FetchError') return true;
  const cause = e['cause'];
  return cause !== undefined && cause !== null && cause !== e && isTransient(asRecord(cause), String(asRecord(cause)['name'] ?? ''));
}

function numberField(e: Record<string, unknown>, key: string): number | undefined {
  const value = e[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
