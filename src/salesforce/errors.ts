/**
 * Named Salesforce failures, mapped once from jsforce's errors (`errorCode`, `message`), so the
 * queue layer (src/queue/retry.ts matches on `name`) decides what happens.
 */

/** 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded.": the org's daily allocation is spent. Pause Salesforce work. */
export class SalesforceDailyLimit extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 3_600_000) {
    super(message);
    this.name = 'SalesforceDailyLimit';
    this.retryAfterMs = retryAfterMs;
  }
}

/** REQUEST_LIMIT_EXCEEDED for concurrent long-running requests (same code, other message): back off briefly. */
export class SalesforceConcurrencyLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SalesforceConcurrencyLimit';
  }
}

/** The session cannot be restored (refresh failed, user inactive, app revoked): pause and alert. */
export class SalesforceAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalesforceAuthError';
  }
}

/** 5xx, network failures and timeouts: retry with backoff. */
export class SalesforceUnavailable extends Error {
  /** Set when the request hit its deadline (no answer at all). */
  readonly timeoutMs: number | undefined;
  constructor(message: string, options: { timeoutMs?: number } = {}) {
    super(message);
    this.name = 'SalesforceUnavailable';
    this.timeoutMs = options.timeoutMs;
  }
}

export function toSalesforceError(error: unknown): Error {
  const e = error as { errorCode?: string; name?: string; message?: string };
  const code = e?.errorCode ?? e?.name ?? '';
  const message = e?.message ?? String(error);
  if (error instanceof SalesforceAuthError || error instanceof SalesforceDailyLimit || error instanceof SalesforceConcurrencyLimit || error instanceof SalesforceUnavailable) return error;
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    // Same code for two limits: only the message tells the daily allocation from concurrency (API_NOTES §11).
    return /TotalRequests/i.test(message) ? new SalesforceDailyLimit(message) : new SalesforceConcurrencyLimit(message);
  }
  // jsforce wraps a failed refreshFn as "Unable to refresh session due to: <message>", losing the
  // class: a login that got no usable answer (connection.ts LOGIN_UNAVAILABLE) is retried, not paused.
  if (/Salesforce login unavailable/.test(message)) return new SalesforceUnavailable(message);
  // jsforce wraps a failed refreshFn as "Unable to refresh session due to: ...".
  if (code === 'INVALID_SESSION_ID' || code === 'invalid_grant' || code === 'INVALID_AUTH_HEADER' || /Unable to refresh session/i.test(message)) return new SalesforceAuthError(message);
  if (/^ERROR_HTTP_5\d\d$/.test(code) || ['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW'].includes(code) || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket/i.test(message)) {
    return new SalesforceUnavailable(message);
  }
  return error instanceof Error ? error : new Error(message);
}
