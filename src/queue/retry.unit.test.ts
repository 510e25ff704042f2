import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, PREFLIGHT_RECHECK_MS, type RetryContext } from './retry.ts';
import { jitteredExponentialDelay } from './backoff.ts';

const now = Date.UTC(2026, 10, 24, 12);
const midnight = Date.UTC(2026, 10, 25);
const context: RetryContext = { now, hubspotDailyResetAt: () => midnight, random: () => 0 };

function named(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name }, fields);
}

describe('decideRetry', () => {
  it('HubSpot 10-second limit: waits for the rolling window (or Retry-After)', () => {
    expect(decideRetry(named('HubSpotRateLimited', { policy: 'TEN_SECONDLY_ROLLING' }), context)).toMatchObject({ action: 'delay', delayMs: 10_000 });
    expect(decideRetry(named('HubSpotRateLimited', { policy: 'TEN_SECONDLY_ROLLING', retryAfterMs: 3_000 }), context)).toMatchObject({ action: 'delay', delayMs: 3_000 });
  });

  it('HubSpot secondly limit: one second', () => {
    expect(decideRetry(named('HubSpotRateLimited', { policy: 'SECONDLY' }), context)).toMatchObject({ action: 'delay', delayMs: 1_000 });
  });

  it('HubSpot daily limit: pauses HubSpot work until the daily reset', () => {
    expect(decideRetry(named('HubSpotRateLimited', { policy: 'DAILY' }), context)).toEqual({
      action: 'pause-system', system: 'hubspot', untilMs: midnight, reason: 'hubspot-daily-limit',
    });
  });

  it('recognises the raw SDK exception by status code and body', () => {
    const sdk = Object.assign(new Error('HTTP-Code: 429'), { code: 429, body: { policyName: 'DAILY', errorType: 'RATE_LIMIT' } });
    expect(decideRetry(sdk, context).action).toBe('pause-system');
    const secondly = Object.assign(new Error('HTTP-Code: 429'), { code: 429, body: { message: 'You have reached your secondly limit.' } });
    expect(decideRetry(secondly, context)).toMatchObject({ action: 'delay', delayMs: 1_000 });
  });

  it('jitter adds to, never subtracts from, the vendor wait', () => {
    const late = decideRetry(named('HubSpotRateLimited', { policy: 'TEN_SECONDLY_ROLLING' }), { ...context, random: () => 0.999 });
    expect(late.action === 'delay' && late.delayMs).toBeGreaterThan(10_000);
    expect(late.action === 'delay' && late.delayMs).toBeLessThan(11_000);
  });

  it('Salesforce daily REQUEST_LIMIT_EXCEEDED pauses Salesforce; the concurrent one backs off briefly', () => {
    expect(decideRetry(named('SalesforceDailyLimit'), context)).toEqual({
      action: 'pause-system', system: 'salesforce', untilMs: now + 3_600_000, reason: 'salesforce-daily-limit',
    });
    expect(decideRetry(named('SalesforceDailyLimit'), { ...context, salesforceDailyPauseMs: 60_000 })).toMatchObject({ untilMs: now + 60_000 });
    const concurrent = decideRetry(named('SalesforceConcurrencyLimit'), context);
    expect(concurrent).toMatchObject({ action: 'delay', reason: 'salesforce-concurrent-limit' });
    expect(concurrent.action === 'delay' && concurrent.delayMs).toBeLessThanOrEqual(10_000);
  });

  it('reads the message of jsforce REQUEST_LIMIT_EXCEEDED errors to tell the two limits apart', () => {
    const daily = Object.assign(new Error('TotalRequests Limit exceeded.'), { name: 'REQUEST_LIMIT_EXCEEDED', errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    const concurrent = Object.assign(new Error('ConcurrentPerOrgLongTxn Limit exceeded.'), { name: 'REQUEST_LIMIT_EXCEEDED', errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(decideRetry(daily, context).action).toBe('pause-system');
    expect(decideRetry(concurrent, context).action).toBe('delay');
  });

  it('auth failures pause the queues; invalid records are never retried', () => {
    expect(decideRetry(named('HubSpotAuthError'), context)).toEqual({ action: 'pause-queues', system: 'hubspot', reason: 'hubspot-auth' });
    expect(decideRetry(named('SalesforceAuthError'), context)).toEqual({ action: 'pause-queues', system: 'salesforce', reason: 'salesforce-auth' });
    expect(decideRetry(named('InvalidRecord'), context).action).toBe('fail');
    expect(decideRetry({ kind: 'invalid-record' }, context).action).toBe('fail');
  });

  it('5xx and network failures back off exponentially', () => {
    expect(decideRetry(Object.assign(new Error('x'), { code: 503 }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(Object.assign(new Error('x'), { code: 'ECONNRESET' }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(new TypeError('fetch failed', { cause: Object.assign(new Error('s'), { code: 'UND_ERR_SOCKET' }) }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(named('UNABLE_TO_LOCK_ROW'), context)).toEqual({ action: 'backoff', reason: 'transient' });
  });

  it('an exhausted budget delays the job by the budget wait', () => {
    expect(decideRetry(named('BudgetExhausted', { waitMs: 42_000 }), context)).toMatchObject({ action: 'delay', delayMs: 42_000 });
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

  it('holds a job back while setup finds a blocking problem, without spending an attempt', () => {
    const blocked = Object.assign(new Error('setup finds 1 blocking problem'), { name: 'PreflightBlocked' });
    expect(decideRetry(blocked, { now: 0, hubspotDailyResetAt: () => 0 })).toEqual({ action: 'delay', delayMs: PREFLIGHT_RECHECK_MS, reason: 'setup-blocking-problem' });
  });
});
