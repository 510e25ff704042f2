import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPEN_GATE } from '../api-gate.ts';
import { hubspotAdapters } from '../app.ts';
import { startWorker } from '../cli/start.ts';
import { setupHubSpot } from '../pipeline/setup.ts';
import { startSandbox } from '../sandbox/server.ts';
import { findConfigVersion } from '../store/configVersions.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';
import { until } from '../../test/support/leadloop.ts';
import { loadEnv } from './env.ts';
import { loadConfigDirOrThrow } from './load.ts';
import { configReloadMetrics } from './reload.ts';

async function reloads(result: 'applied' | 'refused'): Promise<number> {
  const metric = await configReloadMetrics().reloads.get();
  return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('live config (a running worker)', () => {
  it('applies a valid change of the folder within seconds, schedules included, and refuses an invalid one, keeping the last good version', async () => {
    const sandbox = await startSandbox({ contacts: 20, seed: 5 });
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-reload-config-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-reload-data-'));
    const prefix = uniqueTestPrefix('reload');
    const redis = testConnection();
    try {
      cpSync(join(import.meta.dirname, '../../config'), configDir, { recursive: true });
      appendFileSync(join(configDir, 'sync.yaml'), '\nconfig_reload: { every: 1s }\n');
      const env = loadEnv(
        {
          ...sandbox.connectionInfo().env,
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          LEADLOOP_PREFIX: prefix,
          LEADLOOP_CONFIG_DIR: configDir,
          LEADLOOP_DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
        },
        { needs: ['hubspot', 'salesforce'] },
      );
      const first = await loadConfigDirOrThrow(configDir);
      const portal = hubspotAdapters(env, first.config, OPEN_GATE);
      await setupHubSpot(portal.hubspot, portal.deals, first.config.mapping);
      const running = await startWorker(env);
      try {
        expect(running.live.current.version).toBe(first.version);
        expect(await findConfigVersion(running.ledger.db, first.version)).toBeDefined();
        const applied = await reloads('applied');
        const refused = await reloads('refused');

        // A valid change: a higher MQL threshold, and the feedback every 7 minutes instead of 15.
        const scoringFile = join(configDir, 'scoring.yaml');
        const syncFile = join(configDir, 'sync.yaml');
        const threshold = first.config.scoring.mql.min_score;
        writeFileSync(scoringFile, readFileSync(scoringFile, 'utf8').replace(`min_score: ${threshold}`, `min_score: ${threshold + 5}`));
        writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_feedback: { every: 15m }', 'sync_feedback: { every: 7m }'));
        const second = await loadConfigDirOrThrow(configDir);
        await until(
          () => reloads('applied'),
          (n) => n === applied + 1,
          20_000,
        );
        expect(running.live.current.version).toBe(second.version);
        expect(running.live.current.config.scoring.mql.min_score).toBe(threshold + 5);
        expect(await findConfigVersion(running.ledger.db, second.version)).toMatchObject({ files: { 'scoring.yaml': readFileSync(scoringFile, 'utf8') } });
        await until(
          async () => (await running.queues.sync.getJobScheduler('sync-feedback'))?.every,
          (every) => Number(every) === 7 * 60_000,
          10_000,
        );
        const info = await configReloadMetrics().info.get();
        expect(info.values).toEqual([{ labels: { version: second.version }, value: 1 }]);

        // An invalid change: refused, counted, and the worker goes on with the last good version.
        writeFileSync(scoringFile, readFileSync(scoringFile, 'utf8').replace(`min_score: ${threshold + 5}`, 'min_score: lots'));
        await until(
          () => reloads('refused'),
          (n) => n === refused + 1,
          20_000,
        );
        expect(running.live.current.version).toBe(second.version);
        expect(running.live.current.config.scoring.mql.min_score).toBe(threshold + 5);
        expect((await configReloadMetrics().info.get()).values).toEqual([{ labels: { version: second.version }, value: 1 }]);
        // Refused once, not at every look.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(await reloads('refused')).toBe(refused + 1);
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
  }, 90_000);
});
