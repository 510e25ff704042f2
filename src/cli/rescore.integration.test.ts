import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../../test/support/cli.ts';
import { deleteKeysWithPrefix, testConnection } from '../../test/support/redis.ts';
import { startSandbox } from '../sandbox/server.ts';
import { openLedger } from '../store/ledger.ts';

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('leadloop rescore --once', () => {
  it('prints a JSON summary as its last line: the due contacts reviewed, each once; a dry run lists its writes and makes none', async () => {
    const sandbox = await startSandbox({ contacts: 200, seed: 8 });
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-cli-rescore-'));
    const env = {
      ...sandbox.connectionInfo().env,
      LEADLOOP_PREFIX: `test-cli-rescore-${process.pid}-${Date.now()}`,
      LEADLOOP_DATA_DIR: dataDir,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'silent',
    };
    try {
      expect((await runCliAsync(['rescore'], env)).code).toBe(2);
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      expect((await runCliAsync(['sync', 'leads', '--once'], env)).code).toBe(0);
      const idle = await runCliAsync(['rescore', '--once'], env);
      expect(idle.code).toBe(0);
      expect(lastJson(idle.stdout)).toMatchObject({ ok: true, dryRun: false, reviewed: 0, missing: 0 });

      // Make ten contacts due now, as the passing weeks would (the CLI runs on the real clock).
      const ledger = await openLedger({ dataDir });
      const due = (await ledger.db.selectFrom('contact_scores').select('hubspot_contact_id').where('review_at', 'is not', null).orderBy('hubspot_contact_id').limit(10).execute()).map(
        (r) => r.hubspot_contact_id,
      );
      await ledger.db
        .updateTable('contact_scores')
        .set({ review_at: new Date(Date.now() - 60_000) })
        .where('hubspot_contact_id', 'in', due)
        .execute();
      await ledger.close();
      expect(due).toHaveLength(10);

      const dry = await runCliAsync(['rescore', '--once', '--dry-run'], env);
      expect(dry.code).toBe(0);
      const planned = dry.stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).wouldWrite);
      expect(
        planned
          .filter((w) => w.operation === 'score-record')
          .map((w) => w.key)
          .sort(),
      ).toEqual(due);
      expect(lastJson(dry.stdout)).toMatchObject({ ok: true, dryRun: true, reviewed: 10, plannedWrites: planned.length });

      const real = await runCliAsync(['rescore', '--once'], env);
      expect(real.code).toBe(0);
      expect(lastJson(real.stdout)).toMatchObject({ ok: true, dryRun: false, reviewed: 10, pulled: 10, scored: 10, missing: 0 });
      expect(lastJson((await runCliAsync(['rescore', '--once'], env)).stdout)).toMatchObject({ reviewed: 0 });
    } finally {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
      const redis = testConnection();
      await deleteKeysWithPrefix(redis, env.LEADLOOP_PREFIX);
      redis.disconnect();
    }
  }, 240_000); // seven CLI runs, each starting Node, PGlite and the Salesforce session
});
