import { describe, expect, it } from 'vitest';
import { decideRetry, type RetryContext } from './retry.ts';
import { BudgetSpent, Unavailable } from '../errors/index.ts';

const now = Date.UTC(2026, 10, 27, 9);
const context: RetryContext = { now, hubspotDailyResetAt: () => now + 3_600_000, random: () => 0 };

describe('decideRetry: our own Salesforce budget and request deadlines', () => {
  it('a spent bulk share delays the bulk job only, for as long as the refusal said, while the hand-off reserve has calls left', () => {
    expect(decideRetry(new BudgetSpent('bulk', 120_000, true), context)).toEqual({ action: 'delay', delayMs: 120_000, reason: 'salesforce-bulk-share-spent' });
  });

  it('once nothing is left (reserve spent, or none configured), Salesforce work pauses like on a daily REQUEST_LIMIT_EXCEEDED', () => {
    const pause = { action: 'pause-system', system: 'salesforce', untilMs: now + 120_000, reason: 'salesforce-daily-limit' };
    expect(decideRetry(new BudgetSpent('handoff', 120_000), context)).toEqual(pause);
    expect(decideRetry(new BudgetSpent('bulk', 120_000, false), context)).toEqual(pause);
    // A hand-off refusal never claims a reserve left.
    expect(decideRetry(new BudgetSpent('handoff', 120_000, true), context)).toEqual(pause);
  });

  it('a request past its deadline backs off as a timeout; other Unavailable errors as transient', () => {
    expect(decideRetry(new Unavailable('hubspot', 'no answer', { timeoutMs: 30_000 }), context)).toEqual({ action: 'backoff', reason: 'timeout' });
    expect(decideRetry(new Unavailable('salesforce', 'no answer', { timeoutMs: 30_000 }), context)).toEqual({ action: 'backoff', reason: 'timeout' });
    expect(decideRetry(new Unavailable('hubspot', 'HTTP 502', { status: 502 }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(new Unavailable('salesforce', 'ECONNRESET'), context)).toEqual({ action: 'backoff', reason: 'transient' });
  });
});
