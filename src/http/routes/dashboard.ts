import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ClosedLoopReport } from '../../domain/report/types.ts';
import type { Operations } from '../operations.ts';

export interface DashboardSources {
  /** The closed-loop report of `leadloop report` (same SQL, same definitions) for a window. */
  report(window: { since: Date | null; until: Date | null }): Promise<ClosedLoopReport>;
  operations(): Promise<Operations>;
  /** After this long a kept report is read again in the background (every open dashboard polls). 0: read the ledger for every request. Default 10 s. */
  reportTtlMs?: number;
  now?: () => number;
}

/** How many TTLs a kept report may be served while a fresh one is read. */
const STALE_TTLS = 6;
const PAGE_DIR = join(import.meta.dirname, '..', 'dashboard');
// Chart.js's UMD build, straight from node_modules: no CDN, no build step.
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { file: join(PAGE_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  'chart.umd.min.js': { file: CHART_JS, type: 'text/javascript; charset=utf-8' },
};

/**
 * GET /dashboard (one page), /dashboard/assets/* (its script, style and Chart.js), and the
 * read-only JSON it polls: GET /api/report (the closed-loop report, `since`/`until` as ISO dates)
 * and GET /api/operations (latency, budgets, sync lag, dead letters, queues). Registered inside
 * the admin scope: the guard runs first.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardSources): Promise<void> {
  const files = new Map(Object.entries(ASSETS).map(([name, asset]) => [name, { body: readFileSync(asset.file), type: asset.type }]));
  const page = readFileSync(join(PAGE_DIR, 'index.html'));
  const now = options.now ?? Date.now;
  const ttl = options.reportTtlMs ?? 10_000;
  const cache = new Map<string, { at: number; report: Promise<ClosedLoopReport>; ready?: ClosedLoopReport; refreshing?: boolean }>();

  // Reads the ledger for one window and keeps the answer; a failed read is not kept (the next poll tries again).
  const load = (key: string, window: { since: Date | null; until: Date | null }) => {
    const entry: { at: number; report: Promise<ClosedLoopReport>; ready?: ClosedLoopReport } = { at: now(), report: options.report(window) };
    entry.report.then(
      (report) => {
        entry.ready = report;
        cache.set(key, entry);
      },
      () => {
        if (cache.get(key) === entry) cache.delete(key);
      },
    );
    if (!cache.get(key)?.ready) cache.set(key, entry);
    return entry.report;
  };
  /**
   * A report the page can have at once: a kept one is served straight away and, once older than
   * the TTL, read again in the background for the next poll; one kept longer than STALE_TTLS
   * times the TTL (nobody polled) is not served, and that load waits for the ledger, as does a
   * window never asked for.
   */
  const reportFor = async (window: { since: Date | null; until: Date | null }): Promise<ClosedLoopReport> => {
    const key = `${window.since?.toISOString() ?? ''}|${window.until?.toISOString() ?? ''}`;
    const cached = cache.get(key);
    if (cached?.ready && ttl > 0 && now() - cached.at < ttl * STALE_TTLS) {
      if (now() - cached.at >= ttl && !cached.refreshing) {
        cached.refreshing = true;
        load(key, window).catch(() => (cached.refreshing = false));
      }
      return cached.ready;
    }
    if (cached && !cached.ready && ttl > 0) return cached.report;
    if (cache.size > 50) cache.clear();
    return load(key, window);
  };
  // The default window (all hand-offs) is read as the server starts, so that the first page load finds it.
  if (ttl > 0) app.addHook('onReady', async () => void reportFor({ since: null, until: null }).catch(() => undefined));

  app.get('/dashboard', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page));
  app.get('/dashboard/assets/:name', async (request, reply) => {
    const asset = files.get((request.params as { name: string }).name);
    if (!asset) return reply.code(404).send({ error: 'not found' });
    return reply.type(asset.type).header('cache-control', 'private, max-age=300').send(asset.body);
  });

  app.get('/api/report', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const since = isoDate(query.since);
    const until = isoDate(query.until);
    if (since === 'invalid' || until === 'invalid') return reply.code(400).send({ error: 'bad request', reason: 'since and until must be ISO dates such as 2026-07-01' });
    return reply.header('cache-control', 'no-store').send(await reportFor({ since, until }));
  });

  app.get('/api/operations', async (_request, reply) => reply.header('cache-control', 'no-store').send(await options.operations()));
}

function isoDate(value: unknown): Date | null | 'invalid' {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return 'invalid';
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}
