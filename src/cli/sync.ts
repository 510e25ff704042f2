import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const sync = program.command('sync').description('run one sync cycle');
  sync
    .command('leads')
    .description('pull changed HubSpot contacts, score, route and push qualified leads to Salesforce')
    .option('--once', 'one cycle to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'compute everything and print the writes it would make, writing nothing')
    .option('--backfill', 'read every contact through the list endpoint (as the first run does), then go on incrementally')
    .action(async (options: { once?: boolean; dryRun?: boolean; backfill?: boolean }) => {
      const env = loadEnv(source, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `sync leads --once` for one cycle; scheduled syncs run under `leadloop start --role worker`', EXIT.usage);
      const [{ runOnce }, { syncLeadsJob }] = await Promise.all([import('./run-once.ts'), import('../../jobs/sync-leads.ts')]);
      await runOnce(syncLeadsJob, options.backfill ? { backfill: true } : {}, env, { dryRun: Boolean(options.dryRun), progressBar: true });
    });
  sync
    .command('feedback')
    .description('pull what sales did with the leads (status changes, won/lost opportunities) into the ledger and HubSpot deals')
    .option('--once', 'one cycle to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'compute everything and print the writes it would make, writing nothing')
    .action(async (options: { once?: boolean; dryRun?: boolean }) => {
      const env = loadEnv(source, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `sync feedback --once` for one cycle; scheduled feedback runs under `leadloop start --role worker`', EXIT.usage);
      const [{ runOnce }, { syncFeedbackJob }] = await Promise.all([import('./run-once.ts'), import('../../jobs/sync-feedback.ts')]);
      await runOnce(syncFeedbackJob, {}, env, { dryRun: Boolean(options.dryRun) });
    });
}
