import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const sla = program.command('sla').description('the SLA clock: was every handed-off lead touched in time');
  sla
    .command('check')
    .description('start clocks for new hand-offs, record first touches, remind owners and escalate breaches')
    .option('--once', 'one check to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'read and decide everything and print the writes it would make, writing nothing')
    .action(async (options: { once?: boolean; dryRun?: boolean }) => {
      const env = loadEnv(source, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `sla check --once` for one check; the clock runs on its own under `leadloop start --role worker`', EXIT.usage);
      const [{ runOnce }, { checkSlaJob }] = await Promise.all([import('./run-once.ts'), import('../../jobs/check-sla.ts')]);
      await runOnce(checkSlaJob, {}, env, { dryRun: Boolean(options.dryRun) });
    });
}
