import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../../../test/support/postgres.ts';
import { REPORT_FIXTURE_NOW, seedReportFixture } from '../../../test/support/report-fixture.ts';
import { buildReport } from '../../domain/report/build.ts';
import { type ClosedLoopReport, DIMENSIONS, type FunnelRow } from '../../domain/report/types.ts';
import { type Ledger, openLedger } from '../ledger.ts';
import { recordScores } from '../recordScores.ts';
import { readReport } from './readReport.ts';

const SHOW_SOURCES = ['event', 'trade_show'];
// sync.yaml report.costs: a source without a campaign, and a show whose Salesforce campaign has no ActualCost.
const COSTS = { web_form: 4_000, 'Expo B': 2_500 };

async function report(ledger: Ledger, window: { since?: string; until?: string } = {}): Promise<ClosedLoopReport> {
  const since = window.since ? new Date(window.since) : null;
  const until = window.until ? new Date(window.until) : null;
  const raw = await readReport(ledger.db, { since, until, now: REPORT_FIXTURE_NOW, showSources: SHOW_SOURCES, scoreScale: 100 });
  return buildReport(raw, { window: { since: since?.toISOString() ?? null, until: until?.toISOString() ?? null }, dimensions: DIMENSIONS, costs: COSTS, scoreScale: 100 });
}

const funnelRow = (key: string, f: Partial<FunnelRow>): FunnelRow => ({
  key,
  scored: null,
  mql: null,
  handedOff: 0,
  sql: 0,
  opportunities: 0,
  open: 0,
  won: 0,
  lost: 0,
  revenue: {},
  winRate: null,
  medianDaysToClose: null,
  ...f,
});

/**
 * The figures of test/support/report-fixture.ts, worked out by hand. Per hand-off:
 *   H1 c1 trade_show/Expo A U1 East warm 65 v1 mql — accepted 07-03 (before H5) — O1 won 10,000, 20 days
 *   H2 c2 trade_show/Expo A U2 West warm 55 v1 mql — disqualified — O2 lost (Price, 10 d), O4 won 20,000 (32 d; O4 links c4 and c2, c2's hand-off is earlier)
 *   H3 c3 webinar/Webinar X U1 East cold 25 v1 — accepted — O3 lost (No budget, 5 d)
 *   H4 c4 web_form U2 West hot 75 v1 mql — accepted only before H4: not SQL — O6 lost (Price, 20 d)
 *   H5 c1 web_form U1 East warm 60 v2 mql — accepted 08-20 — no opportunity (O1 belongs to c1's earliest hand-off)
 *   H6 c5 trade_show/Expo B U2 (clock: U3) West warm 45 v2 — accepted — O5 open
 * O7 deleted (nowhere), O8 unlinked and O9 on a contact never handed off: the two without a hand-off.
 */
function fixtureContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await open();
    await seedReportFixture(ledger.db);
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('funnel by source, campaign and show: scored, MQL, hand-offs (c1 counts twice), SQL, opportunities, won, revenue, win rate, median days to close', async () => {
    const r = await report(ledger);
    expect(r.funnel.source).toEqual([
      // H1 H2 H6; scored c2 c5 c6 (MQL c2); O1 won, O2 lost, O4 won, O5 open; 2/3; median of 20, 10, 32 days.
      funnelRow('trade_show', { scored: 3, mql: 1, handedOff: 3, sql: 2, opportunities: 4, open: 1, won: 2, lost: 1, revenue: { corporate: 30_000 }, winRate: 0.6667, medianDaysToClose: 20 }),
      // H4 H5; scored c1 c4, both MQL; O6 lost after 20 days.
      funnelRow('web_form', { scored: 2, mql: 2, handedOff: 2, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 20 }),
      funnelRow('webinar', { scored: 2, mql: 1, handedOff: 1, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 5 }),
      // c8: scored, no source, never handed off.
      funnelRow('(none)', { scored: 1, mql: 0 }),
    ]);
    expect(r.funnel.campaign).toEqual([
      // Two hand-offs each; (none) has more scored contacts (c1 c4 c8).
      funnelRow('(none)', { scored: 3, mql: 2, handedOff: 2, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 20 }),
      funnelRow('Expo A', { scored: 2, mql: 1, handedOff: 2, sql: 1, opportunities: 3, won: 2, lost: 1, revenue: { corporate: 30_000 }, winRate: 0.6667, medianDaysToClose: 20 }),
      funnelRow('Webinar X', { scored: 2, mql: 1, handedOff: 1, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 5 }),
      funnelRow('Expo B', { scored: 1, mql: 0, handedOff: 1, sql: 1, opportunities: 1, open: 1 }),
    ]);
    expect(r.funnel.show).toEqual([
      funnelRow('Expo A', { scored: 2, mql: 1, handedOff: 2, sql: 1, opportunities: 3, won: 2, lost: 1, revenue: { corporate: 30_000 }, winRate: 0.6667, medianDaysToClose: 20 }),
      funnelRow('Expo B', { scored: 1, mql: 0, handedOff: 1, sql: 1, opportunities: 1, open: 1 }),
    ]);
    // By owner at hand-off (H6 is U2's though its clock is U3's), and by team; no scored column there.
    expect(r.funnel.owner).toEqual([
      funnelRow('u1@fixture.example', { handedOff: 3, sql: 3, opportunities: 2, won: 1, lost: 1, revenue: { corporate: 10_000 }, winRate: 0.5, medianDaysToClose: 12.5 }),
      funnelRow('u2@fixture.example', { handedOff: 3, sql: 1, opportunities: 4, open: 1, won: 1, lost: 2, revenue: { corporate: 20_000 }, winRate: 0.3333, medianDaysToClose: 20 }),
    ]);
    expect(r.funnel.team?.map((t) => [t.key, t.handedOff, t.sql, t.won, t.lost])).toEqual([
      ['East', 3, 3, 1, 1],
      ['West', 3, 1, 1, 2],
    ]);
    expect(r.opportunitiesWithoutHandoff).toBe(2);
  });

  it('return: the campaign cost from Salesforce, a source cost from sync.yaml or its campaigns, cost per won deal and revenue per unit of cost', async () => {
    const r = await report(ledger);
    expect(r.return.source).toEqual([
      // No configured cost: its campaigns' (Expo A 15,000; Expo B has none). 15,000 / 2 won; 30,000 / 15,000.
      { key: 'trade_show', cost: 15_000, costFrom: 'campaigns', won: 2, revenue: { corporate: 30_000 }, costPerWon: 7_500, revenuePerCost: 2 },
      { key: 'web_form', cost: 4_000, costFrom: 'config', won: 0, revenue: {}, costPerWon: null, revenuePerCost: 0 },
      // Webinar X is two Salesforce campaigns: its cost is not guessed.
      { key: 'webinar', cost: null, costFrom: null, won: 0, revenue: {}, costPerWon: null, revenuePerCost: null },
      { key: '(none)', cost: null, costFrom: null, won: 0, revenue: {}, costPerWon: null, revenuePerCost: null },
    ]);
    expect(r.return.show).toEqual([
      { key: 'Expo A', cost: 15_000, costFrom: 'campaign', won: 2, revenue: { corporate: 30_000 }, costPerWon: 7_500, revenuePerCost: 2 },
      { key: 'Expo B', cost: 2_500, costFrom: 'config', won: 0, revenue: {}, costPerWon: null, revenuePerCost: 0 },
    ]);
    expect(r.return.campaign?.find((c) => c.key === 'Webinar X')?.cost).toBeNull();
  });

  it('win/loss: loss reasons ranked, competitors by how often met with our win rate against each', async () => {
    const r = await report(ledger);
    // O2 and O6 Price, O3 No budget (O9's Timing has no hand-off).
    expect(r.winLoss.lossReasons).toEqual([
      { reason: 'Price', lost: 2, share: 0.6667 },
      { reason: 'No budget', lost: 1, share: 0.3333 },
    ]);
    // Acme: O1 won, O2 lost (met and winner: once). Globex: O2 lost, O4 won. Initech: O6 lost.
    expect(r.winLoss.competitors).toEqual([
      { competitor: 'Acme', met: 2, won: 1, lost: 1, winRate: 0.5 },
      { competitor: 'Globex', met: 2, won: 1, lost: 1, winRate: 0.5 },
      { competitor: 'Initech', met: 1, won: 0, lost: 1, winRate: 0 },
    ]);
  });

  it('SLA by owner and team: compliance over decided clocks, median minutes to first touch, MQL → SQL', async () => {
    const r = await report(ledger);
    expect(r.sla.byOwner).toEqual([
      // H1 touched after 30 min (in time); H3 and H5 have no clock. MQL H1 H5, both accepted.
      { key: 'u1@fixture.example', handoffs: 3, clocks: 1, decided: 1, inTime: 1, breached: 0, compliance: 1, medianMinutesToFirstTouch: 30, mqlHandoffs: 2, sql: 2, mqlToSql: 1 },
      // H2 touched a day late (3 days = 4,320 min), H4 untouched past due: both decided, neither in time.
      { key: 'u2@fixture.example', handoffs: 2, clocks: 2, decided: 2, inTime: 0, breached: 2, compliance: 0, medianMinutesToFirstTouch: 4_320, mqlHandoffs: 2, sql: 0, mqlToSql: 0 },
      // H6's restarted clock: untouched, due after now — not decided yet.
      { key: 'u3@fixture.example', handoffs: 1, clocks: 1, decided: 0, inTime: 0, breached: 0, compliance: null, medianMinutesToFirstTouch: null, mqlHandoffs: 0, sql: 0, mqlToSql: null },
    ]);
    expect(r.sla.byTeam).toEqual([
      { key: 'East', handoffs: 3, clocks: 1, decided: 1, inTime: 1, breached: 0, compliance: 1, medianMinutesToFirstTouch: 30, mqlHandoffs: 2, sql: 2, mqlToSql: 1 },
      { key: 'West', handoffs: 3, clocks: 3, decided: 2, inTime: 0, breached: 2, compliance: 0, medianMinutesToFirstTouch: 4_320, mqlHandoffs: 2, sql: 0, mqlToSql: 0 },
    ]);
  });

  it('calibration per config version: win rate per grade and decile at hand-off, a band beaten by the one beneath it flagged', async () => {
    const r = await report(ledger);
    expect(r.calibration).toEqual([
      {
        configVersion: 'v1',
        grades: [
          // H4 hot: O6 lost → 0, below warm's 2/3: out of order.
          { band: 'hot', handoffs: 1, won: 0, lost: 1, winRate: 0, outOfOrder: true },
          // H1 (O1 won) and H2 (O2 lost, O4 won).
          { band: 'warm', handoffs: 2, won: 2, lost: 1, winRate: 0.6667, outOfOrder: false },
          { band: 'cold', handoffs: 1, won: 0, lost: 1, winRate: 0, outOfOrder: false },
        ],
        deciles: [
          { band: '70–79', handoffs: 1, won: 0, lost: 1, winRate: 0, outOfOrder: true },
          { band: '60–69', handoffs: 1, won: 1, lost: 0, winRate: 1, outOfOrder: false },
          { band: '50–59', handoffs: 1, won: 1, lost: 1, winRate: 0.5, outOfOrder: false },
          { band: '20–29', handoffs: 1, won: 0, lost: 1, winRate: 0, outOfOrder: false },
        ],
      },
      {
        configVersion: 'v2',
        grades: [
          { band: 'hot', handoffs: 0, won: 0, lost: 0, winRate: null, outOfOrder: false },
          { band: 'warm', handoffs: 2, won: 0, lost: 0, winRate: null, outOfOrder: false },
          { band: 'cold', handoffs: 0, won: 0, lost: 0, winRate: null, outOfOrder: false },
        ],
        deciles: [
          { band: '60–69', handoffs: 1, won: 0, lost: 0, winRate: null, outOfOrder: false },
          { band: '40–49', handoffs: 1, won: 0, lost: 0, winRate: null, outOfOrder: false },
        ],
      },
    ]);
  });

  it('--since/--until keep the hand-offs in the window (and contacts scored in it); an opportunity counts with its hand-off', async () => {
    // H3, H4, H5; O1 is H1's (outside). Scored in the window: c1, c3, c4, c7.
    const r = await report(ledger, { since: '2026-07-03T00:00:00Z', until: '2026-08-31T00:00:00Z' });
    expect(r.window).toEqual({ since: '2026-07-03T00:00:00.000Z', until: '2026-08-31T00:00:00.000Z' });
    expect(r.funnel.source).toEqual([
      funnelRow('web_form', { scored: 2, mql: 2, handedOff: 2, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 20 }),
      funnelRow('webinar', { scored: 2, mql: 1, handedOff: 1, sql: 1, opportunities: 1, lost: 1, winRate: 0, medianDaysToClose: 5 }),
    ]);
    expect(r.winLoss.lossReasons).toEqual([
      { reason: 'No budget', lost: 1, share: 0.5 },
      { reason: 'Price', lost: 1, share: 0.5 },
    ]);
    expect(r.sla.byOwner.map((o) => [o.key, o.handoffs, o.decided, o.inTime])).toEqual([
      ['u1@fixture.example', 2, 0, 0],
      ['u2@fixture.example', 1, 1, 0],
    ]);
  });
}

function emptyContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await open();
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('an empty ledger: every section present and empty, no rate', async () => {
    const r = await report(ledger);
    expect(r).toEqual({
      window: { since: null, until: null },
      funnel: { source: [], campaign: [], show: [], owner: [], team: [] },
      return: { source: [], campaign: [], show: [] },
      winLoss: { lossReasons: [], competitors: [] },
      sla: { byOwner: [], byTeam: [] },
      calibration: [],
      opportunitiesWithoutHandoff: 0,
    });
  });

  it('scores record the source and campaign they were taken with; a later score without them keeps them', async () => {
    const score = { hubspot_contact_id: 'z1', score: 40, grade: 'cold' as const, mql: false, config_version: 'v1', review_at: null };
    await recordScores(ledger.db, [{ ...score, scored_at: new Date('2026-07-01T00:00:00Z'), source: 'trade_show', campaign: 'Expo A' }]);
    await recordScores(ledger.db, [{ ...score, scored_at: new Date('2026-07-02T00:00:00Z'), mql: true }]);
    expect(await ledger.db.selectFrom('contact_scores').select(['source', 'campaign', 'mql']).where('hubspot_contact_id', '=', 'z1').executeTakeFirst()).toEqual({
      source: 'trade_show',
      campaign: 'Expo A',
      mql: true,
    });
  });
}

describe('closed-loop report on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-report-'));
  const emptyDir = mkdtempSync(join(tmpdir(), 'leadloop-report-empty-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  });
  describe('the fixture', () => fixtureContract(() => openLedger({ dataDir: dir })));
  describe('empty', () => emptyContract(() => openLedger({ dataDir: emptyDir })));
});

const pgUp = await postgresAnswers();
if (!pgUp) console.warn(`PostgreSQL at ${TEST_DATABASE_URL} does not answer: the report tests run on PGlite alone`);

describe.skipIf(!pgUp)('closed-loop report on PostgreSQL', () => {
  const schema = uniqueSchema('report');
  const emptySchema = uniqueSchema('report_empty');
  afterAll(async () => {
    await dropSchema(schema);
    await dropSchema(emptySchema);
  });
  describe('the fixture', () => fixtureContract(() => openLedger({ databaseUrl: TEST_DATABASE_URL, schema })));
  describe('empty', () => emptyContract(() => openLedger({ databaseUrl: TEST_DATABASE_URL, schema: emptySchema })));
});
