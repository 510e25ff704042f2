import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.ts';
import { runCliAsync } from '../support/cli.ts';
import { deleteKeysWithPrefix, testConnection } from '../support/redis.ts';

describe('leadloop config simulate and explain on the stored decisions', () => {
  it('after a sync, simulate shows the MQLs a raised threshold loses, writing nothing; explain shows the stored trace with its version', async () => {
    const sandbox = await startSandbox({ contacts: 300, seed: 13, salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-simulate-data-'));
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-simulate-config-'));
    const proposedDir = mkdtempSync(join(tmpdir(), 'leadloop-simulate-proposed-'));
    cpSync('config', configDir, { recursive: true });
    const env = {
      ...sandbox.connectionInfo().env,
      LEADLOOP_PREFIX: `test-simulate-${process.pid}-${Date.now()}`,
      LEADLOOP_DATA_DIR: dataDir,
      LEADLOOP_CONFIG_DIR: configDir,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'silent',
    };
    try {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      expect((await runCliAsync(['sync', 'leads', '--once'], env)).code).toBe(0);
      cpSync(configDir, proposedDir, { recursive: true });
      const scoring = readFileSync(join(proposedDir, 'scoring.yaml'), 'utf8');
      const threshold = Number(/min_score: (\d+)/.exec(scoring)![1]);
      writeFileSync(join(proposedDir, 'scoring.yaml'), scoring.replace(`min_score: ${threshold}`, `min_score: ${threshold + 15}`));

      const json = await runCliAsync(['config', 'simulate', '--dir', proposedDir, '--format', 'json'], env);
      expect(json.code).toBe(0);
      const result = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
      expect(result.diff.decisions).toBeGreaterThan(100);
      expect(result.diff.asRecorded).toBe(result.diff.decisions);
      expect(result.diff.mql.gained).toEqual([]);
      expect(result.diff.mql.lost.length).toBeGreaterThan(0);
      expect(result.diff.mql.proposed).toBe(result.diff.mql.current - result.diff.mql.lost.length);
      expect(result.current.version).not.toBe(result.proposed.version);

      // The same decisions under the same config: nothing changes.
      const same = JSON.parse((await runCliAsync(['config', 'simulate', '--dir', configDir, '--format', 'json', '--last', '50'], env)).stdout.trim().split('\n').at(-1)!);
      expect(same.diff).toMatchObject({ decisions: 50, gradeChanges: 0, reassigned: [], mql: { gained: [], lost: [] }, handoffs: { gained: [], lost: [] } });

      const table = await runCliAsync(['config', 'simulate', '--dir', proposedDir, '--since', '2000-01-01'], env);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(`MQLs lost: ${result.diff.mql.lost.length}`);
      expect(table.stdout).toMatch(/Load per owner/);

      const usage = await runCliAsync(['config', 'simulate', '--dir', proposedDir, '--last', '5', '--since', '2000-01-01'], env);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('give --last or --since, not both');

      expect(result.diff.handoffs.lost.length).toBeGreaterThan(0);
      const lost = result.diff.handoffs.lost[0] as string;
      const explained = await runCliAsync(['explain', lost], env);
      expect(explained.code).toBe(0);
      expect(explained.stdout).toMatch(new RegExp(`Stored decision of ${lost} \\(first\\) — decided \\S+ under config ${result.current.version}: handed off`));
      expect(explained.stdout).toMatch(/Landed: (Lead|Contact) /);
    } finally {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(configDir, { recursive: true, force: true });
      rmSync(proposedDir, { recursive: true, force: true });
      const redis = testConnection();
      await deleteKeysWithPrefix(redis, env.LEADLOOP_PREFIX);
      redis.disconnect();
    }
  }, 180_000);
});
