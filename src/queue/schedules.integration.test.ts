import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSchedule, syncSchedules } from './schedules.ts';
import { closeQueues, createQueues, type LeadloopQueues } from './queues.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

const prefix = uniqueTestPrefix('schedules');
const redis = testConnection();
let queues: LeadloopQueues;

afterAll(async () => {
  if (queues) await closeQueues(queues);
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('syncSchedules (real Redis + BullMQ)', () => {
  it('creates the queues; the sync queue runs one job at a time across all workers', async () => {
    queues = await createQueues(redis, prefix);
    expect(await queues.sync.getGlobalConcurrency()).toBe(1);
    expect(await queues.handoff.getGlobalConcurrency()).toBeNull();
  });

  it('upserting the same schedules twice leaves one scheduler each', async () => {
    const specs = [
      { name: 'sync-leads', queue: 'sync', every: 300_000, data: { mode: 'incremental' } },
      { name: 'check-sla', queue: 'maintenance', pattern: '*/15 * * * *', tz: 'Europe/Berlin' },
    ];
    await syncSchedules(queues, specs);
    await syncSchedules(queues, specs);
    const sync = await queues.sync.getJobSchedulers();
    expect(sync).toHaveLength(1);
    expect(sync[0]).toMatchObject({ key: 'sync-leads', name: 'sync-leads', every: 300_000 });
    const maintenance = await queues.maintenance.getJobSchedulers();
    expect(maintenance).toMatchObject([{ key: 'check-sla', pattern: '*/15 * * * *', tz: 'Europe/Berlin' }]);
    // A scheduler keeps exactly one next job waiting, however often it is upserted.
    const counts = await queues.sync.getJobCounts('delayed', 'waiting', 'prioritized');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('changes a schedule in place and removes the ones no longer configured', async () => {
    const result = await syncSchedules(queues, [{ name: 'sync-leads', queue: 'sync', every: 120_000 }]);
    expect(result.removed).toEqual(['maintenance/check-sla']);
    expect(await queues.maintenance.getJobSchedulers()).toEqual([]);
    expect(await queues.sync.getJobSchedulers()).toMatchObject([{ key: 'sync-leads', every: 120_000 }]);
  });

  it('refuses a schedule with both or neither of every and pattern, or an unknown queue', async () => {
    await expect(syncSchedules(queues, [{ name: 'x', queue: 'sync' }])).rejects.toBeInstanceOf(InvalidSchedule);
    await expect(syncSchedules(queues, [{ name: 'x', queue: 'sync', every: 60_000, pattern: '* * * * *' }])).rejects.toBeInstanceOf(InvalidSchedule);
    await expect(syncSchedules(queues, [{ name: 'x', queue: 'nope', every: 60_000 }])).rejects.toBeInstanceOf(InvalidSchedule);
    // A refused set changes nothing.
    expect(await queues.sync.getJobSchedulers()).toHaveLength(1);
  });
});
