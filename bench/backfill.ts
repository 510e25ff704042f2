/**
 * Backfill of BENCH_BACKFILL_CONTACTS (default 100,000) contacts through the list endpoint, with
 * the rate limits config/sync.yaml sets and the budget gate's bulk lane: time against the floor
 * those limits allow, 429s caused, leadloop's peak RSS and calls per system. The sandbox runs in
 * a child process (`leadloop sandbox`), so the RSS sampled here is the pipeline's alone.
 * JSON on the last line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { createHubSpotClient } from '../src/hubspot/client.ts';
import type { SyncProgress } from '../src/pipeline/backfillLeads.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { BudgetGovernor, budgetConfigFromSync } from '../src/queue/budget.ts';
import { DeadLetterList } from '../src/queue/dead-letter.ts';
import { hubspotBudgetGate } from '../src/queue/hubspot-gate.ts';
import { salesforceBudgetGate } from '../src/queue/salesforce-gate.ts';
import { deleteKeysWithPrefix } from '../src/queue/test-redis.ts';
import { connectSalesforce, setSalesforceCallHooks } from '../src/salesforce/connection.ts';
import { AccountIndexStore } from '../src/store/account-index.ts';
import { openLedger } from '../src/store/ledger.ts';
import { SyncState } from '../src/store/sync-state.ts';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL } from '../test/support/postgres.ts';
import { startSandboxChild } from './sandbox-child.ts';

const CONTACTS = Number(process.env.BENCH_BACKFILL_CONTACTS ?? 100_000);
const root = new URL('..', import.meta.url).pathname;
const { config, version } = await loadConfigDirOrThrow(join(root, 'config'));

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


const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
try {
  await redis.ping();
} catch {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}

const seedStarted = performance.now();
// BENCH_SANDBOX_NODE_ARGS (e.g. "--cpu-prof") profiles the sandbox side on its own.
const sandbox = await startSandboxChild(['--contacts', String(CONTACTS), '--seed', '31'], (process.env.BENCH_SANDBOX_NODE_ARGS ?? '').split(' ').filter(Boolean));
const seedMs = performance.now() - seedStarted;
const prefix = `bench-backfill-${Date.now()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-bench-backfill-'));
// The ledger on PostgreSQL, as deployed (docker-compose), in a schema of this run's own; the
// embedded PGlite (a WASM Postgres in this process) only when none answers, and its memory
// then counts in the peak RSS.
const pgUrl = process.env.BENCH_DATABASE_URL ?? TEST_DATABASE_URL;
const schema = `bench_backfill_${process.pid}`;
const usePostgres = await postgresAnswers(pgUrl);
const ledger = await openLedger(usePostgres ? { databaseUrl: pgUrl, schema } : { dataDir });
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
try {
  const { info } = sandbox;
  const hubspot = createHubSpotClient({ accessToken: info.hubspot.accessToken, baseUrl: info.hubspot.baseUrl });
  await setupHubSpot(hubspot, config.mapping);
  // As `leadloop sync leads` and the worker run it (openRuntime): one governor with sync.yaml's
  // budgets for both APIs, the bulk lane, the account index in Redis.
  const budgets = budgetConfigFromSync(config.sync.budgets);
  const governor = new BudgetGovernor(redis, prefix, budgets);
  const salesforce = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken }, apiVersion: '64.0' });
  const deps = {
    hubspot,
    salesforce: setSalesforceCallHooks(salesforce, salesforceBudgetGate(governor, 'bulk')),
    ledger: ledger.db, state: new SyncState(redis, prefix), deadLetter: new DeadLetterList(redis, prefix), accountIndex: new AccountIndexStore(redis, prefix), config, configVersion: version,
    beforeHubSpotCall: hubspotBudgetGate(governor, 'bulk'),
  };
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
        process.stderr.write(`backfill ${decile * 10}%: ${p.pulled} contacts, ${Math.round(performance.now() - started)} ms, rss ${Math.round(process.memoryUsage().rss / 1_048_576)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 1_048_576)}/${Math.round(process.memoryUsage().heapTotal / 1_048_576)} MB, external ${Math.round(process.memoryUsage().external / 1_048_576)} MB\n`);
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
  console.log(JSON.stringify({
    contacts: CONTACTS, ledger: ledger.kind,
    pulled: summary.pulled, qualified: summary.qualified, created: summary.created, adopted: summary.adopted, writtenBack: summary.writtenBack, deadLettered: summary.deadLettered,
    sandboxSeedMs: Math.round(seedMs),
    durationMs: Math.round(durationMs),
    floorMs,
    ratioToFloor: floorMs > 0 ? Math.round((100 * durationMs) / floorMs) / 100 : null,
    // Where the time went: leadloop's own CPU against the sandbox's (a process that stands in for both APIs).
    cpuMs: { leadloop: Math.round((cpu.user + cpu.system) / 1000), ...(sandboxCpuBefore !== undefined && sandboxCpuAfter !== undefined ? { sandbox: sandboxCpuAfter - sandboxCpuBefore } : {}) },
    limits: { hubspotPer10sBulk: bulkAllowance(budgets.hubspot.per10Seconds - budgets.hubspot.safetyMargin, budgets.hubspot.handoffShare), searchPerSecondBulk: bulkAllowance(budgets.hubspotSearch.perSecond, budgets.hubspotSearch.handoffShare) },
    calls: { hubspot: sum(snap.hubspot), salesforce: sum(snap.salesforce), hubspotByEndpoint: snap.hubspot, salesforceByEndpoint: snap.salesforce },
    rateLimitedResponses: (snap.statuses.hubspot['429'] ?? 0) + (snap.statuses.salesforce['403'] ?? 0),
    peakRssMb: Math.round(peakRss / 1_048_576),
    goals: { ratioToFloor: 1.2, rateLimitedResponses: 0, peakRssMb: 200 },
  }));
} finally {
  clearInterval(sampler);
  await sandbox.stop();
  await ledger.close();
  if (usePostgres) await dropSchema(schema, pgUrl);
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
}
