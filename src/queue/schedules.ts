import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueLogger } from './connection.ts';
import { applyQueueSettings, type LeadloopQueues, queueSettingsInPlace } from './queues.ts';

/** One schedule of sync.yaml: a job added to `queue` every `every` ms or on a cron `pattern`. */
export interface ScheduleSpec {
  /** Scheduler id, unique per queue (e.g. `sync-leads`). */
  name: string;
  queue: string;
  every?: number;
  pattern?: string;
  /** IANA zone for `pattern`. Default the process's. */
  tz?: string;
  /** Job name; default `name`. */
  jobName?: string;
  data?: Record<string, unknown>;
}

export class InvalidSchedule extends Error {
  override name = 'InvalidSchedule';
}

export interface ScheduleSyncResult {
  upserted: string[];
  removed: string[];
}

/**
 * Makes the queues' job schedulers equal to `specs`: upserts each (BullMQ's
 * `upsertJobScheduler` updates in place, so running it twice leaves one scheduler) and
 * removes the schedulers no longer configured.
 */
export async function syncSchedules(queues: Record<string, Queue>, specs: readonly ScheduleSpec[]): Promise<ScheduleSyncResult> {
  for (const spec of specs) validate(spec, queues);
  const result: ScheduleSyncResult = { upserted: [], removed: [] };
  for (const spec of specs) {
    const queue = queues[spec.queue] as Queue;
    const repeat = spec.pattern !== undefined ? { pattern: spec.pattern, ...(spec.tz !== undefined ? { tz: spec.tz } : {}) } : { every: spec.every as number };
    await queue.upsertJobScheduler(spec.name, repeat, { name: spec.jobName ?? spec.name, data: spec.data ?? {} });
    result.upserted.push(`${spec.queue}/${spec.name}`);
  }
  for (const [queueName, queue] of Object.entries(queues)) {
    const wanted = new Set(specs.filter((s) => s.queue === queueName).map((s) => s.name));
    for (const scheduler of await queue.getJobSchedulers()) {
      const id = scheduler.id ?? scheduler.key;
      if (wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      result.removed.push(`${queueName}/${id}`);
    }
  }
  return result;
}

function validate(spec: ScheduleSpec, queues: Record<string, Queue>): void {
  if (!queues[spec.queue]) throw new InvalidSchedule(`schedule "${spec.name}": unknown queue "${spec.queue}"`);
  const hasEvery = spec.every !== undefined;
  const hasPattern = spec.pattern !== undefined;
  if (hasEvery === hasPattern) throw new InvalidSchedule(`schedule "${spec.name}": give exactly one of every or pattern`);
  if (hasEvery && !(Number.isInteger(spec.every) && (spec.every as number) >= 1000)) {
    throw new InvalidSchedule(`schedule "${spec.name}": every must be a whole number of ms, at least 1000`);
  }
}

/**
 * The schedules sync.yaml sets for the jobs that have one (`schedule` names its key): every job
 * with an enabled entry gets a scheduler named after it; a disabled or absent entry, none.
 */
export function scheduleSpecs(
  jobs: readonly { name: string; queue: string; schedule?: string }[],
  schedules: Readonly<Record<string, { every?: string | undefined; cron?: string | undefined; enabled: boolean } | undefined>>,
  parseDuration: (text: string) => number,
): ScheduleSpec[] {
  return jobs.flatMap((job) => {
    const entry = job.schedule ? schedules[job.schedule] : undefined;
    if (!entry?.enabled) return [];
    return [{ name: job.name, queue: job.queue, jobName: job.name, ...(entry.every ? { every: parseDuration(entry.every) } : { pattern: entry.cron! }) }];
  });
}

/**
 * Puts back what a worker set up in Redis at its start — the job schedulers of `specs` and the
 * queues' own settings — each time `redis` (re)connects and finds something of it gone: Redis
 * restarted without persistence, or failed over to an empty replica. Without this the worker
 * reconnects, stays up, and no scheduled job is ever added again. A reconnect that finds
 * everything in place changes nothing. Returns a function that stops watching.
 */
export function keepSchedules(redis: Redis, queues: LeadloopQueues, specs: readonly ScheduleSpec[], logger?: QueueLogger): () => void {
  let checking = false;
  const check = async (): Promise<void> => {
    const gone: string[] = [];
    if (!(await queueSettingsInPlace(queues))) gone.push('queue settings');
    for (const spec of specs) if (!(await queues[spec.queue as keyof LeadloopQueues].getJobScheduler(spec.name))) gone.push(`${spec.queue}/${spec.name}`);
    if (gone.length === 0) return;
    await applyQueueSettings(queues);
    await syncSchedules(queues, specs);
    logger?.warn({ restored: gone }, 'Redis had lost the schedules (restarted empty?): put them back');
  };
  const onReady = (): void => {
    if (checking) return;
    checking = true;
    // A check that fails (Redis gone again) is done again at the next reconnect.
    check()
      .catch((error: unknown) => logger?.error({ error: error instanceof Error ? error.name : typeof error }, 'could not check the schedules after a Redis reconnect'))
      .finally(() => {
        checking = false;
      });
  };
  redis.on('ready', onReady);
  return () => {
    redis.off('ready', onReady);
  };
}
