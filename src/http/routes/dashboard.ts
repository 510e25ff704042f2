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
  /** How long a report is reused for the same window: every open dashboard polls. Default 10 s. */
  reportTtlMs?: number;
  now?: () => number;
}

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
  const cache = new Map<string, { at: number; report: Promise<ClosedLoopReport> }>();

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
    const key = `${since?.toISOString() ?? ''}|${until?.toISOString() ?? ''}`;
    const cached = cache.get(key);
    if (cached && now() - cached.at < ttl) return reply.header('cache-control', 'no-store').send(await cached.report);
    const report = options.report({ since, until });
    // A failed read is not kept: the next poll tries again.
    report.catch(() => cache.delete(key));
    if (cache.size > 50) cache.clear();
    cache.set(key, { at: now(), report });
    return reply.header('cache-control', 'no-store').send(await report);
  });

  app.get('/api/operations', async (_request, reply) => reply.header('cache-control', 'no-store').send(await options.operations()));
}

function isoDate(value: unknown): Date | null | 'invalid' {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return 'invalid';
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}
