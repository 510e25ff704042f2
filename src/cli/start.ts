import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { LeadloopConfig } from '../domain/config/index.ts';
import type { Logger } from '../log.ts';
import type { PauseControl } from '../queue/pause.ts';
import type { LeadloopQueues } from '../queue/queues.ts';
import type { LedgerSchema } from '../store/schema.ts';
import { loadEnv, type Env, type EnvNeed } from '../config/env.ts';
import { parseDuration } from '../domain/config/duration.ts';
import { CliError, EXIT } from './errors.ts';
import { openRuntime, openStorage } from './sync.ts';

export type Role = 'all' | 'worker' | 'server';

/** What each role needs from the environment. */
export function envNeeds(role: Role): EnvNeed[] {
  if (role === 'worker') return ['hubspot', 'salesforce'];
  if (role === 'server') return ['webhooks', 'server'];
  return ['hubspot', 'salesforce', 'webhooks', 'server'];
}

// Hand-off jobs that arrive together are read in one batch: the worker must run many at once.
const HANDOFF_CONCURRENCY = 100;
// New users, queues and accounts in Salesforce are seen by hand-offs after at most this.
const LOOKUPS_MAX_AGE_MS = 10 * 60_000;

/**
 * Starts what a role runs: `worker` — the scheduled lead sync, webhook hand-off and maintenance (rescore) workers;
 * `server` — the HTTP server (webhooks in, health, metrics) that only enqueues; `all` — both in
 * one process. Resolves once everything listens; `stop()` drains within the shutdown budget.
 */
export async function startLeadloop(env: Env, options: { role: Role; port?: number }) {
  const [{ createQueues, closeQueues }, { PauseControl }, { createLogger }] = await Promise.all([
    import('../queue/queues.ts'),
    import('../queue/pause.ts'),
    import('../log.ts'),
  ]);
  const logger = createLogger({ level: env.logLevel });
  // The server only enqueues: it needs Redis and the ledger, not the API clients.
  const full = options.role !== 'server' ? await openRuntime(env) : undefined;
  const runtime = full ?? (await openStorage(env));
  const queues = await createQueues(runtime.redis, env.prefix);
  const pause = new PauseControl({ redis: runtime.redis, prefix: env.prefix, queues: Object.values(queues) });
  const stops: (() => Promise<unknown>)[] = [];
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  try {
    if (full) workers = await startWorkers(env, full, queues, pause, logger);
    if (options.role !== 'worker') server = await startServer(env, { config: runtime.config, redis: runtime.redis, ledger: runtime.ledger }, queues, logger, options.port);
  } catch (error) {
    await workers?.stop();
    await closeQueues(queues);
    await runtime.close();
    throw error;
  }
  if (server) stops.push(() => server!.app.close());
  if (workers) stops.push(() => workers!.stop());
  return {
    queues,
    worker: workers?.sync.worker,
    handoffWorker: workers?.handoff.worker,
    url: server?.url,
    /** Stops intake first (no new webhooks), then lets running jobs finish or go back to the queue. */
    async stop() {
      for (const stop of stops) await stop();
      await closeQueues(queues);
      await runtime.close();
    },
  };
}

/** The scheduled lead sync worker alone (as before roles existed); tests of the sync job use it. */
export async function startWorker(env: Env) {
  const running = await startLeadloop(env, { role: 'worker' });
  return { ...running, worker: running.worker! };
}

