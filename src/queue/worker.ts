import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { ShutdownRequested } from '../errors/index.ts';
import { type JobOutcome, leadloopMetrics } from '../metrics.ts';
import type { QueueLogger } from './connection.ts';
import { errorName } from './error-name.ts';
import { JITTERED_BACKOFF } from './backoff.ts';
import type { PauseControl, PauseReason } from './pause.ts';
import { backoffDelay, decideRetry, type QueueSystem, type RetryDecision } from './retry.ts';
import { nextMidnightIn } from './budget-math.ts';

/** A processor gets the job and a signal that aborts on shutdown (or a lost lease upstream). */
export type LeadloopProcessor<Data, Result> = (job: Job<Data, Result>, signal: AbortSignal) => Promise<Result>;

export interface LeadloopWorkerOptions<Data, Result> {
  queue: string;
  processor: LeadloopProcessor<Data, Result>;
  /** A connection with `maxRetriesPerRequest: null` (createRedisConnection(..., 'worker')). */
  connection: Redis;
  prefix: string;
  pause: PauseControl;
  /** The systems the jobs call: their timed pauses hold these jobs back. */
  systems: readonly QueueSystem[];
  concurrency?: number;
  logger?: QueueLogger;
  /** HubSpot's account time zone: its daily limit resets at midnight there. Default UTC. */
  hubspotTimeZone?: string;
  salesforceDailyPauseMs?: number;
  /** Close within this after SIGTERM: current jobs finish, or are released back. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Install SIGTERM/SIGINT handlers that call shutdown(). Default false (the CLI decides). */
  handleSignals?: boolean;
  /** Where job counts and durations are recorded. Default prom-client's default registry. */
  registry?: Registry;
}

export interface LeadloopWorker {
  worker: Worker;
  /** Stops taking jobs, waits for current ones, releases those still running at the deadline. */
  shutdown(): Promise<{ released: boolean; timedOut: boolean }>;
}

export function createLeadloopWorker<Data, Result>(options: LeadloopWorkerOptions<Data, Result>): LeadloopWorker {
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const timeZone = options.hubspotTimeZone ?? 'UTC';
  const log = options.logger;
  const metrics = leadloopMetrics(options.registry);
  const record = (job: Job, outcome: JobOutcome, startedAt: number): void => {
    const labels = { queue: options.queue, job: job.name, outcome };
    metrics.jobs.inc(labels);
    metrics.jobDuration.observe(labels, (performance.now() - startedAt) / 1000);
  };

  const process = async (job: Job<Data, Result>, token?: string, signal?: AbortSignal): Promise<Result> => {
    const abort = signal ?? new AbortController().signal;
    for (const system of options.systems) {
      const until = await options.pause.pausedUntil(system);
      if (until !== null) await delayJob(job, token, until);
    }
    const startedAt = performance.now();
    try {
      const result = await options.processor(job, abort);
      record(job, 'completed', startedAt);
      return result;
    } catch (error) {
      // Work interrupted by shutdown goes back to the queue as it is: not a failure.
      const decision: RetryDecision = abort.aborted
        ? { action: 'delay', delayMs: 0, reason: 'released' }
        : decideRetry(error, { now: Date.now(), hubspotDailyResetAt: (now) => nextMidnightIn(timeZone, now), ...salesforcePause(options) });
      log?.warn({ queue: options.queue, jobId: job.id, action: decision.action, reason: decision.reason, error: errorName(error) }, 'job did not complete');
      record(job, outcomeOf(decision, job), startedAt);
      return await applyDecision(decision, error, job, token, options.pause);
    }
  };

  const worker = new Worker<Data, Result>(options.queue, process, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 1,
    // A worker killed mid-job (kill -9, OOM, a lost node) holds its job's lock until it expires: 15 s
    // like the run's lease (BullMQ's default is 30 s), looked for every 5 s, so another worker takes
    // the job back within about 20 s instead of up to a minute.
    lockDuration: STALLED_LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    settings: {
      // Jobs name `{ type: JITTERED_BACKOFF, delay? }`; `delay` overrides the base delay.
      backoffStrategy: (attemptsMade, type, _error, job) => {
        if (type !== JITTERED_BACKOFF) return 0;
        const backoff = job?.opts.backoff;
        const baseMs = typeof backoff === 'object' ? backoff.delay : undefined;
        return backoffDelay(attemptsMade, baseMs === undefined ? {} : { baseMs });
      },
    },
  });
  worker.on('error', (error) => log?.error({ queue: options.queue, error: errorName(error) }, 'worker error'));

  let shuttingDown: Promise<{ released: boolean; timedOut: boolean }> | undefined;
  const shutdown = (): Promise<{ released: boolean; timedOut: boolean }> => {
    shuttingDown ??= gracefulClose(worker, shutdownTimeoutMs);
    return shuttingDown;
  };
  if (options.handleSignals) {
    const onSignal = (): void => void shutdown();
    globalThis.process.once('SIGTERM', onSignal);
    globalThis.process.once('SIGINT', onSignal);
    worker.once('closed', () => {
      globalThis.process.off('SIGTERM', onSignal);
      globalThis.process.off('SIGINT', onSignal);
    });
  }
  return { worker: worker as unknown as Worker, shutdown };
}

