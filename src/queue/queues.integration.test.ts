import { afterAll, describe, expect, it } from 'vitest';
import { Worker, type Job } from 'bullmq';
import { closeQueues, createQueues, handoffJobOptions, type LeadloopQueues } from './queues.ts';
import { checkEvictionPolicy } from './connection.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

const prefix = uniqueTestPrefix('queues');
const client = testConnection('client');
const blocking = testConnection('worker');
let queues: LeadloopQueues;
let worker: Worker | undefined;

afterAll(async () => {
  await worker?.close(true);
  if (queues) await closeQueues(queues);
  await deleteKeysWithPrefix(client, prefix);
  client.disconnect();
  blocking.disconnect();
});

describe('queues (real Redis + BullMQ)', () => {
  it('the test Redis runs with noeviction, as BullMQ requires', async () => {
    expect(await checkEvictionPolicy(client)).toEqual({ ok: true, policy: 'noeviction' });
  });

  it('hand-offs for one contact: events while waiting collapse, an event while active runs after it', async () => {
    queues = await createQueues(client, prefix);
    await queues.handoff.add('handoff-lead', { contactId: '501', event: 1 }, handoffJobOptions('501'));
    await queues.handoff.add('handoff-lead', { contactId: '501', event: 2 }, handoffJobOptions('501'));
    await queues.handoff.add('handoff-lead', { contactId: '502', event: 1 }, handoffJobOptions('502'));
    expect(await queues.handoff.count()).toBe(2);

    const seen: string[] = [];
    let releaseFirst!: () => void;
    const firstRunning = new Promise<void>((resolve) => {
      worker = new Worker(
        'handoff',
        async (job: Job<{ contactId: string; event: number }>) => {
          seen.push(`${job.data.contactId}#${job.data.event}`);
          if (seen.length === 1) {
            resolve();
            await new Promise<void>((r) => (releaseFirst = r));
          }
        },
        { connection: blocking, prefix },
      );
    });
    await firstRunning;
    // Contact 501's job is active: these arrive during it; only the last is kept.
    await queues.handoff.add('handoff-lead', { contactId: '501', event: 3 }, handoffJobOptions('501'));
    await queues.handoff.add('handoff-lead', { contactId: '501', event: 4 }, handoffJobOptions('501'));
    releaseFirst();
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toHaveLength(3);
    expect(seen.filter((s) => s.startsWith('501'))).toEqual(['501#1', '501#4']);
    expect(seen).toContain('502#1');
  });

  it('a queue error (Redis gone) is a log record naming the queue and the error class, not lines on stderr', async () => {
    const records: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger = { error: (obj: Record<string, unknown>, msg: string) => records.push({ obj, msg }), warn: () => undefined, info: () => undefined };
    const own = await createQueues(client, `${prefix}-errors`, logger as never);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390 for jane@example.com'), { code: 'ECONNREFUSED' });
    own.sync.emit('error', refused);
    await closeQueues(own);
    expect(records).toEqual([{ obj: { queue: 'sync', error: 'Error (ECONNREFUSED)' }, msg: 'queue error' }]);
  });
});
