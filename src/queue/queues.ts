import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JITTERED_BACKOFF } from './backoff.ts';
import type { QueueLogger } from './connection.ts';
import { errorName } from './error-name.ts';

/**
 * - `sync`: scheduled lead sync (and backfill). Global concurrency 1: a BullMQ scheduler adds
 *   the next job when the last one starts, so a long run must not overlap the next one.
 * - `handoff`: webhook hand-offs, one job per contact, before anything else.
 * - `maintenance`: rescore, SLA checks, feedback, reconcile.
 */
export const QUEUE_NAMES = ['sync', 'handoff', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * BullMQ priorities: lower runs first, and 0 (no priority) runs before any prioritised job.
 * Used when hand-offs share a queue or a worker with scheduled work.
 */
export const JOB_PRIORITY = { handoff: 1, scheduled: 10, maintenance: 20 } as const;

/** Defaults for every job: how many attempts, how they back off, how long results stay. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  // Rate limits, budgets and pauses re-delay a job without spending an attempt (retry.ts);
  // attempts are spent only on failures that may pass (5xx, network).
  attempts: 8,
  backoff: { type: JITTERED_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export const QUEUE_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  sync: { ...DEFAULT_JOB_OPTIONS, priority: JOB_PRIORITY.scheduled },
  handoff: { ...DEFAULT_JOB_OPTIONS, priority: JOB_PRIORITY.handoff, attempts: 10 },
  maintenance: { ...DEFAULT_JOB_OPTIONS, priority: JOB_PRIORITY.maintenance },
};

export type LeadloopQueues = Record<QueueName, Queue>;

export async function createQueues(connection: Redis, prefix: string, logger?: QueueLogger): Promise<LeadloopQueues> {
  const queues = {} as LeadloopQueues;
  for (const name of QUEUE_NAMES) {
    queues[name] = new Queue(name, { connection, prefix, defaultJobOptions: QUEUE_JOB_OPTIONS[name] });
    // Without a listener a Redis outage prints multi-line errors on stderr, outside the JSON log.
    queues[name].on('error', (error) => logger?.error({ queue: name, error: errorName(error) }, 'queue error'));
  }
  await applyQueueSettings(queues);
  return queues;
}

/** What the queues keep in Redis of their own settings: the sync queue runs one job at a time across all workers. */
export async function applyQueueSettings(queues: LeadloopQueues): Promise<void> {
  await queues.sync.setGlobalConcurrency(1);
}

/** Whether Redis still holds those settings (it loses them when it restarts empty). */
export async function queueSettingsInPlace(queues: LeadloopQueues): Promise<boolean> {
  return (await queues.sync.getGlobalConcurrency()) === 1;
}

export async function closeQueues(queues: LeadloopQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/**
 * Options of the `handoff-lead` job for one contact: deduplicated per contact, and an event
 * that arrives while that contact's job is running is kept and processed after it
 * (BullMQ `keepLastIfActive`), so a change during processing is never lost.
 */
export function handoffJobOptions(contactId: string): JobsOptions {
  return {
    ...QUEUE_JOB_OPTIONS.handoff,
    deduplication: { id: `handoff:${contactId}`, keepLastIfActive: true },
  };
}
