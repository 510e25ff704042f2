import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BudgetRequestTooLarge, decideAllowance, decideWindow, hubspotDailyAllowance, nextMidnightIn, parseSforceLimitInfo, salesforceDailyAllowance, type WindowEntry } from './budget-math.ts';

const tenSeconds = { windowMs: 10_000, limit: 180, reserved: 36 };

describe('decideWindow (rolling window)', () => {
  it('grants while the calls of the last window plus the request fit', () => {
    const entries = [
      { at: 1_000, n: 100 },
      { at: 5_000, n: 40 },
    ];
    expect(decideWindow(tenSeconds, entries, 4, 'bulk', 9_000)).toEqual({ granted: true, remaining: 0 });
    expect(decideWindow(tenSeconds, entries, 5, 'bulk', 9_000)).toEqual({ granted: false, waitMs: 2_000 });
  });

  it('lets hand-offs use the reserved share that bulk work may not touch', () => {
    const entries = [{ at: 0, n: 144 }];
    expect(decideWindow(tenSeconds, entries, 1, 'bulk', 500).granted).toBe(false);
    expect(decideWindow(tenSeconds, entries, 36, 'handoff', 500)).toEqual({ granted: true, remaining: 0 });
    expect(decideWindow(tenSeconds, entries, 37, 'handoff', 500).granted).toBe(false);
  });

  it('waits exactly until enough of the oldest grants have left the window', () => {
    const entries = [
      { at: 3_000, n: 60 },
      { at: 1_000, n: 60 },
      { at: 2_000, n: 24 },
    ];
    // bulk allowance 144, all used: freeing 70 needs the entries of t=1000 and t=2000.
    expect(decideWindow(tenSeconds, entries, 70, 'bulk', 4_000)).toEqual({ granted: false, waitMs: 8_000 });
  });

  it('forgets grants older than the window', () => {
    expect(decideWindow(tenSeconds, [{ at: 0, n: 144 }], 144, 'bulk', 10_000).granted).toBe(true);
    expect(decideWindow(tenSeconds, [{ at: 1, n: 144 }], 144, 'bulk', 10_000).granted).toBe(false);
  });

  it('refuses a request that can never fit', () => {
    expect(() => decideWindow(tenSeconds, [], 145, 'bulk', 0)).toThrow(BudgetRequestTooLarge);
  });

  it('never lets any window hold more than the allowance, however requests arrive', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gap: fc.integer({ min: 0, max: 700 }), n: fc.integer({ min: 1, max: 20 }), handoff: fc.boolean() }), { maxLength: 300 }), (requests) => {
        const granted: WindowEntry[] = [];
        let now = 0;
        for (const r of requests) {
          now += r.gap;
          const decision = decideWindow(tenSeconds, granted, r.n, r.handoff ? 'handoff' : 'bulk', now);
          if (decision.granted) granted.push({ at: now, n: r.n });
          else expect(decision.waitMs).toBeGreaterThan(0);
        }
        for (const g of granted) {
          const inWindow = granted.filter((e) => e.at > g.at - tenSeconds.windowMs && e.at <= g.at);
          expect(inWindow.reduce((s, e) => s + e.n, 0)).toBeLessThanOrEqual(tenSeconds.limit);
        }
      }),
    );
  });

  it('a refused request fits once its wait has passed (if nothing else was granted)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 9_999 }), n: fc.integer({ min: 1, max: 30 }) }), { maxLength: 40 }), fc.integer({ min: 1, max: 144 }), (entries, n) => {
        const decision = decideWindow(tenSeconds, entries, n, 'bulk', 10_000);
        if (decision.granted) return;
        const later = 10_000 + decision.waitMs;
        expect(decideWindow(tenSeconds, entries, n, 'bulk', later).granted).toBe(true);
        expect(decideWindow(tenSeconds, entries, n, 'bulk', later - 1).granted).toBe(false);
      }),
    );
  });
});

describe('decideAllowance (daily)', () => {
  const state = { remaining: 100, reserved: 30, resetAt: 50_000 };

  it('keeps the reserve for hand-offs', () => {
    expect(decideAllowance(state, 70, 'bulk', 0)).toEqual({ granted: true, remaining: 0 });
    expect(decideAllowance(state, 71, 'bulk', 0)).toEqual({ granted: false, waitMs: 50_000 });
    expect(decideAllowance(state, 100, 'handoff', 0)).toEqual({ granted: true, remaining: 0 });
  });

  it('does not limit once the reading is past its reset or was never seeded', () => {
    expect(decideAllowance(state, 1_000, 'bulk', 50_000).granted).toBe(true);
    expect(decideAllowance(null, 1_000, 'bulk', 0).granted).toBe(true);
  });
});

describe('vendor readings', () => {
  it('HubSpot daily: remaining minus the margin, reserve from the limit, reset at account midnight', () => {
    const now = Date.UTC(2026, 10, 24, 15, 30);
    const state = hubspotDailyAllowance({ limit: 650_000, remaining: 20_000, safetyMargin: 1_000, handoffShare: 0.05, timeZone: 'UTC', now });
    expect(state).toEqual({ remaining: 19_000, reserved: 32_500, resetAt: Date.UTC(2026, 10, 25) });
  });

  it('midnight in the account time zone, also across a DST change', () => {
    // 2026-11-24 15:30 UTC is 10:30 in New York (EST, UTC-5): next midnight is 05:00 UTC.
    expect(nextMidnightIn('America/New_York', Date.UTC(2026, 10, 24, 15, 30))).toBe(Date.UTC(2026, 10, 25, 5));
    // 2026-03-08 is the spring-forward day in New York: midnight of the 9th is 04:00 UTC (EDT).
    expect(nextMidnightIn('America/New_York', Date.UTC(2026, 2, 8, 12))).toBe(Date.UTC(2026, 2, 9, 4));
    expect(nextMidnightIn('Europe/Berlin', Date.UTC(2026, 6, 1, 21, 59, 59, 500))).toBe(Date.UTC(2026, 6, 1, 22));
  });

  it('Salesforce: leadloop stops when the org reaches its share of the allocation', () => {
    const state = salesforceDailyAllowance({ used: 10_018, limit: 100_000, share: 0.5, handoffShare: 0.1, staleAfterMs: 900_000, now: 1_000 });
    expect(state).toEqual({ remaining: 39_982, reserved: 5_000, resetAt: 901_000 });
    expect(salesforceDailyAllowance({ used: 60_000, limit: 100_000, share: 0.5, handoffShare: 0.1, staleAfterMs: 1, now: 0 }).remaining).toBe(0);
  });

  it('Salesforce: a reading that says the bulk share is spent counts a minute, then the next call reads the usage again', () => {
    const spent = salesforceDailyAllowance({ used: 46_000, limit: 100_000, share: 0.5, handoffShare: 0.1, staleAfterMs: 900_000, now: 1_000 });
    expect(spent).toEqual({ remaining: 4_000, reserved: 5_000, resetAt: 61_000 });
    expect(decideAllowance(spent, 1, 'bulk', 60_999)).toEqual({ granted: false, waitMs: 1 });
    expect(decideAllowance(spent, 1, 'bulk', 61_000)).toMatchObject({ granted: true });
  });

  it('parses Sforce-Limit-Info with or without api-bursts', () => {
    expect(parseSforceLimitInfo('api-usage=10018/100000')).toEqual({ used: 10_018, limit: 100_000 });
    expect(parseSforceLimitInfo('api-usage=25/15000; api-bursts=1/750')).toEqual({ used: 25, limit: 15_000 });
    expect(parseSforceLimitInfo('api-bursts=1/750')).toBeNull();
  });
});
