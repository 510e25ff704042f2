/**
 * Backfill of BENCH_BACKFILL_CONTACTS (default 100,000) contacts through the list endpoint, with
 * the rate limits config/sync.yaml sets and the budget gate's bulk lane: time against the floor
 * those limits allow, 429s caused, leadloop's peak RSS and calls per system. The sandbox runs in
 * a child process (`leadloop sandbox`), so the RSS sampled here is the pipeline's alone.
 * JSON on the last line.
 */
import type { SyncProgress } from '../src/pipeline/backfillLeads.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { budgetConfigFromSync } from '../src/queue/budget.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { benchApp, redisAnswers } from './support.ts';

const CONTACTS = Number(process.env.BENCH_BACKFILL_CONTACTS ?? 100_000);

/** Calls the bulk lane may make per window, exactly as the governor grants them. */
function bulkAllowance(limit: number, share: number): number {
  return limit - Math.ceil(limit * share);
}

/**
 * The least time the rate limits allow for `calls` calls on a rolling window of `windowMs` that
 * grants `allowance` calls per window: the first `allowance` calls may all go at t = 0, and every
 * further group of `allowance` must wait one whole window after the group before it, so the last
 * group starts at (ceil(calls / allowance) − 1) × windowMs. The backfill's floor is the largest
 * of these over the budgets it draws on (HubSpot's 10-second budget: list pages and write-back
 * batches; the search budget: the count). Salesforce has no short-window limit (only the daily
 * allocation), so it adds nothing to the floor.
 */
function windowFloorMs(calls: number, allowance: number, windowMs: number): number {
  return calls === 0 ? 0 : (Math.ceil(calls / allowance) - 1) * windowMs;
}

if (!(await redisAnswers())) {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}

const seedStarted = performance.now();
// BENCH_SANDBOX_NODE_ARGS (e.g. "--cpu-prof") profiles the sandbox side on its own.
const sandbox = await startSandboxChild(['--contacts', String(CONTACTS), '--seed', '31'], (process.env.BENCH_SANDBOX_NODE_ARGS ?? '').split(' ').filter(Boolean));
const seedMs = performance.now() - seedStarted;
// The ledger on PostgreSQL, as deployed (docker-compose), in a schema of this run's own; the
// embedded PGlite (a WASM Postgres in this process) only when none answers, and its memory
// then counts in the peak RSS. Wired as `leadloop start` wires it: one governor with sync.yaml's
// budgets for both APIs, the bulk lane.
const bench = await benchApp(sandbox.info, { label: 'backfill', postgres: true });
const { config } = bench.app;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
try {
  const budgets = budgetConfigFromSync(config.sync.budgets);
  const deps = bench.app.deps;
  await sandbox.resetRequests();
  const sandboxCpuBefore = sandbox.cpuMs();
  const cpuBefore = process.cpuUsage();
  let lastDecile = 0;
  const started = performance.now();
  const summary = await syncLeads(deps, {
    indexingLagMs: 0,
    onProgress: (p: SyncProgress) => {
      const decile = p.total ? Math.floor((10 * p.pulled) / p.total) : 0;
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(
          `backfill ${decile * 10}%: ${p.pulled} contacts, ${Math.round(performance.now() - started)} ms, rss ${Math.round(process.memoryUsage().rss / 1_048_576)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 1_048_576)}/${Math.round(process.memoryUsage().heapTotal / 1_048_576)} MB, external ${Math.round(process.memoryUsage().external / 1_048_576)} MB\n`,
        );
      }
    },
  });
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const sandboxCpuAfter = sandbox.cpuMs();
  const snap = await sandbox.requests();
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const search = snap.hubspot['contacts.search'] ?? 0;
  const standard = sum(snap.hubspot) - search;
  const floorMs = Math.max(
    windowFloorMs(standard, bulkAllowance(budgets.hubspot.per10Seconds - budgets.hubspot.safetyMargin, budgets.hubspot.handoffShare), 10_000),
    windowFloorMs(search, bulkAllowance(budgets.hubspotSearch.perSecond, budgets.hubspotSearch.handoffShare), 1_000),
  );
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      contacts: CONTACTS,
      ledger: bench.ledgerKind,
      pulled: summary.pulled,
      qualified: summary.qualified,
      created: summary.created,
      adopted: summary.adopted,
      writtenBack: summary.writtenBack,
      deadLettered: summary.deadLettered,
      sandboxSeedMs: Math.round(seedMs),
      durationMs: Math.round(durationMs),
      floorMs,
      ratioToFloor: floorMs > 0 ? Math.round((100 * durationMs) / floorMs) / 100 : null,
      // Where the time went: leadloop's own CPU against the sandbox's (a process that stands in for both APIs).
      cpuMs: { leadloop: Math.round((cpu.user + cpu.system) / 1000), ...(sandboxCpuBefore !== undefined && sandboxCpuAfter !== undefined ? { sandbox: sandboxCpuAfter - sandboxCpuBefore } : {}) },
      limits: {
        hubspotPer10sBulk: bulkAllowance(budgets.hubspot.per10Seconds - budgets.hubspot.safetyMargin, budgets.hubspot.handoffShare),
        searchPerSecondBulk: bulkAllowance(budgets.hubspotSearch.perSecond, budgets.hubspotSearch.handoffShare),
      },
      calls: { hubspot: sum(snap.hubspot), salesforce: sum(snap.salesforce), hubspotByEndpoint: snap.hubspot, salesforceByEndpoint: snap.salesforce },
      rateLimitedResponses: (snap.statuses.hubspot['429'] ?? 0) + (snap.statuses.salesforce['403'] ?? 0),
      peakRssMb: Math.round(peakRss / 1_048_576),
      goals: { ratioToFloor: 1.2, rateLimitedResponses: 0, peakRssMb: 200 },
    }),
  );
} finally {
  clearInterval(sampler);
  await bench.dispose();
  await sandbox.stop();
}
