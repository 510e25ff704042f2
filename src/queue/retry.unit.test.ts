import { describe, expect, it } from 'vitest';
import { EnvInvalid } from '../config/env.ts';
import { AuthFailed, BudgetWaitTooLong, ConcurrencyLimit, DailyLimit, LeaseHeld, LeaseLost, RateLimited, RequestRefused, ShutdownRequested, Unavailable } from '../errors/index.ts';
import { PreflightBlocked } from '../pipeline/preflight.ts';
import { backoffDelay, decideRetry, PREFLIGHT_RECHECK_MS, type RetryContext } from './retry.ts';
import { jitteredExponentialDelay } from './backoff.ts';

const now = Date.UTC(2026, 10, 24, 12);
const midnight = Date.UTC(2026, 10, 25);
const context: RetryContext = { now, hubspotDailyResetAt: () => midnight, random: () => 0 };

describe('decideRetry: a switch on the error code', () => {
  it("RATE_LIMITED waits the vendor's window (10 s rolling, or 1 s for search), or its Retry-After", () => {
    expect(decideRetry(new RateLimited('hubspot', 'TEN_SECONDLY_ROLLING', 10_000), context)).toMatchObject({ action: 'delay', delayMs: 10_000, reason: 'hubspot-ten-secondly-limit' });
    expect(decideRetry(new RateLimited('hubspot', 'TEN_SECONDLY_ROLLING', 3_000), context)).toMatchObject({ action: 'delay', delayMs: 3_000 });
    expect(decideRetry(new RateLimited('hubspot', 'SECONDLY', 1_000), context)).toMatchObject({ action: 'delay', delayMs: 1_000, reason: 'hubspot-secondly-limit' });
  });

  it('DAILY_LIMIT pauses that system: HubSpot until its daily reset, Salesforce for the configured pause (or the resume time given)', () => {
    expect(decideRetry(new DailyLimit('hubspot'), context)).toEqual({ action: 'pause-system', system: 'hubspot', untilMs: midnight, reason: 'hubspot-daily-limit' });
    expect(decideRetry(new DailyLimit('salesforce'), context)).toEqual({ action: 'pause-system', system: 'salesforce', untilMs: now + 3_600_000, reason: 'salesforce-daily-limit' });
    expect(decideRetry(new DailyLimit('salesforce'), { ...context, salesforceDailyPauseMs: 60_000 })).toMatchObject({ untilMs: now + 60_000 });
    expect(decideRetry(new DailyLimit('salesforce', now + 5_000), context)).toMatchObject({ untilMs: now + 5_000 });
  });

  it('jitter adds to, never subtracts from, the vendor wait', () => {
    const late = decideRetry(new RateLimited('hubspot', 'TEN_SECONDLY_ROLLING', 10_000), { ...context, random: () => 0.999 });
    expect(late.action === 'delay' && late.delayMs).toBeGreaterThan(10_000);
    expect(late.action === 'delay' && late.delayMs).toBeLessThan(11_000);
  });

  it('CONCURRENCY_LIMIT backs off briefly, no pause', () => {
    const concurrent = decideRetry(new ConcurrencyLimit('salesforce'), context);
    expect(concurrent).toMatchObject({ action: 'delay', reason: 'salesforce-concurrent-limit' });
    expect(concurrent.action === 'delay' && concurrent.delayMs).toBeLessThanOrEqual(10_000);
  });

  it('AUTH_FAILED pauses the queues for a person; ENV_INVALID and CONFIG_INVALID are never retried', () => {
    expect(decideRetry(new AuthFailed('hubspot', 'INVALID_AUTHENTICATION', { status: 401 }), context)).toEqual({ action: 'pause-queues', system: 'hubspot', reason: 'hubspot-auth' });
    expect(decideRetry(new AuthFailed('salesforce', 'invalid_grant'), context)).toEqual({ action: 'pause-queues', system: 'salesforce', reason: 'salesforce-auth' });
    expect(decideRetry(new EnvInvalid(['HUBSPOT_ACCESS_TOKEN is required']), context).action).toBe('fail');
  });

  it('UNAVAILABLE and REQUEST_REFUSED spend an attempt and back off; anything unnamed too', () => {
    expect(decideRetry(new Unavailable('hubspot', 'HTTP 503', { status: 503 }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(new RequestRefused('salesforce', 'MALFORMED_QUERY'), context)).toEqual({ action: 'backoff', reason: 'refused' });
    expect(decideRetry(new TypeError('x is not a function'), context)).toEqual({ action: 'backoff', reason: 'unexpected' });
    expect(decideRetry({ name: 'RateLimited', code: 'RATE_LIMITED' }, context)).toEqual({ action: 'backoff', reason: 'unexpected' });
  });

  it('budget, lease and shutdown codes delay without spending an attempt', () => {
    expect(decideRetry(new BudgetWaitTooLong('hubspot', 42_000), context)).toMatchObject({ action: 'delay', delayMs: 42_000 });
    expect(decideRetry(new LeaseHeld('sync-leads'), context)).toMatchObject({ action: 'delay', reason: 'lease-unavailable' });
    expect(decideRetry(new LeaseLost('sync-leads'), context)).toEqual({ action: 'delay', delayMs: 0, reason: 'released' });
    expect(decideRetry(new ShutdownRequested('stopping'), context)).toEqual({ action: 'delay', delayMs: 0, reason: 'released' });
  });

  it('a blocking setup problem looks again after the preflight cache expires', () => {
    expect(decideRetry(new PreflightBlocked([]), context)).toEqual({ action: 'delay', delayMs: PREFLIGHT_RECHECK_MS, reason: 'setup-blocking-problem' });
  });
});

describe('backoff', () => {
  it('doubles per attempt within [half, full] of the ceiling, capped', () => {
    const options = { baseMs: 1_000, capMs: 10_000 };
    expect(jitteredExponentialDelay(1, options, () => 0)).toBe(500);
    expect(jitteredExponentialDelay(1, options, () => 0.999999)).toBe(999);
    expect(jitteredExponentialDelay(3, options, () => 0)).toBe(2_000);
    expect(jitteredExponentialDelay(10, options, () => 0)).toBe(5_000);
    expect(jitteredExponentialDelay(10, options, () => 0.999999)).toBe(9_999);
  });

  it('spreads jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
