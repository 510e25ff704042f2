import type { Command } from 'commander';
import type { App, Storage } from '../app.ts';
import { loadEnv, type Env, type EnvNeed } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { LeadloopWorker } from '../queue/worker.ts';
import type { LeadloopQueues, QueueName } from '../queue/queues.ts';
import { CliError, EXIT } from './errors.ts';

export type Role = 'all' | 'worker' | 'server';

/** What each role needs from the environment. */
export function envNeeds(role: Role): EnvNeed[] {
  // A worker serves /metrics (and health) too: off loopback that needs the admin token.
  if (role === 'worker') return ['hubspot', 'salesforce', 'server'];
  if (role === 'server') return ['webhooks', 'server'];
  return ['hubspot', 'salesforce', 'webhooks', 'server'];
}

// How many jobs of each queue a worker runs at once: one sync cycle at a time (the queue's global
// concurrency is 1 too); hand-off jobs that arrive together are read in one batch, so many at once.
const CONCURRENCY: Record<QueueName, number> = { sync: 1, handoff: 100, maintenance: 1 };

/** The dashboard's funnel groupings (those `leadloop report` shows by default). */
const DASHBOARD_DIMENSIONS = ['source', 'campaign', 'show'] as const;

/**
 * Starts what a role runs: `worker` — a worker per queue for the jobs of jobs/index.ts and their
 * schedulers from sync.yaml, with health and metrics on HTTP when given a port (`start` always
 * gives PORT); `server` — the HTTP server (webhooks in, health, metrics, dashboard, bull-board)
 * that only enqueues; `all` — both in one process. Resolves once everything listens; `stop()`
 * drains within the shutdown budget.
 */
export async function startLeadloop(env: Env, options: { role: Role; port?: number }) {
  const [{ compose, composeStorage }, { createQueues, closeQueues }, { PauseControl }, { createLogger }, { checkEvictionPolicy }] = await Promise.all([
    import('../app.ts'),
    import('../queue/queues.ts'),
    import('../queue/pause.ts'),
    import('../log.ts'),
    import('../queue/connection.ts'),
  ]);
  const logger = createLogger({ level: env.logLevel });
  // The server only enqueues: it needs Redis and the ledger, not the API clients.
  const app = options.role !== 'server' ? await compose(env) : undefined;
  const storage: Storage = app ?? (await composeStorage(env));
  // BullMQ needs noeviction, or Redis may silently drop job keys under memory pressure.
  await checkEvictionPolicy(storage.redis, logger);
  const queues = await createQueues(storage.redis, env.prefix, logger);
  const pause = new PauseControl({ redis: storage.redis, prefix: env.prefix, queues: Object.values(queues), logger });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  try {
    if (app) workers = await startWorkers(env, app, queues, pause, logger);
    if (options.role !== 'worker') server = await startServer(env, storage, queues, logger, options.port);
    else if (options.port !== undefined) server = await startMetricsServer(env, storage, logger, options.port);
  } catch (error) {
    await workers?.stop();
    await closeQueues(queues);
    await storage.close();
    throw error;
  }
  return {
    queues,
    worker: workers?.byQueue.sync?.worker,
    handoffWorker: workers?.byQueue.handoff?.worker,
    url: server?.url,
    /** The ledger this process holds (the embedded one admits no second opener): tests read it here. */
    ledger: storage.ledger,
    /** The config in force (a worker reloads it live). */
    live: storage.live,
    /** Stops intake first (no new webhooks), then lets running jobs finish or go back to the queue. */
    async stop() {
      await server?.app.close();
      await workers?.stop();
      await closeQueues(queues);
      await storage.close();
    },
  };
}

/** The scheduled lead sync worker alone (as before roles existed); tests of the sync job use it. */
export async function startWorker(env: Env) {
  const running = await startLeadloop(env, { role: 'worker' });
  return { ...running, worker: running.worker! };
}

