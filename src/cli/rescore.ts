import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError, EXIT } from './errors.ts';
import { openRuntime } from './sync.ts';

export function register(program: Command): void {
  program
    .command('rescore')
    .description('re-grade the contacts whose score decay may have changed (the daily rescore), and write the changes back')
    .option('--once', 'one rescore to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'read the due contacts and print the writes a rescore would make, writing nothing')
    .action(async (options: { once?: boolean; dryRun?: boolean }) => {
      const env = loadEnv(process.env, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `rescore --once` for one rescore; the daily rescore runs under `leadloop start` (sync.yaml schedules.rescore)', EXIT.usage);
      const [{ whileHolding }, { rescoreLeads }, { requirePreflight }] = await Promise.all([import('../queue/lease.ts'), import('../pipeline/rescoreLeads.ts'), import('./setup.ts')]);
      const runtime = await openRuntime(env);
      const started = performance.now();
      try {
        // The lease the scheduled job takes: two rescores never overlap.
        const outcome = await whileHolding(runtime.redis, env.prefix, 'rescore-leads', async () => {
          // It writes to HubSpot and Salesforce like the sync: the same preflight guards it.
          await requirePreflight(runtime, env.prefix, Boolean(options.dryRun));
          const plannedWrites = options.dryRun ? [] : undefined;
          const summary = await rescoreLeads(plannedWrites ? { ...runtime.deps, plannedWrites } : runtime.deps);
          if (plannedWrites) for (const w of plannedWrites) process.stdout.write(`${JSON.stringify({ wouldWrite: w })}\n`);
          process.stdout.write(`${JSON.stringify({ ok: true, dryRun: Boolean(plannedWrites), configVersion: runtime.version, ...summary, ...(plannedWrites ? { plannedWrites: plannedWrites.length } : {}), durationMs: Math.round(performance.now() - started) })}\n`);
        });
        if (!outcome.held) throw new CliError('another rescore is running (its lease is held); try again when it ends', EXIT.failure);
      } finally {
        await runtime.close();
      }
    });
}
