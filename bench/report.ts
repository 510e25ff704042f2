/**
 * `npm run bench -- report`: the closed-loop report (`leadloop report`) over a large ledger —
 * BENCH_REPORT_HANDOFFS (default 100,000) hand-offs of 80 % as many contacts (the rest handed off a
 * second time), a decision each, SLA clocks for the hot and warm ones, Lead Status changes for 60 %
 * of them, BENCH_REPORT_OPPORTUNITIES (default 20,000) opportunities (a quarter with two contacts,
 * won, lost and open, competitors and loss reasons), 1.5 times as many scored contacts, 20
 * campaigns with costs — seeded with generate_series into a fresh PostgreSQL schema (removed
 * afterwards) and into an embedded PGlite ledger in a temporary folder. Times three reports on
 * each (the default groupings: source, campaign and show, and every other section). Goal on
 * PostgreSQL: at most 2 s. JSON on the last line.
 */
import { closedLoopReport } from '../src/cli/report.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import type { Ledger } from '../src/store/ledger.ts';
import { HANDOFFS, OPPORTUNITIES, seedReportLedger as seed } from './report-seed.ts';
import { CONFIG_DIR, onEachLedger } from './support.ts';

const RUNS = 3;

async function measure(open: () => Promise<Ledger>) {
  const { config } = await loadConfigDirOrThrow(CONFIG_DIR);
  const ledger = await open();
  try {
    const seeded = performance.now();
    await seed(ledger.db);
    const seedMs = Math.round(performance.now() - seeded);
    const reportMs: number[] = [];
    let sections = {};
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const report = await closedLoopReport(ledger.db, config, { since: null, until: null, dimensions: ['source', 'campaign', 'show'], now: Date.parse('2026-12-01T00:00:00Z') });
      JSON.stringify(report);
      reportMs.push(Math.round(performance.now() - started));
      sections = { sources: report.funnel.source?.length, shows: report.funnel.show?.length, owners: report.sla.byOwner.length, handedOff: report.funnel.source?.reduce((n, r) => n + r.handedOff, 0) };
    }
    const windowStarted = performance.now();
    await closedLoopReport(ledger.db, config, { since: new Date('2026-04-01T00:00:00Z'), until: new Date('2026-05-01T00:00:00Z'), dimensions: ['owner'], now: Date.now() });
    const windowMs = Math.round(performance.now() - windowStarted);
    return { seedMs, reportMs, bestMs: Math.min(...reportMs), oneMonthByOwnerMs: windowMs, ...sections };
  } finally {
    await ledger.close();
  }
}

const results: Record<string, unknown> = { handoffs: HANDOFFS, opportunities: OPPORTUNITIES, goalMs: 2_000, ...(await onEachLedger('report', measure)) };
console.log(JSON.stringify(results));
