import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.ts';
import { startWorker } from '../src/cli/start.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../src/queue/test-redis.ts';
import { startSandbox } from '../src/sandbox/server.ts';
import { createHubSpotClient } from '../src/hubspot/client.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { PauseControl } from '../src/queue/pause.ts';

describe('sync-leads job (BullMQ scheduler + worker)', () => {
  it('runs the lead sync on the schedule from sync.yaml, one cycle at a time, and stops on request', async () => {
    const sandbox = await startSandbox({ contacts: 300, seed: 13 });
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-job-config-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-job-data-'));
    const prefix = uniqueTestPrefix('job');
    const redis = testConnection();
    try {
      cpSync(join(import.meta.dirname, '../config'), configDir, { recursive: true });
      const syncFile = join(configDir, 'sync.yaml');
      writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_leads: { every: 5m }', 'sync_leads: { every: 1s }').replace('indexing_lag: 30s', 'indexing_lag: 0s'));
      const env = loadEnv({ ...sandbox.connectionInfo().env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LEADLOOP_PREFIX: prefix, LEADLOOP_CONFIG_DIR: configDir, LEADLOOP_DATA_DIR: dataDir }, { needs: ['hubspot', 'salesforce'] });
      const { config } = await loadConfigDirOrThrow(configDir);
      await setupHubSpot(createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl }), config.mapping);

      const running = await startWorker(env);
      const completed: unknown[] = [];
      running.worker.on('completed', (_job, result) => completed.push(result));
      const deadline = Date.now() + 20_000;
      while (completed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const schedulers = await running.queues.sync.getJobSchedulers();
      await running.stop();
      expect(schedulers.map((s) => s.key)).toEqual(['sync-leads']);

      expect(completed.length).toBeGreaterThanOrEqual(3);
      const [first, ...later] = completed as { pulled: number; created: number; scored: number }[];
      expect(first!.pulled).toBe(300);
      expect(first!.created).toBeGreaterThan(0);
      expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toHaveLength(first!.created + (first as unknown as { adopted: number }).adopted);
      // Later cycles find nothing new to score: the write-back does not loop.
      for (const run of later) expect(run.scored).toBe(0);
    } finally {
      await sandbox.close();
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
      rmSync(configDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sync-leads job when Salesforce\'s daily allocation is spent', () => {
  it('pauses Salesforce work instead of dead-lettering records, and the job is kept for later', async () => {
    const sandbox = await startSandbox({ contacts: 300, seed: 13, salesforce: { dailyApiLimit: 4 } });
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-job-config-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-job-data-'));
    const prefix = uniqueTestPrefix('job-limit');
    const redis = testConnection();
    try {
      cpSync(join(import.meta.dirname, '../config'), configDir, { recursive: true });
      const syncFile = join(configDir, 'sync.yaml');
      writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_leads: { every: 5m }', 'sync_leads: { every: 1s }').replace('indexing_lag: 30s', 'indexing_lag: 0s'));
      const env = loadEnv({ ...sandbox.connectionInfo().env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LEADLOOP_PREFIX: prefix, LEADLOOP_CONFIG_DIR: configDir, LEADLOOP_DATA_DIR: dataDir }, { needs: ['hubspot', 'salesforce'] });
      const { config } = await loadConfigDirOrThrow(configDir);
      await setupHubSpot(createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl }), config.mapping);
      const running = await startWorker(env);
      const pause = new PauseControl({ redis, prefix, queues: [] });
      const deadline = Date.now() + 15_000;
      let until: number | null = null;
      while (until === null && Date.now() < deadline) {
        until = await pause.pausedUntil('salesforce');
        await new Promise((r) => setTimeout(r, 100));
      }
      const delayed = await running.queues.sync.getDelayedCount();
      const failed = await running.queues.sync.getFailedCount();
      await running.stop();
      expect(until).toBeGreaterThan(Date.now());
      expect(delayed).toBeGreaterThanOrEqual(1);
      expect(failed).toBe(0);
      const { DeadLetterList } = await import('../src/queue/dead-letter.ts');
      expect(await new DeadLetterList(redis, prefix).list()).toEqual([]);
    } finally {
      await sandbox.close();
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
      rmSync(configDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
