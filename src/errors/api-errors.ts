import { LeadloopError } from './leadloop-error.ts';

type ApiSystem = 'hubspot' | 'salesforce';

const LABEL: Record<ApiSystem, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/** RATE_LIMITED: a short-window limit; the call may go again after `retryAfterMs`. */
export class RateLimited extends LeadloopError {
  override readonly name = 'RateLimited';
  readonly code = 'RATE_LIMITED' as const;
  readonly system: ApiSystem;
  /** HubSpot's policyName: TEN_SECONDLY_ROLLING frees within 10 s, SECONDLY (search) within 1 s. */
  readonly policy: string;
  readonly retryAfterMs: number;
  constructor(system: ApiSystem, policy: string, retryAfterMs: number) {
    super(`${LABEL[system]} rate limit ${policy}: retry after ${retryAfterMs} ms`);
    this.system = system;
    this.policy = policy;
    this.retryAfterMs = retryAfterMs;
  }
}

/** DAILY_LIMIT: the daily allocation is spent; work on `system` waits until `resumeAt` (epoch ms). */
export class DailyLimit extends LeadloopError {
  override readonly name = 'DailyLimit';
  readonly code = 'DAILY_LIMIT' as const;
  readonly system: ApiSystem;
  /** When to try again; undefined: the retry policy's default pause (HubSpot: midnight in the account's zone). */
  readonly resumeAt: number | undefined;
  constructor(system: ApiSystem, resumeAt?: number) {
    super(`${LABEL[system]} daily API limit reached`);
    this.system = system;
    this.resumeAt = resumeAt;
  }
}

/** CONCURRENCY_LIMIT: too many concurrent long-running Salesforce requests; frees within seconds. */
export class ConcurrencyLimit extends LeadloopError {
  override readonly name = 'ConcurrencyLimit';
  readonly code = 'CONCURRENCY_LIMIT' as const;
  readonly system: ApiSystem;
  constructor(system: ApiSystem) {
    super(`${LABEL[system]} concurrent request limit reached`);
    this.system = system;
  }
}

/** AUTH_FAILED: the credentials were refused; `reason` is a vendor code or our own words, never a token. */
export class AuthFailed extends LeadloopError {
  override readonly name = 'AuthFailed';
  readonly code = 'AUTH_FAILED' as const;
  readonly system: ApiSystem;
  readonly status: number;
  readonly reason: string;
  constructor(system: ApiSystem, reason: string, options: { status?: number; cause?: unknown } = {}) {
    super(`${LABEL[system]} refused the credentials: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.system = system;
    this.status = options.status ?? 0;
    this.reason = reason;
  }
}

/** UNAVAILABLE: no usable answer (5xx, network, or past the deadline when `timeoutMs` is set). */
export class Unavailable extends LeadloopError {
  override readonly name = 'Unavailable';
  readonly code = 'UNAVAILABLE' as const;
  readonly system: ApiSystem;
  /** HTTP status, 0 when there was no answer. */
  readonly status: number;
  /** Set when the request got no answer within its deadline. */
  readonly timeoutMs: number | undefined;
  constructor(system: ApiSystem, detail: string, options: { status?: number; timeoutMs?: number } = {}) {
    super(`${LABEL[system]} unavailable: ${detail}`);
    this.system = system;
    this.status = options.status ?? 0;
    this.timeoutMs = options.timeoutMs;
  }
}

/** REQUEST_REFUSED: the vendor refused the request itself; `vendorCode` (HubSpot category, Salesforce errorCode) and `fields` say why. */
export class RequestRefused extends LeadloopError {
  override readonly name = 'RequestRefused';
  readonly code = 'REQUEST_REFUSED' as const;
  readonly system: ApiSystem;
  readonly status: number;
  readonly vendorCode: string;
  /** Field or property names the vendor named (never their values). */
  readonly fields: readonly string[];
  constructor(system: ApiSystem, vendorCode: string, options: { status?: number; fields?: readonly string[]; what?: string } = {}) {
    const fields = options.fields ?? [];
    super(`${LABEL[system]} refused ${options.what ?? 'the request'}: ${vendorCode}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`);
    this.system = system;
    this.status = options.status ?? 0;
    this.vendorCode = vendorCode;
    this.fields = fields;
  }
}