async function startWorkers(env: Env, app: App, queues: LeadloopQueues, pause: import('../queue/pause.ts').PauseControl, logger: Logger) {
  const [{ JOBS }, { createRedisConnection }, { keepSchedules, scheduleSpecs, syncSchedules }, { createLeadloopWorker }, { runJob, isSkipped }, { parseDuration }, { queueWake }] = await Promise.all([
    import('../../jobs/index.ts'),
    import('../queue/connection.ts'),
    import('../queue/schedules.ts'),
    import('../queue/worker.ts'),
    import('../queue/job.ts'),
    import('../domain/config/duration.ts'),
    import('../queue/wake.ts'),
  ]);
  const wake = queueWake(queues, JOBS);
  // syncSchedules removes every scheduler it is not given: all of them go in one list.
  const specs = scheduleSpecs(JOBS, app.config.sync.schedules, parseDuration);
  await syncSchedules(queues, specs);
  // They live in Redis: a Redis that comes back empty gets them again (else no sync would ever run).
  let stopKeeping = keepSchedules(app.redis, queues, specs, logger);
  const reloader = await watchConfig(env, app, logger);
  // A config change applied live brings its schedules along (sync.yaml's).
  const stopFollowing = app.live.onChange(async (next) => {
    const nextSpecs = scheduleSpecs(JOBS, next.config.sync.schedules, parseDuration);
    try {
      await syncSchedules(queues, nextSpecs);
      stopKeeping();
      stopKeeping = keepSchedules(app.redis, queues, nextSpecs, logger);
    } catch (error) {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'could not upsert the schedulers of the new config');
    }
  });
  const byQueue: Partial<Record<QueueName, LeadloopWorker>> = {};
  const connections: { disconnect(): void }[] = [];
  for (const queue of Object.keys(CONCURRENCY) as QueueName[]) {
    const definitions = new Map(JOBS.filter((j) => j.queue === queue).map((j) => [j.name, j]));
    if (definitions.size === 0) continue;
    const connection = createRedisConnection({ url: env.redisUrl }, 'worker');
    connections.push(connection);
    byQueue[queue] = createLeadloopWorker<unknown, unknown>({
      queue,
      connection,
      prefix: env.prefix,
      pause,
      logger,
      systems: ['hubspot', 'salesforce'],
      concurrency: CONCURRENCY[queue],
      processor: async (job, signal) => {
        const definition = definitions.get(job.name);
        if (!definition) throw new Error(`no job named "${job.name}" on queue ${queue}`);
        const result = await runJob(definition, job.data as never, app, { signal, wake, log: logger, progress: (value) => void job.updateProgress(value).catch(() => undefined) });
        // A wake-up that found another run under the lease comes back shortly: its moment is not lost.
        if (definition.retryWhenHeldMs !== undefined && isSkipped(result)) await wake(definition.name, [Date.now() + definition.retryWhenHeldMs], job.data as Record<string, unknown>);
        return result;
      },
    });
  }
  return {
    byQueue,
    async stop() {
      await reloader.stop();
      stopFollowing();
      stopKeeping();
      await Promise.all(Object.values(byQueue).map((w) => w.shutdown()));
      for (const definition of JOBS) await definition.stop?.();
      for (const c of connections) c.disconnect();
    },
  };
}

/**
 * This process's metrics registry (prom-client's default, where every leadloop metric registers),
 * with the scrape-time gauges reading this installation's budgets and cursors.
 */
async function processMetrics(env: Env, storage: Storage) {
  const [{ processRegistry, leadloopMetrics }, { BudgetGovernor, budgetConfigFromSync }, { SyncState }, { syncPositions }] = await Promise.all([
    import('../metrics.ts'),
    import('../queue/budget.ts'),
    import('../store/sync-state.ts'),
    import('../store/sync-positions.ts'),
  ]);
  const registry = processRegistry();
  const governor = new BudgetGovernor(storage.redis, env.prefix, budgetConfigFromSync(storage.config.sync.budgets));
  const syncState = new SyncState(storage.redis, env.prefix);
  leadloopMetrics(registry).watch({ budgets: () => governor.usage(), cursors: () => syncPositions(syncState) });
  return { registry, governor, syncState };
}

