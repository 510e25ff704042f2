import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { startWorker } from '../src/cli/start.ts';
import { hubspotAdapters } from '../src/app.ts';
import { OPEN_GATE } from '../src/api-gate.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { DeadLetterList } from '../src/queue/dead-letter.ts';
import { PauseControl } from '../src/queue/pause.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../test/support/redis.ts';
import { startSandbox, type SandboxOptions } from '../src/sandbox/server.ts';
import { until } from '../test/support/leadloop.ts';

/**
 * A sandbox, a config folder whose lead sync runs every second, HubSpot set up, and the worker
 * started as `leadloop start --role worker` starts it; everything is removed afterwards.
 */
async function withWorker(
  sandboxOptions: SandboxOptions,
  test: (ctx: { sandbox: Awaited<ReturnType<typeof startSandbox>>; running: Awaited<ReturnType<typeof startWorker>>; redis: ReturnType<typeof testConnection>; prefix: string }) => Promise<void>,
) {
  const sandbox = await startSandbox(sandboxOptions);
  const configDir = mkdtempSync(join(tmpdir(), 'leadloop-job-config-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-job-data-'));
  const prefix = uniqueTestPrefix('job');
  const redis = testConnection();
  try {
    cpSync(join(import.meta.dirname, '../config'), configDir, { recursive: true });
    const syncFile = join(configDir, 'sync.yaml');
    writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_leads: { every: 5m }', 'sync_leads: { every: 1s }').replace('indexing_lag: 30s', 'indexing_lag: 0s'));
    const env = loadEnv(
      { ...sandbox.connectionInfo().env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LEADLOOP_PREFIX: prefix, LEADLOOP_CONFIG_DIR: configDir, LEADLOOP_DATA_DIR: dataDir },
      { needs: ['hubspot', 'salesforce'] },
    );
    const { config } = await loadConfigDirOrThrow(configDir);
    const portal = hubspotAdapters(env, config, OPEN_GATE);
    await setupHubSpot(portal.hubspot, portal.deals, config.mapping);
    const running = await startWorker(env);
    try {
      await test({ sandbox, running, redis, prefix });
    } finally {
      await running.stop();
    }
  } finally {
    await sandbox.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    rmSync(configDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('sync-leads job (BullMQ scheduler + worker)', () => {
  it('runs the lead sync on the schedule from sync.yaml, one cycle at a time', async () => {
    await withWorker({ contacts: 300, seed: 13 }, async ({ sandbox, running }) => {
      const completed: { pulled: number; created: number; adopted: number; scored: number }[] = [];
      // The feedback shares the sync queue (its own schedule): only the lead sync's cycles count here.
      running.worker.on('completed', (job, result) => {
        if (job.name === 'sync-leads') completed.push(result);
      });
      await until(
        () => completed.length,
        (n) => n >= 3,
        20_000,
      );
      const schedulers = await running.queues.sync.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(['sync-feedback', 'sync-leads']);
      // The daily rescore (sync.yaml's cron), the SLA clock's sweep and the traces' retention are scheduled beside it, on their own queue.
      const maintenance = (await running.queues.maintenance.getJobSchedulers()).map((s) => ({ key: s.key, pattern: s.pattern ?? null, every: s.every ?? null }));
      expect(maintenance.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: 'check-sla', pattern: null, every: 600_000 },
        { key: 'prune-traces', pattern: '30 3 * * *', every: null },
        { key: 'rescore-leads', pattern: '0 3 * * *', every: null },
      ]);
      expect(completed.length).toBeGreaterThanOrEqual(3);
      const [first, ...later] = completed;
      expect(first!.pulled).toBe(300);
      // The first cycle is a backfill: its job carries its progress (contacts pulled so far).
      const firstJob = (await running.queues.sync.getJobs(['completed'], 0, -1)).find((j) => (j.returnvalue as { pulled?: number })?.pulled === 300);
      expect(firstJob?.progress).toMatchObject({ pulled: 300 });
      expect(first!.created).toBeGreaterThan(0);
      expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toHaveLength(first!.created + first!.adopted);
      // Later cycles find nothing new to score: the write-back does not loop.
      for (const run of later) expect(run.scored).toBe(0);
    });
  });

  it('pauses Salesforce work when the daily allocation is spent, instead of dead-lettering records; the job is kept for later', async () => {
    // Other apps spent the org's allocation: Salesforce answers 403 REQUEST_LIMIT_EXCEEDED while our own share looks unspent.
    await withWorker({ contacts: 300, seed: 13, faults: { salesforce: { dailyLimitAfterCalls: 8 } } }, async ({ running, redis, prefix }) => {
      const pause = new PauseControl({ redis, prefix, queues: [] });
      const pausedUntil = await until(
        () => pause.pausedUntil('salesforce'),
        (v) => v !== null,
        15_000,
      );
      expect(pausedUntil).toBeGreaterThan(Date.now());
      expect(await running.queues.sync.getDelayedCount()).toBeGreaterThanOrEqual(1);
      expect(await running.queues.sync.getFailedCount()).toBe(0);
      expect(await new DeadLetterList(redis, prefix).list()).toEqual([]);
    });
  });
});
