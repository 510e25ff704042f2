/**
 * The account index of a large org: BENCH_ACCOUNTS (default 1,000,000) Salesforce accounts pulled
 * a page at a time into the ledger, as the first sync of the day does, then one batch's lookup.
 * Run with the Dockerfile's heap flags (bench/run.ts passes them): the pull must fit under that
 * cap. The sandbox runs in a child process, so the memory sampled here is leadloop's alone; the
 * ledger is the embedded PGlite (its WASM memory counts in the RSS), or PostgreSQL with
 * BENCH_ACCOUNTS_LEDGER=postgres. JSON on the last line.
 */
import { getHeapStatistics } from 'node:v8';
import { startSandboxChild } from './sandbox-child.ts';
import { benchApp, redisAnswers } from './support.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const MB = 1_048_576;

if (!(await redisAnswers())) {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}

const seedStarted = performance.now();
const sandbox = await startSandboxChild(['--accounts', String(ACCOUNTS), '--seed', '41']);
const seedMs = performance.now() - seedStarted;
const bench = await benchApp(sandbox.info, { label: 'accounts', postgres: process.env.BENCH_ACCOUNTS_LEDGER === 'postgres', setup: false });
let peakRss = process.memoryUsage().rss;
let peakHeap = process.memoryUsage().heapUsed;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 25);
try {
  await sandbox.resetRequests();
  const sandboxCpuBefore = sandbox.cpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // The first use of the lookups reads users and queues and brings the account index up to date.
  await bench.app.lookups.directory();
  const pullMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const sandboxCpuAfter = sandbox.cpuMs();
  sample();
  const pull = await sandbox.requests();
  const indexed = Number(
    (
      await bench.app.ledger.db
        .selectFrom('account_index')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  // One batch's worth of routing: 200 domains, half of them known.
  const domains = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `account-${((i * 4_999) % ACCOUNTS).toString(36)}.example` : `unknown-${i}.example`));
  const lookupStarted = performance.now();
  const found = await bench.app.lookups.accounts(domains);
  const lookupMs = performance.now() - lookupStarted;
  const againStarted = performance.now();
  await bench.app.lookups.accounts(domains.map((d) => d.replace('.example', '.example.')));
  const againMs = performance.now() - againStarted;
  clearInterval(sampler);
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      accounts: ACCOUNTS,
      ledger: bench.ledgerKind,
      indexed,
      sandboxSeedMs: Math.round(seedMs),
      pullMs: Math.round(pullMs),
      // Where the pull's time went: leadloop's own CPU against the sandbox's.
      cpuMs: { leadloop: Math.round((cpu.user + cpu.system) / 1000), ...(sandboxCpuBefore !== undefined && sandboxCpuAfter !== undefined ? { sandbox: sandboxCpuAfter - sandboxCpuBefore } : {}) },
      salesforceCalls: sum(pull.salesforce),
      salesforceByEndpoint: pull.salesforce,
      lookup: { domains: domains.length, found: found.size, ms: Math.round(lookupMs), secondMs: Math.round(againMs) },
      heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / MB),
      peakHeapUsedMb: Math.round(peakHeap / MB),
      peakRssMb: Math.round(peakRss / MB),
    }),
  );
} finally {
  clearInterval(sampler);
  await bench.dispose();
  await sandbox.stop();
}
