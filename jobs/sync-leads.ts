import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseDuration } from '../src/domain/config/duration.ts';
import type { SyncConfig } from '../src/domain/config/sync.ts';
import type { SyncDeps, SyncSummary } from '../src/pipeline/ports.ts';
import { assertPreflight } from '../src/pipeline/preflight.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { whileHolding } from '../src/queue/lease.ts';
import type { ScheduleSpec } from '../src/queue/schedules.ts';

/** The scheduled lead sync: one cycle per job on the `sync` queue (global concurrency 1). */
export const name = 'sync-leads';
export const queue = 'sync';

/**
 * The schedule from sync.yaml. A BullMQ scheduler adds the next job when the last one starts,
 * so a long cycle is kept from overlapping by the queue's concurrency and the Redis lease.
 */
export function schedule(sync: Pick<SyncConfig, 'schedules'>): ScheduleSpec | undefined {
  const s = sync.schedules.sync_leads;
  if (!s.enabled) return undefined;
  return { name, queue, jobName: name, ...(s.every ? { every: parseDuration(s.every) } : { pattern: s.cron! }) };
}

/** Runs one cycle under the same lease `sync leads --once` takes; a held lease means another cycle runs. */
export async function run(job: Job, signal: AbortSignal, context: { deps: SyncDeps; redis: Redis; prefix: string; indexingLagMs: number }): Promise<SyncSummary | { skipped: string }> {
  const outcome = await whileHolding(context.redis, context.prefix, name, async () => {
    // Setup's preflight (cached 10 minutes): a blocking problem holds the cycle back before any write.
    await assertPreflight(context.deps, context);
    // A first run is a backfill that can take minutes: its progress shows on the job (bull-board, getJob).
    return syncLeads(context.deps, {
      indexingLagMs: context.indexingLagMs,
      onProgress: (p) => void job.updateProgress({ pulled: p.pulled, ...(p.total ? { total: p.total, percent: Math.floor((100 * p.pulled) / p.total) } : {}) }).catch(() => undefined),
    });
  }, { signal });
  return outcome.held ? outcome.value : { skipped: 'another lead sync holds the lease' };
}
