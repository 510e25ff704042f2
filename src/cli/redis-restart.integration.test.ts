import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { until, withLeadloop } from '../../test/support/leadloop.ts';
import { freePort, redisAnswers } from './demo-redis.ts';

/**
 * A redis-server of this test's own (nothing kept on disk), killed and started again on the same
 * port: every key is gone and every connection dropped, as after a restart without persistence or
 * a failover to an empty replica.
 */
class OwnRedis {
  readonly url: string;
  #child: ChildProcess | undefined;
  readonly #port: number;

  private constructor(port: number) {
    this.#port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    this.#child = spawn('redis-server', ['--port', String(this.#port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await redisAnswers(this.url)); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await redisAnswers(this.url))) throw new Error(`redis-server did not start on port ${this.#port}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

const installed = !spawnSync('redis-server', ['--version']).error;
let own: OwnRedis | undefined;
afterEach(async () => {
  await own?.stop();
  own = undefined;
});

describe('Redis restarts empty under a running worker', () => {
  it.skipIf(!installed)(
    'the worker puts its schedules back: the scheduled sync runs again, one cycle at a time, and writes nothing twice',
    async () => {
      own = await OwnRedis.start();
      const redisServer = own;
      await withLeadloop(
        {
          sandbox: { contacts: 300, seed: 13 },
          role: 'worker',
          env: { REDIS_URL: redisServer.url },
          editConfig: (file, text) =>
            file === 'sync.yaml' ? text.replace('sync_leads: { every: 5m, enabled: false }', 'sync_leads: { every: 1s }').replace('indexing_lag: 30s', 'indexing_lag: 0s') : text,
        },
        async ({ sandbox, running }) => {
          const completed: { pulled: number; created: number; scored: number }[] = [];
          // The feedback shares the sync queue (its own schedule): only the lead sync's cycles count here.
          running.worker!.on('completed', (job, result) => {
            if (job.name === 'sync-leads') completed.push(result as (typeof completed)[number]);
          });
          expect(
            await until(
              () => completed.length,
              (n) => n >= 1,
              30_000,
            ),
          ).toBeGreaterThanOrEqual(1);
          const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length;
          expect(leads).toBeGreaterThan(0);

          await redisServer.stop();
          await redisServer.start();
          const before = completed.length;
          // The schedulers, the next job and the sync queue's one-at-a-time setting were in Redis. With
          // its cursor gone the next cycle reads everyone again (a backfill), and finds them unchanged:
          // their fingerprints are in the ledger.
          const backfilled = () => completed.slice(before).some((c) => c.pulled === 300);
          expect(await until(backfilled, Boolean, 30_000), 'no sync cycle ran after Redis came back empty').toBe(true);
          expect((await running.queues.sync.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['sync-feedback', 'sync-leads']);
          expect((await running.queues.maintenance.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['check-sla', 'prune-traces', 'rescore-leads']);
          expect(await running.queues.sync.getGlobalConcurrency()).toBe(1);
          for (const cycle of completed.slice(before)) expect(cycle).toMatchObject({ scored: 0, created: 0 });
          expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toHaveLength(leads);
        },
      );
    },
    120_000,
  );
});