/** A run that did not complete, as counted: delays spend no attempt; a backoff on the last attempt fails the job for good. */
function outcomeOf(decision: RetryDecision, job: Job): JobOutcome {
  if (decision.action === 'fail') return 'failed';
  if (decision.action !== 'backoff') return 'delayed';
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? 'failed' : 'retry';
}

/** How long a job's lock outlives its worker (renewed every half of it while the worker lives). */
export const STALLED_LOCK_MS = 15_000;
/** How often a worker looks for jobs whose worker died. */
export const STALLED_CHECK_MS = 5_000;

async function applyDecision(decision: RetryDecision, error: unknown, job: Job, token: string | undefined, pause: PauseControl): Promise<never> {
  const now = Date.now();
  switch (decision.action) {
    case 'delay':
      return delayJob(job, token, now + decision.delayMs);
    case 'pause-system':
      await pause.pauseSystemUntil(decision.system, decision.untilMs, decision.reason as PauseReason, now);
      return delayJob(job, token, decision.untilMs);
    case 'pause-queues':
      await pause.pauseForAuth(decision.reason as 'hubspot-auth' | 'salesforce-auth', errorName(error), now);
      // The job waits in the (paused) queue until resume; it is not a failed attempt.
      return delayJob(job, token, now);
    case 'fail':
      throw new UnrecoverableError(`${decision.reason}: ${errorName(error)}`);
    case 'backoff':
      throw error instanceof Error ? error : new Error(String(error));
  }
}

/** Moves the job to delayed without spending an attempt (BullMQ's DelayedError protocol). */
async function delayJob(job: Job, token: string | undefined, until: number): Promise<never> {
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

async function gracefulClose(worker: Worker, timeoutMs: number): Promise<{ released: boolean; timedOut: boolean }> {
  const closing = worker.close();
  // Leave a quarter of the budget for released jobs to be moved back and the connection to close.
  const releaseAfter = Math.floor(timeoutMs * 0.75);
  let released = false;
  const releaseTimer = setTimeout(() => {
    released = true;
    worker.cancelAllJobs(new ShutdownRequested('shutting down').message);
  }, releaseAfter);
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref());
  const outcome = await Promise.race([closing.then(() => 'closed' as const), deadline]);
  clearTimeout(releaseTimer);
  // On timeout the caller exits anyway: the job's lock expires and BullMQ's stalled check
  // puts it back in the queue, so nothing is lost.
  return { released, timedOut: outcome === 'timeout' };
}

function salesforcePause<D, R>(options: LeadloopWorkerOptions<D, R>): { salesforceDailyPauseMs?: number } {
  return options.salesforceDailyPauseMs === undefined ? {} : { salesforceDailyPauseMs: options.salesforceDailyPauseMs };
}
