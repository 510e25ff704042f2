import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { parseDuration } from '../domain/config/duration.ts';
import { CliError, EXIT } from './errors.ts';
import { openRuntime } from './sync.ts';

/** Starts the workers and their schedules; resolves with a stop function (SIGTERM calls it). */
export async function startWorker(env: ReturnType<typeof loadEnv>) {
  const [{ createQueues, closeQueues }, { createRedisConnection }, { PauseControl }, { syncSchedules }, { createLeadloopWorker }, syncLeadsJob] = await Promise.all([
    import('../queue/queues.ts'),
    import('../queue/connection.ts'),
    import('../queue/pause.ts'),
    import('../queue/schedules.ts'),
    import('../queue/worker.ts'),
    import('../../jobs/sync-leads.ts'),
  ]);
  const runtime = await openRuntime(env);
  const workerConnection = createRedisConnection({ url: env.redisUrl }, 'worker');
  const queues = await createQueues(runtime.redis, env.prefix);
  const pause = new PauseControl({ redis: runtime.redis, prefix: env.prefix, queues: Object.values(queues) });
  const spec = syncLeadsJob.schedule(runtime.config.sync);
  await syncSchedules(queues, spec ? [spec] : []);
  const indexingLagMs = parseDuration(runtime.config.sync.indexing_lag);
  const worker = createLeadloopWorker({
    queue: 'sync',
    connection: workerConnection,
    prefix: env.prefix,
    pause,
    systems: ['hubspot', 'salesforce'],
    processor: (job, signal) => syncLeadsJob.run(job, signal, { deps: runtime.deps, redis: runtime.redis, prefix: env.prefix, indexingLagMs }),
  });
  return {
    worker: worker.worker,
    queues,
    async stop() {
      await worker.shutdown();
      await closeQueues(queues);
      workerConnection.disconnect();
      await runtime.close();
    },
  };
}

export function register(program: Command): void {
  program
    .command('start')
    .description('production entry: workers and schedules (worker), HTTP (server, issue 6), or both')
    .option('--role <role>', 'all | worker | server', 'all')
    .action(async (options: { role: string }) => {
      if (!['all', 'worker', 'server'].includes(options.role)) throw new CliError(`--role must be all, worker or server, not "${options.role}"`, EXIT.usage);
      if (options.role === 'server') throw new CliError('the HTTP server (webhooks, health, metrics) comes with issue 6; run --role worker', EXIT.failure);
      const env = loadEnv(process.env, { needs: ['hubspot', 'salesforce'] });
      const running = await startWorker(env);
      process.stderr.write(`leadloop worker started: scheduled lead sync on queue "sync" (prefix ${env.prefix})${options.role === 'all' ? '; the HTTP server comes with issue 6' : ''}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await running.stop();
    });
}
