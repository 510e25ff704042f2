import type { Command } from 'commander';
import { formatIssue, loadConfigDir } from '../config/load.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const config = program.command('config').description('validate and simulate the YAML config files');
  config
    .command('validate')
    .description('check scoring, routing, mapping and sync files; exit 0 when valid, 1 with every error')
    .option('--dir <dir>', 'folder with the config files', source.LEADLOOP_CONFIG_DIR ?? './config')
    .action(async (options: { dir: string }) => {
      const result = await loadConfigDir(options.dir);
      if (!result.ok) {
        for (const issue of result.errors) process.stderr.write(`${formatIssue(issue)}\n`);
        throw new CliError(`${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} in ${options.dir}`, EXIT.failure);
      }
      const { scoring, routing } = result.config;
      const scoringRules = scoring.fit.length + scoring.engagement.length + scoring.negative.length + scoring.disqualifiers.length;
      process.stdout.write(
        `config OK: 4 files in ${options.dir}, ${scoringRules} scoring rules, ${routing.rules.length} routing rules, ` + `${routing.owners.length} owners, version ${result.version}\n`,
      );
    });
}
