/**
 * Named HubSpot failures, mapped once from the SDK's ApiException (`code`, `body`, `headers`)
 * so the queue layer (src/queue/retry.ts, which matches on `name`) decides what happens.
 */

/** 429: wait as the policy says. TEN_SECONDLY_ROLLING frees within 10 s, SECONDLY (search) within 1 s, DAILY at midnight. */
export class HubSpotRateLimited extends Error {
  readonly policy: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';
  readonly retryAfterMs: number;
  constructor(policy: HubSpotRateLimited['policy'], retryAfterMs: number, message: string) {
    super(message);
    this.name = 'HubSpotRateLimited';
    this.policy = policy;
    this.retryAfterMs = retryAfterMs;
  }
}

/** 401/403: a revoked or expired token, or a missing scope. Pause and alert; retrying cannot help. */
export class HubSpotAuthError extends Error {
  readonly status: number;
  readonly category: string;
  constructor(status: number, category: string, message: string) {
    super(message);
    this.name = 'HubSpotAuthError';
    this.status = status;
    this.category = category;
  }
}

/** 5xx, timeouts, refused connections: retry with backoff. */
export class HubSpotUnavailable extends Error {
  readonly status: number;
  /** Set when the request hit its deadline (no answer at all). */
  readonly timeoutMs: number | undefined;
  constructor(status: number, message: string, options: { timeoutMs?: number } = {}) {
    super(message);
    this.name = 'HubSpotUnavailable';
    this.status = status;
    this.timeoutMs = options.timeoutMs;
  }
}

/** 400 for a whole request (validation): the caller isolates the bad record or reports it. */
export class HubSpotBadRequest extends Error {
  readonly category: string;
  readonly body: unknown;
  constructor(category: string, message: string, body: unknown) {
    super(message);
    this.name = 'HubSpotBadRequest';
    this.category = category;
    this.body = body;
  }
}

interface SdkError {
  code?: number;
  body?: { message?: string; category?: string; policyName?: string } | string;
  headers?: Record<string, string>;
  message?: string;
}

/** Maps anything the SDK throws to one of the named errors (a 404 stays as it was: callers decide). */
export function toHubSpotError(error: unknown): Error {
  if (error instanceof HubSpotUnavailable || error instanceof HubSpotRateLimited || error instanceof HubSpotAuthError || error instanceof HubSpotBadRequest) return error;
  const e = error as SdkError;
  const status = typeof e?.code === 'number' ? e.code : 0;
  const body = typeof e?.body === 'object' && e.body !== null ? e.body : {};
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = (body.message ?? e?.message ?? String(error)) + (status === 0 && cause ? ` (${cause.code ?? cause.message})` : '');
  if (status === 429) {
    const policy = body.policyName === 'DAILY' ? 'DAILY' : body.policyName === 'SECONDLY' || message === 'You have reached your secondly limit.' ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING';
    const header = Number(e.headers?.['retry-after']);
    const retryAfterMs = Number.isFinite(header) && header > 0 ? header * 1000 : policy === 'SECONDLY' ? 1_000 : policy === 'DAILY' ? msUntilUtcMidnight() : 10_000;
    return new HubSpotRateLimited(policy, retryAfterMs, message);
  }
  if (status === 401 || status === 403) return new HubSpotAuthError(status, body.category ?? 'INVALID_AUTHENTICATION', message);
  if (status === 400) return new HubSpotBadRequest(body.category ?? 'VALIDATION_ERROR', message, e.body);
  if (status >= 500 || status === 0) return new HubSpotUnavailable(status, status === 0 ? `HubSpot unreachable: ${message}` : message);
  return error instanceof Error ? error : new Error(message);
}

/** HubSpot resets the daily limit at midnight in the account's time zone; UTC midnight is the safe lower bound we know. */
function msUntilUtcMidnight(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}
