import { describe, expect, it } from 'vitest';
import { decideRetry, type RetryContext } from './retry.ts';
import { SalesforceBudgetSpent } from './salesforce-gate.ts';

const now = Date.UTC(2026, 10, 27, 9);
const context: RetryContext = { now, hubspotDailyResetAt: () => now + 3_600_000, random: () => 0 };
const named = (name: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(name), { name }, fields);

describe('decideRetry: our own Salesforce budget and request deadlines', () => {
  it('a spent bulk share delays the bulk job only, for as long as the refusal said, while the hand-off reserve has calls left', () => {
    expect(decideRetry(new SalesforceBudgetSpent('bulk', 120_000, true), context)).toEqual({ action: 'delay', delayMs: 120_000, reason: 'salesforce-bulk-share-spent' });
  });

  it('once nothing is left (reserve spent, or none configured), Salesforce work pauses like on a daily REQUEST_LIMIT_EXCEEDED', () => {
    const pause = { action: 'pause-system', system: 'salesforce', untilMs: now + 120_000, reason: 'salesforce-daily-limit' };
    expect(decideRetry(new SalesforceBudgetSpent('handoff', 120_000), context)).toEqual(pause);
    expect(decideRetry(new SalesforceBudgetSpent('bulk', 120_000, false), context)).toEqual(pause);
    // A hand-off refusal never claims a reserve left.
    expect(decideRetry(new SalesforceBudgetSpent('handoff', 120_000, true), context)).toEqual(pause);
  });

  it('a request past its deadline backs off as a timeout; other Unavailable errors as transient', () => {
    expect(decideRetry(named('HubSpotUnavailable', { status: 0, timeoutMs: 30_000 }), context)).toEqual({ action: 'backoff', reason: 'timeout' });
    expect(decideRetry(named('SalesforceUnavailable', { timeoutMs: 30_000 }), context)).toEqual({ action: 'backoff', reason: 'timeout' });
    expect(decideRetry(named('HubSpotUnavailable', { status: 0 }), context)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(decideRetry(named('SalesforceUnavailable'), context)).toEqual({ action: 'backoff', reason: 'transient' });
  });
});