async function startWorkers(env: Env, runtime: Awaited<ReturnType<typeof openRuntime>>, queues: LeadloopQueues, pause: PauseControl, logger: Logger) {
  const [{ createRedisConnection }, { syncSchedules }, { createLeadloopWorker }, { hubspotBudgetGate }, { SalesforceLookups }, { PendingMerges }, syncLeadsJob, handoffJob, purgeJob, rescoreJob, { withSalesforceLane }] = await Promise.all([
    import('../queue/connection.ts'),
    import('../queue/schedules.ts'),
    import('../queue/worker.ts'),
    import('../queue/hubspot-gate.ts'),
    import('../pipeline/lookups.ts'),
    import('../store/pending-merges.ts'),
    import('../../jobs/sync-leads.ts'),
    import('../../jobs/handoff-lead.ts'),
    import('../../jobs/purge-contact.ts'),
    import('../../jobs/rescore-leads.ts'),
    import('../queue/salesforce-gate.ts'),
  ]);
  // syncSchedules removes every scheduler it is not given: all of them go in one list.
  await syncSchedules(queues, [syncLeadsJob.schedule(runtime.config.sync), rescoreJob.schedule(runtime.config.sync)].filter((s) => s !== undefined));
  const indexingLagMs = parseDuration(runtime.config.sync.indexing_lag);
  const syncConnection = createRedisConnection({ url: env.redisUrl }, 'worker');
  const handoffConnection = createRedisConnection({ url: env.redisUrl }, 'worker');
  const maintenanceConnection = createRedisConnection({ url: env.redisUrl }, 'worker');
  const sync = createLeadloopWorker({
    queue: 'sync',
    connection: syncConnection,
    prefix: env.prefix,
    pause,
    logger,
    systems: ['hubspot', 'salesforce'],
    processor: (job, signal) => syncLeadsJob.run(job, signal, { deps: runtime.deps, redis: runtime.redis, prefix: env.prefix, indexingLagMs }),
  });
  // Hand-offs draw on the budget share kept for them, so a backfill never delays a booth scan.
  const handoffDeps = {
    ...runtime.deps,
    beforeHubSpotCall: hubspotBudgetGate(runtime.governor, 'handoff'),
    lookups: new SalesforceLookups(runtime.deps.salesforce, { maxAgeMs: LOOKUPS_MAX_AGE_MS, ...(runtime.deps.accountIndex ? { accountIndex: runtime.deps.accountIndex } : {}) }),
    pendingMerges: new PendingMerges(runtime.redis, env.prefix),
  };
  const handoffs = handoffJob.createProcessor(handoffDeps);
  const purgeDeps = { ...runtime.deps, dropDeadLetters: (key: string) => runtime.deps.deadLetter.dropForRecord(key) };
  const handoff = createLeadloopWorker<unknown, unknown>({
    queue: 'handoff',
    connection: handoffConnection,
    prefix: env.prefix,
    pause,
    logger,
    systems: ['hubspot', 'salesforce'],
    concurrency: HANDOFF_CONCURRENCY,
    // The Salesforce connection is shared with the sync: these calls draw on the hand-off reserve.
    processor: (job) => withSalesforceLane('handoff', () => (job.name === purgeJob.name ? purgeJob.run(job as never, purgeDeps) : handoffs.run(job as never))),
  });
  const maintenance = createLeadloopWorker({
    queue: 'maintenance',
    connection: maintenanceConnection,
    prefix: env.prefix,
    pause,
    logger,
    systems: ['hubspot', 'salesforce'],
    processor: (job, signal) => rescoreJob.run(job, signal, { deps: runtime.deps, redis: runtime.redis, prefix: env.prefix }),
  });
  return {
    sync,
    handoff,
    maintenance,
    async stop() {
      await Promise.all([sync.shutdown(), handoff.shutdown(), maintenance.shutdown()]);
      await handoffs.drain();
      syncConnection.disconnect();
      handoffConnection.disconnect();
      maintenanceConnection.disconnect();
    },
  };
}

async function startServer(env: Env, runtime: { config: LeadloopConfig; redis: Redis; ledger: Kysely<LedgerSchema> }, queues: LeadloopQueues, logger: Logger, port?: number) {
  const [{ buildServer }, { WebhookIntake }, { PendingMerges }, { ErasedContacts }, { sql }, { ignoredWebhookProperties }] = await Promise.all([import('../http/server.ts'), import('../queue/webhook-intake.ts'), import('../store/pending-merges.ts'), import('../store/erased-contacts.ts'), import('kysely'), import('../domain/webhook-subscriptions.ts')]);
  const ownProperties = ignoredWebhookProperties(runtime.config);
  const { app } = await buildServer({
    logger,
    readiness: { redis: () => runtime.redis.ping(), ledger: () => sql`select 1`.execute(runtime.ledger) },
    ...(env.hubspot.clientSecret
      ? { webhooks: { intake: new WebhookIntake(queues.handoff, new PendingMerges(runtime.redis, env.prefix), new ErasedContacts(runtime.redis, env.prefix)), clientSecret: env.hubspot.clientSecret, ownProperties, ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}) } }
      : {}),
  });
  const address = await app.listen({ host: env.host, port: port ?? env.port });
  return { app, url: address };
}

export function register(program: Command): void {
  program
    .command('start')
    .description('production entry: workers and schedules (worker), the HTTP server for webhooks, health and metrics (server), or both (all)')
    .option('--role <role>', 'all | worker | server', 'all')
    .action(async (options: { role: string }) => {
      if (!['all', 'worker', 'server'].includes(options.role)) throw new CliError(`--role must be all, worker or server, not "${options.role}"`, EXIT.usage);
      const role = options.role as Role;
      const env = loadEnv(process.env, { needs: envNeeds(role) });
      const running = await startLeadloop(env, { role });
      const parts = [role !== 'server' ? `workers on queues "sync", "handoff" and "maintenance"` : '', running.url ? `HTTP on ${running.url} (POST /webhooks/hubspot, GET /healthz /readyz /metrics)` : ''].filter(Boolean);
      process.stderr.write(`leadloop started (role ${role}, prefix ${env.prefix}): ${parts.join('; ')}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await running.stop();
    });
}
