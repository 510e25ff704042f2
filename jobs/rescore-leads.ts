import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseDuration } from '../src/domain/config/duration.ts';
import type { SyncConfig } from '../src/domain/config/sync.ts';
import type { SyncDeps } from '../src/pipeline/ports.ts';
import { assertPreflight } from '../src/pipeline/preflight.ts';
import { rescoreLeads, type RescoreSummary } from '../src/pipeline/rescoreLeads.ts';
import { whileHolding } from '../src/queue/lease.ts';
import type { ScheduleSpec } from '../src/queue/schedules.ts';

/** The daily rescore: re-grades the contacts whose grade decay may have changed, on the `maintenance` queue. */
export const name = 'rescore-leads';
export const queue = 'maintenance';

/** The schedule from sync.yaml `schedules.rescore`; none when it is absent or disabled. */
export function schedule(sync: Pick<SyncConfig, 'schedules'>): ScheduleSpec | undefined {
  const s = sync.schedules.rescore;
  if (!s?.enabled) return undefined;
  return { name, queue, jobName: name, ...(s.every ? { every: parseDuration(s.every) } : { pattern: s.cron! }) };
}

/** Runs one rescore under its own lease (`rescore --once` takes it too); a held lease means another rescore runs. */
export async function run(job: Job, signal: AbortSignal, context: { deps: SyncDeps; redis: Redis; prefix: string }): Promise<RescoreSummary | { skipped: string }> {
  const outcome = await whileHolding(context.redis, context.prefix, name, async () => {
    // The same preflight as the sync: a blocking setup problem holds the job back before any write.
    await assertPreflight(context.deps, context);
    const summary = await rescoreLeads(context.deps);
    await job.updateProgress(100);
    return summary;
  }, { signal });
  return outcome.held ? outcome.value : { skipped: 'another rescore holds the lease' };
}
