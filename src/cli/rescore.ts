import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('rescore')
    .description('re-grade the contacts whose score decay may have changed (the daily rescore), and write the changes back')
    .option('--once', 'one rescore to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'read the due contacts and print the writes a rescore would make, writing nothing')
    .action(async (options: { once?: boolean; dryRun?: boolean }) => {
      const env = loadEnv(source, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `rescore --once` for one rescore; the daily rescore runs under `leadloop start` (sync.yaml schedules.rescore)', EXIT.usage);
      const [{ runOnce }, { rescoreLeadsJob }] = await Promise.all([import('./run-once.ts'), import('../../jobs/rescore-leads.ts')]);
      await runOnce(rescoreLeadsJob, {}, env, { dryRun: Boolean(options.dryRun) });
    });
}
