/**
 * Every failure leadloop names, as a closed set of codes. An adapter classifies a vendor's answer
 * into one of them, once, where it saw it; the queue's retry policy (src/queue/retry.ts) is one
 * switch on the code. Messages carry codes, field names and ids only: vendor messages can quote
 * record values (an email in a SOQL filter, a value too long), which must not reach logs,
 * dead letters or BullMQ's failedReason.
 */
export type ErrorCode =
  /** A vendor's short-window limit (HubSpot's rolling 10 s or per-second search limit): wait `retryAfterMs`, nothing is lost. */
  | 'RATE_LIMITED'
  /** A vendor's daily allocation is spent (HubSpot 429 DAILY, Salesforce 403 REQUEST_LIMIT_EXCEEDED "TotalRequests"): pause that system until `resumeAt`. */
  | 'DAILY_LIMIT'
  /** Salesforce's concurrent long-running request limit (REQUEST_LIMIT_EXCEEDED, other message): back off for seconds. */
  | 'CONCURRENCY_LIMIT'
  /** Credentials refused: revoked or expired token, missing scope, a login or refresh refused. A person must act: pause and alert. */
  | 'AUTH_FAILED'
  /** No usable answer: 5xx, a network failure, or no answer within the request deadline (`timeoutMs`). Retry with backoff. */
  | 'UNAVAILABLE'
  /** The vendor refused the whole request (HubSpot 400, a Salesforce error that is not a limit or auth). `vendorCode` and `fields` say why. */
  | 'REQUEST_REFUSED'
  /** leadloop's own share of the Salesforce daily allocation is spent for a lane (sync.yaml budgets); the call was not sent. */
  | 'BUDGET_SPENT'
  /** A budget wait is longer than a job may sleep: delay the job by `waitMs` instead. */
  | 'BUDGET_WAIT_TOO_LONG'
  /** Another run holds the lease of this work (a second sync, a `--once` run beside the worker). */
  | 'LEASE_HELD'
  /** The lease expired or was taken while the work ran: stop writing. */
  | 'LEASE_LOST'
  /** `leadloop setup` finds a blocking problem: nothing may be written until a person fixes it. */
  | 'PREFLIGHT_BLOCKED'
  /** The process is shutting down: running work goes back to the queue as it is. */
  | 'SHUTDOWN'
  /** The ledger database cannot be reached or used. */
  | 'LEDGER_UNAVAILABLE'
  /** A config file is invalid (file, line, path and reason in the message). */
  | 'CONFIG_INVALID'
  /** Environment variables are missing or malformed. */
  | 'ENV_INVALID';

/** Where the failure was seen. */
export type ErrorSystem = 'hubspot' | 'salesforce' | 'leadloop';

/** The base of every named leadloop failure; see ErrorCode for what each code means and what happens. */
export abstract class LeadloopError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly system: ErrorSystem;
}

/** Whether `error` is one of leadloop's named failures (with a code). */
export function isLeadloopError(error: unknown): error is LeadloopError {
  return error instanceof LeadloopError;
}
