import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError } from './errors.ts';

export function register(program: Command): void {
  const sync = program.command('sync').description('run one sync cycle');
  sync
    .command('leads')
    .description('pull changed HubSpot contacts, score, route and push qualified leads to Salesforce')
    .option('--once', 'one cycle to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'compute everything and print the writes it would make, writing nothing')
    .action(() => {
      loadEnv(process.env, { needs: ['hubspot', 'salesforce'] });
      // The pipeline lands with issue 5; refuse plainly rather than pretend a sync ran.
      throw new CliError('sync leads is not built yet (issue 5): the environment is valid, but no sync ran');
    });
}
