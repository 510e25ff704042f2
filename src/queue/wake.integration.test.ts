import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';
import { WAKE_SLOT_MS } from './job.ts';
import { closeQueues, createQueues, type LeadloopQueues } from './queues.ts';
import { queueWake } from './wake.ts';

const prefix = uniqueTestPrefix('wake');
const client = testConnection('client');
let queues: LeadloopQueues | undefined;

afterAll(async () => {
  if (queues) await closeQueues(queues);
  await deleteKeysWithPrefix(client, prefix);
  client.disconnect();
});

describe('waking a job at its times (real Redis + BullMQ)', () => {
  it('adds one delayed job per slot, due at the slot, however many times the slot is asked for', async () => {
    queues = await createQueues(client, prefix);
    const wake = queueWake(queues, [{ name: 'check-sla', queue: 'maintenance' }]);
    const base = Math.ceil((Date.now() + 3_600_000) / WAKE_SLOT_MS) * WAKE_SLOT_MS;
    // Three reminders within one slot, a breach in the next, and the same times asked again (a second check).
    await wake('check-sla', [base - 5_000, base - 1_000, base, base + 1]);
    await wake('check-sla', [base, base + WAKE_SLOT_MS]);
    const delayed = await queues.maintenance.getDelayed();
    expect(delayed.map((j) => j.id).sort()).toEqual([`check-sla@${base}`, `check-sla@${base + WAKE_SLOT_MS}`]);
    for (const job of delayed) {
      expect(job.name).toBe('check-sla');
      const slot = Number(job.id!.split('@')[1]);
      // Due at its slot (BullMQ keeps the delay from the time it was added).
      expect(Math.abs(job.timestamp + job.opts.delay! - slot)).toBeLessThan(1_000);
    }
  });

  it('runs a time already past at once, and refuses a job it does not know', async () => {
    const wake = queueWake(queues!, [{ name: 'check-sla', queue: 'maintenance' }]);
    await wake('check-sla', [Date.now() - 60_000]);
    // Ready now (the maintenance queue's jobs carry a priority, so they wait as prioritized).
    expect((await queues!.maintenance.getJobs(['waiting', 'prioritized'])).map((j) => j.name)).toContain('check-sla');
    await expect(wake('no-such-job', [Date.now()])).rejects.toThrow('no job named "no-such-job"');
  });
});