/** Live config: the worker applies a valid change of the config folder without a restart (src/config/reload.ts). */
async function watchConfig(env: Env, app: App, logger: Logger) {
  const [{ ConfigReloader, configReloadMetrics }, { recordConfigVersion }, { parseDuration }] = await Promise.all([
    import('../config/reload.ts'),
    import('../store/configVersions.ts'),
    import('../domain/config/duration.ts'),
  ]);
  const reloader = new ConfigReloader({
    dir: env.configDir,
    live: app.live,
    recordVersion: (version, files) => recordConfigVersion(app.ledger.db, version, files, app.now()),
    log: logger,
    metrics: configReloadMetrics(),
    intervalMs: () => Math.max(1_000, parseDuration(app.config.sync.config_reload.every)),
  });
  reloader.start();
  return reloader;
}

/** A worker's own HTTP: health and metrics, nothing that needs the queues' admin. */
async function startMetricsServer(env: Env, storage: Storage, logger: Logger, port: number) {
  const { buildServer } = await import('../http/server.ts');
  const { registry } = await processMetrics(env, storage);
  const { app } = await buildServer({
    logger,
    registry,
    readiness: { redis: () => storage.redis.ping(), ledger: () => storage.ledger.ping() },
    admin: { access: { host: env.host, ...(env.adminToken ? { token: env.adminToken } : {}) } },
  });
  try {
    return { app, url: await app.listen({ host: env.host, port }) };
  } catch (error) {
    // Several workers on one host (and the chaos suite's worlds) share PORT: the jobs matter more
    // than this process's scrape, so the worker runs on, saying so; give each its own PORT.
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.warn({ port }, 'metrics not served: the port is taken (give this worker a PORT of its own)');
    await app.close();
    return undefined;
  }
}

async function startServer(env: Env, storage: Storage, queues: LeadloopQueues, logger: Logger, port?: number) {
  const [{ buildServer }, { WebhookIntake }, { ignoredWebhookProperties }, { readOperations }, { closedLoopReport }] = await Promise.all([
    import('../http/server.ts'),
    import('../queue/webhook-intake.ts'),
    import('../domain/webhook-subscriptions.ts'),
    import('../http/operations.ts'),
    import('./report.ts'),
  ]);
  const { registry, governor, syncState } = await processMetrics(env, storage);
  const { app } = await buildServer({
    logger,
    registry,
    readiness: { redis: () => storage.redis.ping(), ledger: () => storage.ledger.ping() },
    admin: {
      access: { host: env.host, ...(env.adminToken ? { token: env.adminToken } : {}) },
      dashboard: {
        report: ({ since, until }) => closedLoopReport(storage.ledger.db, storage.config, { since, until, dimensions: DASHBOARD_DIMENSIONS, now: storage.now() }),
        operations: () => readOperations({ governor, syncState, deadLetters: storage.deadLetters, queues, registry, now: storage.now }),
      },
      queues: { queues: Object.values(queues), actions: env.adminQueueActions === true },
    },
    ...(env.hubspot.clientSecret
      ? {
          webhooks: {
            intake: new WebhookIntake(queues.handoff, storage.pendingMerges, storage.erasures),
            clientSecret: env.hubspot.clientSecret,
            ownProperties: ignoredWebhookProperties(storage.config),
            ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}),
          },
        }
      : {}),
  });
  const address = await app.listen({ host: env.host, port: port ?? env.port });
  return { app, url: address };
}

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('start')
    .description('production entry: workers and schedules (worker), the HTTP server for webhooks, health, metrics, dashboard and queue view (server), or both (all)')
    .option('--role <role>', 'all | worker | server', 'all')
    .action(async (options: { role: string }) => {
      if (!['all', 'worker', 'server'].includes(options.role)) throw new CliError(`--role must be all, worker or server, not "${options.role}"`, EXIT.usage);
      const role = options.role as Role;
      const env = loadEnv(source, { needs: envNeeds(role) });
      const running = await startLeadloop(env, { role, port: env.port });
      const parts = [
        role !== 'server' ? `workers on queues "sync", "handoff" and "maintenance"` : '',
        running.url ? `HTTP on ${running.url} (${role === 'worker' ? 'GET /healthz /readyz /metrics' : 'POST /webhooks/hubspot, GET /healthz /readyz /metrics, /dashboard, /admin/queues'})` : '',
      ].filter(Boolean);
      process.stderr.write(`leadloop started (role ${role}, prefix ${env.prefix}): ${parts.join('; ')}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await running.stop();
    });
}
