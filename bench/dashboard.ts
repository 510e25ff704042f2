/**
 * `npm run bench -- dashboard`: the dashboard over the report bench's ledger (100,000 hand-offs,
 * bench/report-seed.ts) in PostgreSQL (a fresh schema, removed afterwards) and in embedded PGlite.
 * leadloop's HTTP server is built as `start` builds it (admin token, dashboard, bull-board, real
 * Redis under a prefix of its own), `cold` with no report kept (every load reads the ledger) and
 * `warm` as `start` serves it (the report kept, read again in the background). Timed, three times each: `httpMs`, the page, its three assets and both /api answers fetched at once as
 * the browser asks for them; `browserMs` (when /usr/bin/chromium exists), a headless Chromium from
 * navigation until every chart has drawn. Goal: at most 2 s. JSON on the last line.
 */
import { existsSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { closedLoopReport } from '../src/cli/report.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { createLogger } from '../src/log.ts';
import { readOperations } from '../src/http/operations.ts';
import { buildServer } from '../src/http/server.ts';
import { BudgetGovernor } from '../src/queue/budget.ts';
import { DeadLetterList } from '../src/queue/dead-letter.ts';
import type { LeadloopQueues } from '../src/queue/queues.ts';
import { deleteKeysUnder } from '../src/redis-keys.ts';
import type { Ledger } from '../src/store/ledger.ts';
import { SyncState } from '../src/store/sync-state.ts';
import { HANDOFFS, seedReportLedger } from './report-seed.ts';
import { CONFIG_DIR, onEachLedger } from './support.ts';

const RUNS = 3;
const TOKEN = 'bench-dashboard-token';
const CHROMIUM = '/usr/bin/chromium';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function measure(open: () => Promise<Ledger>) {
  const { config } = await loadConfigDirOrThrow(CONFIG_DIR);
  const ledger = await open();
  try {
    const seeded = performance.now();
    await seedReportLedger(ledger.db);
    const seedMs = Math.round(performance.now() - seeded);
    // Cold: every load reads the ledger. Warm: as `start` serves it, the report kept and read again in the background.
    const cold = await loads(ledger, config, 0);
    const warm = await loads(ledger, config, undefined);
    return { seedMs, cold, warm };
  } finally {
    await ledger.close();
  }
}

async function loads(ledger: Ledger, config: Awaited<ReturnType<typeof loadConfigDirOrThrow>>['config'], reportTtlMs: number | undefined) {
  const prefix = `bench-dashboard-${process.pid}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues = Object.fromEntries(['sync', 'handoff', 'maintenance'].map((name) => [name, new Queue(name, { connection: redis, prefix })])) as unknown as LeadloopQueues;
  const registry = new Registry();
  try {
    const { app } = await buildServer({
      logger: createLogger({ level: 'warn' }),
      registry,
      readiness: {},
      admin: {
        access: { host: '127.0.0.1', token: TOKEN },
        dashboard: {
          ...(reportTtlMs === undefined ? {} : { reportTtlMs }),
          report: ({ since, until }) => closedLoopReport(ledger.db, config, { since, until, dimensions: ['source', 'campaign', 'show'], now: Date.now() }),
          operations: () =>
            readOperations({ governor: new BudgetGovernor(redis, prefix), syncState: new SyncState(redis, prefix), deadLetters: new DeadLetterList(redis, prefix), queues, registry, now: Date.now }),
        },
        queues: { queues: Object.values(queues), actions: false },
      },
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const headers = { authorization: `Bearer ${TOKEN}` };
      // Warm: the report read as the server started is there before the first load.
      if (reportTtlMs === undefined) await (await fetch(`${url}/api/report`, { headers })).arrayBuffer();
      const httpMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        const paths = ['/dashboard', '/dashboard/assets/app.css', '/dashboard/assets/chart.umd.min.js', '/dashboard/assets/app.js', '/api/report', '/api/operations'];
        const answers = await Promise.all(paths.map(async (path) => (await fetch(`${url}${path}`, { headers })).arrayBuffer()));
        httpMs.push(Math.round(performance.now() - started));
        if (answers.some((a) => a.byteLength === 0)) throw new Error('an empty answer');
      }
      const browserMs = existsSync(CHROMIUM) ? await inBrowser(url) : 'skipped: no /usr/bin/chromium';
      return { httpMs, bestHttpMs: Math.min(...httpMs), browserMs, ...(Array.isArray(browserMs) ? { bestBrowserMs: Math.min(...browserMs) } : {}) };
    } finally {
      await app.close();
    }
  } finally {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }
}

/** Navigation to every chart drawn, logged in by the form's cookie, each run in a fresh page. */
async function inBrowser(url: string): Promise<number[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.newPage();
    await login.goto(`${url}/login`);
    await login.fill('#token', TOKEN);
    await Promise.all([login.waitForURL('**/dashboard'), login.click('button[type=submit]')]);
    await login.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    await login.close();
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${url}/dashboard`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
      times.push(Math.round(performance.now() - started));
      await page.close();
    }
    return times;
  } finally {
    await browser.close();
  }
}

const results: Record<string, unknown> = { handoffs: HANDOFFS, goalMs: 2_000, ...(await onEachLedger('dashboard', measure)) };
console.log(JSON.stringify(results));
