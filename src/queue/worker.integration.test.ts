import { afterAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import { Registry } from 'prom-client';
import { createLeadloopWorker, type LeadloopProcessor, type LeadloopWorker } from './worker.ts';
import { PauseControl } from './pause.ts';
import { JITTERED_BACKOFF } from './backoff.ts';
import type { QueueSystem } from './retry.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';
import { ConfigInvalid } from '../config/load.ts';
import { AuthFailed, DailyLimit, RateLimited, Unavailable } from '../errors/index.ts';

const prefix = uniqueTestPrefix('worker');
const client = testConnection('client');
const blocking = testConnection('worker');
const opened: { queues: Queue[]; workers: LeadloopWorker[] } = { queues: [], workers: [] };

afterAll(async () => {
  await Promise.all(opened.workers.map((w) => w.worker.close(true)));
  await Promise.all(opened.queues.map((q) => q.close()));
  await deleteKeysWithPrefix(client, prefix);
  client.disconnect();
  blocking.disconnect();
});

interface Harness {
  queue: Queue;
  pause: PauseControl;
  registry: Registry;
  started: number[];
  lw: LeadloopWorker;
}

function setUp(
  name: string,
  processor: (job: Job, signal: AbortSignal, call: number) => Promise<unknown>,
  extra: { systems?: QueueSystem[]; salesforceDailyPauseMs?: number; shutdownTimeoutMs?: number } = {},
): Harness {
  const queue = new Queue(name, { connection: client, prefix });
  const registry = new Registry();
  const pause = new PauseControl({ redis: client, prefix, queues: [queue], registry });
  const started: number[] = [];
  const wrapped: LeadloopProcessor<unknown, unknown> = async (job, signal) => {
    started.push(Date.now());
    return processor(job, signal, started.length);
  };
  const lw = createLeadloopWorker({
    queue: name,
    processor: wrapped,
    connection: blocking,
    prefix,
    pause,
    systems: extra.systems ?? ['hubspot', 'salesforce'],
    ...(extra.salesforceDailyPauseMs !== undefined ? { salesforceDailyPauseMs: extra.salesforceDailyPauseMs } : {}),
    ...(extra.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: extra.shutdownTimeoutMs } : {}),
  });
  opened.queues.push(queue);
  opened.workers.push(lw);
  return { queue, pause, registry, started, lw };
}

function finished(h: Harness, jobId: string): Promise<{ state: 'completed' | 'failed'; job: Job; at: number }> {
  return new Promise((resolve) => {
    h.lw.worker.on('completed', (job) => job.id === jobId && resolve({ state: 'completed', job, at: Date.now() }));
    // 'failed' fires for every failed attempt; only a job with finishedOn has failed for good.
    h.lw.worker.on('failed', (job) => job?.id === jobId && job.finishedOn !== undefined && resolve({ state: 'failed', job, at: Date.now() }));
  });
}

const jobOptions = { attempts: 5, backoff: { type: JITTERED_BACKOFF, delay: 100 } };

