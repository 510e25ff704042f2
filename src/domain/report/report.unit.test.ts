import { describe, expect, it } from 'vitest';
import { buildReport, decileLabel, outOfOrder, ratio, returnOf } from './build.ts';
import { showSources } from './shows.ts';
import type { RawReport } from './types.ts';

const EMPTY: RawReport = {
  handoffs: [],
  opportunities: [],
  revenue: [],
  scored: [],
  sourceCampaigns: [],
  campaignCosts: [],
  lossReasons: [],
  competitors: [],
  sla: [],
  calibration: [],
  opportunitiesWithoutHandoff: 0,
};
const OPTIONS = { window: { since: null, until: null }, dimensions: ['source', 'show'] as const, costs: {}, scoreScale: 100 };

describe('ratio', () => {
  it('is null with nothing to divide by, else rounded to four decimals', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(0, 5)).toBe(0);
  });
});

describe('outOfOrder', () => {
  it('flags a band below the nearest band beneath it that has a rate, skipping bands without one', () => {
    expect(outOfOrder([0.1, 0.3, 0.2])).toEqual([false, false, true]);
    expect(outOfOrder([0.4, null, 0.3])).toEqual([false, false, true]);
    expect(outOfOrder([null, 0.2, 0.2, 0.5])).toEqual([false, false, false, false]);
    expect(outOfOrder([0.5, 0.1, 0.3])).toEqual([false, true, false]);
  });
});

describe('decileLabel', () => {
  it('names the integer scores of each tenth of the scale, the top one including the top', () => {
    expect(decileLabel(0, 100)).toBe('0–9');
    expect(decileLabel(9, 100)).toBe('90–100');
    expect(decileLabel(3, 150)).toBe('45–59');
  });
});

describe('returnOf', () => {
  it('gives cost per won deal and revenue per unit of cost', () => {
    expect(returnOf({ key: 'Expo', won: 4, revenue: { corporate: 50_000 } }, { amount: 20_000, from: 'campaign' })).toEqual({
      key: 'Expo',
      cost: 20_000,
      costFrom: 'campaign',
      won: 4,
      revenue: { corporate: 50_000 },
      costPerWon: 5_000,
      revenuePerCost: 2.5,
    });
  });
  it('never adds currencies: revenue in two gives no ratio', () => {
    expect(returnOf({ key: 'Expo', won: 2, revenue: { USD: 1, EUR: 1 } }, { amount: 10, from: 'config' }).revenuePerCost).toBeNull();
  });
  it('without a cost, or a zero cost, or no win: no ratio instead of a division by zero', () => {
    expect(returnOf({ key: 'x', won: 0, revenue: {} }, null)).toMatchObject({ cost: null, costPerWon: null, revenuePerCost: null });
    expect(returnOf({ key: 'x', won: 0, revenue: {} }, { amount: 0, from: 'config' })).toMatchObject({ costPerWon: null, revenuePerCost: null });
  });
});

describe('showSources', () => {
  it('is trade_show and every lead source mapped to the same Salesforce LeadSource', () => {
    expect(showSources({ trade_show: 'Trade Show', event: 'Trade Show', webinar: 'Webinar' })).toEqual(['event', 'trade_show']);
    expect(showSources({})).toEqual(['trade_show']);
  });
});

describe('buildReport', () => {
  it('an empty ledger: every chosen section present, empty', () => {
    expect(buildReport(EMPTY, OPTIONS)).toEqual({
      window: { since: null, until: null },
      funnel: { source: [], show: [] },
      return: { source: [], show: [] },
      winLoss: { lossReasons: [], competitors: [] },
      sla: { byOwner: [], byTeam: [] },
      calibration: [],
      opportunitiesWithoutHandoff: 0,
    });
  });

  it('joins the groups of a dimension into rows, sorted by hand-offs; owner rows have no scored column', () => {
    const report = buildReport(
      {
        ...EMPTY,
        handoffs: [
          { dimension: 'source', key: 'web', handedOff: 1, sql: 1 },
          { dimension: 'source', key: 'show', handedOff: 5, sql: 2 },
          { dimension: 'owner', key: 'U1', handedOff: 6, sql: 3 },
        ],
        scored: [{ dimension: 'source', key: 'ads', scored: 9, mql: 0 }],
        opportunities: [{ dimension: 'source', key: 'show', opportunities: 3, open: 1, won: 1, lost: 1, medianDaysToClose: 12.345 }],
        revenue: [
          { dimension: 'source', key: 'show', currency: 'EUR', amount: 100 },
          { dimension: 'source', key: 'show', currency: 'USD', amount: 50.5 },
        ],
      },
      { ...OPTIONS, dimensions: ['source', 'owner'] },
    );
    expect(report.funnel.source?.map((r) => r.key)).toEqual(['show', 'web', 'ads']);
    expect(report.funnel.source?.[0]).toMatchObject({ scored: 0, handedOff: 5, sql: 2, won: 1, lost: 1, winRate: 0.5, medianDaysToClose: 12.3, revenue: { EUR: 100, USD: 50.5 } });
    expect(report.funnel.owner?.[0]).toMatchObject({ key: 'U1', scored: null, mql: null, handedOff: 6 });
    expect(report.return).toEqual({ source: expect.any(Array) });
  });

  it('costs a source by sync.yaml first, else by its share of its campaigns Salesforce knows (split by hand-offs); a campaign by Salesforce first', () => {
    const raw: RawReport = {
      ...EMPTY,
      handoffs: [
        { dimension: 'source', key: 'event', handedOff: 3, sql: 0 },
        { dimension: 'source', key: 'trade_show', handedOff: 2, sql: 0 },
        { dimension: 'source', key: 'webinar', handedOff: 1, sql: 0 },
        { dimension: 'show', key: 'Expo', handedOff: 1, sql: 0 },
        { dimension: 'show', key: 'Fair', handedOff: 1, sql: 0 },
      ],
      sourceCampaigns: [
        // Expo: 1 hand-off from trade_show, 3 from event; Fair: 1 from trade_show.
        { source: 'trade_show', campaign: 'Expo', handedOff: 1 },
        { source: 'event', campaign: 'Expo', handedOff: 3 },
        { source: 'trade_show', campaign: 'Fair', handedOff: 1 },
      ],
      campaignCosts: [
        { name: 'Expo', cost: 1_000 },
        { name: 'Fair', cost: 500 },
      ],
    };
    const report = buildReport(raw, { ...OPTIONS, costs: { webinar: 300, Fair: 9_999 } });
    expect(report.return.source?.map((r) => [r.key, r.cost, r.costFrom])).toEqual([
      // Three quarters of Expo's 1,000; a quarter of it and Fair's 500.
      ['event', 750, 'campaigns'],
      ['trade_show', 750, 'campaigns'],
      ['webinar', 300, 'config'],
    ]);
    expect(report.return.show?.map((r) => [r.key, r.cost, r.costFrom])).toEqual([
      ['Expo', 1_000, 'campaign'],
      ['Fair', 500, 'campaign'],
    ]);
  });
});
