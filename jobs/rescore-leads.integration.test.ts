import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/domain/config/duration.ts';
import type { RescoreSummary } from '../src/pipeline/rescoreLeads.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { runJob } from '../src/queue/job.ts';
import { createRedisConnection } from '../src/queue/connection.ts';
import { Lease } from '../src/queue/lease.ts';
import { PauseControl } from '../src/queue/pause.ts';
import { closeQueues, createQueues } from '../src/queue/queues.ts';
import { scheduleSpecs, syncSchedules } from '../src/queue/schedules.ts';
import { createLeadloopWorker } from '../src/queue/worker.ts';
import { startSandbox } from '../src/sandbox/server.ts';
import { until } from '../test/support/leadloop.ts';
import { sandboxApp, SHIPPED_CONFIG_DIR } from '../test/support/pipeline.ts';
import { rescoreLeadsJob } from './rescore-leads.ts';

const DAY = 86_400_000;

describe('rescore-leads job (BullMQ scheduler + maintenance worker)', () => {
  it('takes its schedule from sync.yaml: the daily cron by default, none when disabled', () => {
    expect(scheduleSpecs([rescoreLeadsJob], { sync_leads: { every: '5m', enabled: true }, rescore: { cron: '0 3 * * *', enabled: true } }, parseDuration)).toEqual([
      { name: 'rescore-leads', queue: 'maintenance', jobName: 'rescore-leads', pattern: '0 3 * * *' },
    ]);
    expect(scheduleSpecs([rescoreLeadsJob], { sync_leads: { every: '5m', enabled: true }, rescore: { cron: '0 3 * * *', enabled: false } }, parseDuration)).toEqual([]);
    expect(scheduleSpecs([rescoreLeadsJob], { sync_leads: { every: '5m', enabled: true } }, parseDuration)).toEqual([]);
  });

  it('re-grades the due contacts on the schedule; later runs find nothing due; a held lease skips the run', async () => {
    const sandbox = await startSandbox({ contacts: 300, seed: 13 });
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-job-config-'));
    cpSync(SHIPPED_CONFIG_DIR, configDir, { recursive: true });
    const syncFile = join(configDir, 'sync.yaml');
    const yaml = readFileSync(syncFile, 'utf8');
    expect(yaml).toContain('rescore: { cron: "0 3 * * *" }');
    writeFileSync(syncFile, yaml.replace('rescore: { cron: "0 3 * * *" }', 'rescore: { every: 1s }'));
    const t0 = Date.now();
    let clock = t0;
    const app = await sandboxApp(sandbox, { label: 'rescore-job', configDir, now: () => clock });
    const queues = await createQueues(app.redis, app.prefix);
    const connection = createRedisConnection({ url: app.env.redisUrl }, 'worker');
    try {
      await syncLeads(app.deps, { indexingLagMs: 0 });
      // Three weeks later: decay has moved some grades.
      const t1 = t0 + 21 * DAY;
      clock = t1;
      await syncSchedules(queues, scheduleSpecs([rescoreLeadsJob], app.config.sync.schedules, parseDuration));
      const pause = new PauseControl({ redis: app.redis, prefix: app.prefix, queues: Object.values(queues) });
      const worker = createLeadloopWorker({
        queue: 'maintenance',
        connection,
        prefix: app.prefix,
        pause,
        systems: ['hubspot', 'salesforce'],
        processor: (job, signal) => runJob(rescoreLeadsJob, job.data as never, app, { signal }),
      });
      try {
        const completed: (RescoreSummary | { skipped: string })[] = [];
        worker.worker.on('completed', (_job, result) => completed.push(result as RescoreSummary));
        await until(
          () => completed.length,
          (n) => n >= 3,
          20_000,
        );
        expect((await queues.maintenance.getJobSchedulers()).map((s) => s.key)).toEqual(['rescore-leads']);
        const [first, ...later] = completed as RescoreSummary[];
        expect(first!.reviewed).toBeGreaterThan(0);
        expect(first!.regraded).toBeGreaterThan(0);
        expect(first!.writtenBack).toBeGreaterThan(0);
        for (const run of later) expect(run).toMatchObject({ reviewed: 0, scored: 0, writtenBack: 0 });
        const regradedInHubSpot = (await app.ledger.db.selectFrom('contact_scores').selectAll().where('scored_at', '=', new Date(t1)).execute()).filter(
          (r) => sandbox.hubspot.getContact(r.hubspot_contact_id)?.properties.leadloop_grade === r.grade,
        );
        expect(regradedInHubSpot.length).toBe(first!.reviewed);
        // `rescore --once` holds the same lease: the scheduled run steps aside instead of overlapping.
        const lease = await Lease.acquire(app.redis, app.prefix, 'rescore-leads', { ttlMs: 60_000 });
        try {
          const seen = completed.length;
          await until(
            () => completed.length,
            (n) => n > seen,
            10_000,
          );
          expect(completed.slice(seen)[0]).toMatchObject({ skipped: 'another rescore-leads run holds the lease' });
        } finally {
          await lease.release();
        }
      } finally {
        await worker.shutdown();
      }
    } finally {
      await closeQueues(queues);
      connection.disconnect();
      await app.close();
      await sandbox.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