describe('leadloop worker (real Redis + BullMQ)', () => {
  it('a HubSpot 429 (secondly policy) is retried after the policy delay, without spending an attempt', async () => {
    const h = setUp('ratelimit', async (_job, _signal, call) => {
      if (call === 1) throw new RateLimited('hubspot', 'SECONDLY', 1_000);
      return 'done';
    });
    const job = await h.queue.add('sync-leads', {}, jobOptions);
    const outcome = await finished(h, job.id!);
    expect(outcome.state).toBe('completed');
    expect(h.started).toHaveLength(2);
    expect(h.started[1]! - h.started[0]!).toBeGreaterThanOrEqual(1_000);
    expect(outcome.job.attemptsStarted).toBe(2);
    expect(outcome.job.attemptsMade).toBe(1);
  });

  it('an invalid config is not retried; a 5xx is retried with backoff', async () => {
    const h = setUp('errors', async (job) => {
      if (job.name === 'invalid') throw new ConfigInvalid([]);
      if (job.attemptsMade < 2) throw new Unavailable('hubspot', 'HTTP 502', { status: 502 });
      return 'ok';
    });
    const invalid = await h.queue.add('invalid', {}, jobOptions);
    const invalidOutcome = await finished(h, invalid.id!);
    expect(invalidOutcome.state).toBe('failed');
    expect(invalidOutcome.job.attemptsMade).toBe(1);
    expect(invalidOutcome.job.failedReason).toContain('config_invalid');

    const flaky = await h.queue.add('flaky', {}, jobOptions);
    const flakyOutcome = await finished(h, flaky.id!);
    expect(flakyOutcome.state).toBe('completed');
    expect(flakyOutcome.job.attemptsMade).toBe(3);
  });

  it('a Salesforce daily limit pauses Salesforce work; held jobs run when the pause ends', async () => {
    const h = setUp(
      'sfdaily',
      async (_job, _signal, call) => {
        if (call === 1) throw new DailyLimit('salesforce');
        return 'ok';
      },
      { systems: ['salesforce'], salesforceDailyPauseMs: 1_500 },
    );
    const first = await h.queue.add('handoff-lead', { n: 1 }, jobOptions);
    const firstDone = finished(h, first.id!);
    await expect.poll(() => h.pause.pausedUntil('salesforce'), { timeout: 5_000 }).not.toBeNull();
    const until = (await h.pause.pausedUntil('salesforce'))!;
    const second = await h.queue.add('handoff-lead', { n: 2 }, jobOptions);
    const [a, b] = await Promise.all([firstDone, finished(h, second.id!)]);
    expect([a.state, b.state]).toEqual(['completed', 'completed']);
    // Neither job ran again before the pause ended; the pause cost no attempt.
    expect(Math.min(...h.started.slice(1))).toBeGreaterThanOrEqual(until - 50);
    expect(a.job.attemptsMade).toBe(1);
    expect(await h.pause.pausedUntil('hubspot')).toBeNull();
  });

  it('an auth error pauses the queues with an alert metric; resume lets the job finish', async () => {
    let tokenFixed = false;
    const h = setUp('auth', async () => {
      if (!tokenFixed) throw new AuthFailed('hubspot', 'INVALID_AUTHENTICATION', { status: 401 });
      return 'ok';
    });
    const job = await h.queue.add('sync-leads', {}, jobOptions);
    const done = finished(h, job.id!);
    await expect.poll(() => h.queue.isPaused(), { timeout: 5_000 }).toBe(true);
    expect(await h.pause.authPauses()).toMatchObject([{ reason: 'hubspot-auth', detail: expect.stringContaining('AUTH_FAILED') }]);
    const metrics = await h.registry.metrics();
    expect(metrics).toContain('leadloop_paused{reason="hubspot-auth"} 1');
    expect(metrics).toContain('leadloop_pause_alerts_total{reason="hubspot-auth"} 1');
    expect(h.started).toHaveLength(1);
    expect(await h.queue.getFailedCount()).toBe(0);

    tokenFixed = true;
    await h.pause.resume('hubspot-auth');
    const outcome = await done;
    expect(outcome.state).toBe('completed');
    expect(await h.queue.isPaused()).toBe(false);
    expect(await h.registry.metrics()).toContain('leadloop_paused{reason="hubspot-auth"} 0');
  });

  it('shutdown waits for a job that finishes in time', async () => {
    const h = setUp('drain', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'ok';
    });
    const job = await h.queue.add('sync-leads', {}, jobOptions);
    await expect.poll(() => h.started.length, { timeout: 5_000 }).toBe(1);
    const result = await h.lw.shutdown();
    expect(result).toEqual({ released: false, timedOut: false });
    expect(await (await h.queue.getJob(job.id!))?.getState()).toBe('completed');
  });

  it('shutdown releases a job still running at the deadline back to the queue, not failed', async () => {
    const h = setUp(
      'release',
      (_job, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted by shutdown')), { once: true });
        }),
      { shutdownTimeoutMs: 1_000 },
    );
    const job = await h.queue.add('sync-leads', {}, jobOptions);
    await expect.poll(() => h.started.length, { timeout: 5_000 }).toBe(1);
    const result = await h.lw.shutdown();
    expect(result).toEqual({ released: true, timedOut: false });
    const state = await (await h.queue.getJob(job.id!))?.getState();
    expect(['delayed', 'waiting']).toContain(state);
    expect(await h.queue.getFailedCount()).toBe(0);
  });
});
