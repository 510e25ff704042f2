import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRuntime } from '../src/cli/sync.ts';
import { loadEnv } from '../src/config/env.ts';
import { createHubSpotClient } from '../src/hubspot/client.ts';
import type { RescoreSummary } from '../src/pipeline/rescoreLeads.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { createRedisConnection } from '../src/queue/connection.ts';
import { Lease } from '../src/queue/lease.ts';
import { PauseControl } from '../src/queue/pause.ts';
import { closeQueues, createQueues } from '../src/queue/queues.ts';
import { syncSchedules } from '../src/queue/schedules.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../src/queue/test-redis.ts';
import { createLeadloopWorker } from '../src/queue/worker.ts';
import { startSandbox } from '../src/sandbox/server.ts';
import * as rescoreJob from './rescore-leads.ts';
import { until } from '../test/support/leadloop.ts';

const DAY = 86_400_000;

/**
 * A sandbox synced once, a config folder whose rescore runs every second, and the maintenance
 * worker wired as `leadloop start` wires it, on a clock three weeks after the sync.
 */
async function withRescoreWorker(test: (ctx: { runtime: Awaited<ReturnType<typeof openRuntime>>; t1: number; worker: ReturnType<typeof createLeadloopWorker>; queues: Awaited<ReturnType<typeof createQueues>>; prefix: string; sandbox: Awaited<ReturnType<typeof startSandbox>> }) => Promise<void>) {
  const sandbox = await startSandbox({ contacts: 300, seed: 13 });
  const configDir = mkdtempSync(join(tmpdir(), 'leadloop-job-config-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-job-data-'));
  const prefix = uniqueTestPrefix('rescore-job');
  const redis = testConnection();
  try {
    cpSync(join(import.meta.dirname, '../config'), configDir, { recursive: true });
    const syncFile = join(configDir, 'sync.yaml');
    const yaml = readFileSync(syncFile, 'utf8');
    expect(yaml).toContain('rescore: { cron: "0 3 * * *" }');
    writeFileSync(syncFile, yaml.replace('rescore: { cron: "0 3 * * *" }', 'rescore: { every: 1s }'));
    const env = loadEnv({ ...sandbox.connectionInfo().env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LEADLOOP_PREFIX: prefix, LEADLOOP_CONFIG_DIR: configDir, LEADLOOP_DATA_DIR: dataDir }, { needs: ['hubspot', 'salesforce'] });
    const runtime = await openRuntime(env);
    await setupHubSpot(createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl }), runtime.config.mapping);
    const t0 = Date.now();
    await syncLeads({ ...runtime.deps, now: () => t0 }, { indexingLagMs: 0 });
    const t1 = t0 + 21 * DAY;
    const later = { ...runtime, deps: { ...runtime.deps, now: () => t1 } };

    const queues = await createQueues(runtime.redis, prefix);
    const pause = new PauseControl({ redis: runtime.redis, prefix, queues: Object.values(queues) });
    const spec = rescoreJob.schedule(runtime.config.sync);
    await syncSchedules(queues, spec ? [spec] : []);
    const connection = createRedisConnection({ url: env.redisUrl }, 'worker');
    const worker = createLeadloopWorker({
      queue: rescoreJob.queue,
      connection,
      prefix,
      pause,
      systems: ['hubspot', 'salesforce'],
      processor: (job, signal) => rescoreJob.run(job, signal, { deps: later.deps, redis: runtime.redis, prefix }),
    });
    try {
      await test({ runtime: later, t1, worker, queues, prefix, sandbox });
    } finally {
      await worker.shutdown();
      await closeQueues(queues);
      connection.disconnect();
      await runtime.close();
    }
  } finally {
    await sandbox.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    rmSync(configDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('rescore-leads job (BullMQ scheduler + maintenance worker)', () => {
  it('takes its schedule from sync.yaml: the daily cron by default, none when disabled', () => {
    expect(rescoreJob.schedule({ schedules: { sync_leads: { every: '5m', enabled: true }, rescore: { cron: '0 3 * * *', enabled: true } } })).toEqual({ name: 'rescore-leads', queue: 'maintenance', jobName: 'rescore-leads', pattern: '0 3 * * *' });
    expect(rescoreJob.schedule({ schedules: { sync_leads: { every: '5m', enabled: true }, rescore: { cron: '0 3 * * *', enabled: false } } })).toBeUndefined();
    expect(rescoreJob.schedule({ schedules: { sync_leads: { every: '5m', enabled: true } } })).toBeUndefined();
  });

  it('re-grades the due contacts on the schedule; later runs find nothing due; a held lease skips the run', async () => {
    await withRescoreWorker(async ({ runtime, t1, worker, queues, prefix, sandbox }) => {
      const completed: (RescoreSummary | { skipped: string })[] = [];
      worker.worker.on('completed', (_job, result) => completed.push(result as RescoreSummary));
      await until(() => completed.length, (n) => n >= 3, 20_000);
      expect((await queues.maintenance.getJobSchedulers()).map((s) => s.key)).toEqual(['rescore-leads']);
      const [first, ...later] = completed as RescoreSummary[];
      expect(first!.reviewed).toBeGreaterThan(0);
      expect(first!.regraded).toBeGreaterThan(0);
      expect(first!.writtenBack).toBeGreaterThan(0);
      for (const run of later) expect(run).toMatchObject({ reviewed: 0, scored: 0, writtenBack: 0 });
      const regradedInHubSpot = (await runtime.deps.ledger.selectFrom('contact_scores').selectAll().where('scored_at', '=', new Date(t1)).execute())
        .filter((r) => sandbox.hubspot.getContact(r.hubspot_contact_id)?.properties.leadloop_grade === r.grade);
      expect(regradedInHubSpot.length).toBe(first!.reviewed);

      // `rescore --once` holds the same lease: the scheduled run steps aside instead of overlapping.
      const lease = await Lease.acquire(runtime.redis, prefix, 'rescore-leads', { ttlMs: 60_000 });
      try {
        const seen = completed.length;
        await until(() => completed.length, (n) => n > seen, 10_000);
        expect(completed.slice(seen)[0]).toEqual({ skipped: 'another rescore holds the lease' });
      } finally {
        await lease.release();
      }
    });
  });
});
