import type { JobDefinition } from './job.ts';
import { WAKE_SLOT_MS } from './job.ts';
import type { LeadloopQueues } from './queues.ts';

/**
 * JobHelpers.wake for a worker: a delayed job per wake-up slot, with a job id naming the job and
 * the slot, so asking twice for the same slot (a burst of hand-offs, a check and the sweep after
 * it) adds one job. Times in the past run now.
 */
export function queueWake(
  queues: LeadloopQueues,
  jobs: readonly Pick<JobDefinition, 'name' | 'queue'>[],
): (jobName: string, times: readonly number[], data?: Record<string, unknown>) => Promise<void> {
  return async (jobName, times, data = {}) => {
    const job = jobs.find((j) => j.name === jobName);
    if (!job) throw new Error(`no job named "${jobName}" to wake`);
    const now = Date.now();
    const slots = new Set(times.map((t) => Math.ceil(t / WAKE_SLOT_MS) * WAKE_SLOT_MS));
    for (const slot of slots) {
      await queues[job.queue].add(jobName, data, { jobId: `${jobName}@${slot}`, delay: Math.max(0, slot - now) });
    }
  };
}
