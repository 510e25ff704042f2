import type { Command } from 'commander';
import { formatIssue, loadConfigDir } from '../config/load.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const config = program.command('config').description('validate and simulate the YAML config files');
  config
    .command('validate')
    .description('check scoring, routing, mapping and sync files; exit 0 when valid, 1 with every error')
    .option('--dir <dir>', 'folder with the config files', source.LEADLOOP_CONFIG_DIR ?? './config')
    .option('--portal', "also check every rule against the HubSpot portal's contact properties (reads HubSpot with HUBSPOT_ACCESS_TOKEN)")
    .action(async (options: { dir: string; portal?: boolean }) => {
      const result = await loadConfigDir(options.dir);
      if (!result.ok) {
        for (const issue of result.errors) process.stderr.write(`${formatIssue(issue)}\n`);
        throw new CliError(`${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} in ${options.dir}`, EXIT.failure);
      }
      const { scoring, routing } = result.config;
      const scoringRules = scoring.fit.length + scoring.engagement.length + scoring.negative.length + scoring.disqualifiers.length;
      let portal = '';
      if (options.portal) {
        const { loadEnv } = await import('../config/env.ts');
        const env = loadEnv(source, { needs: ['hubspot'] });
        const [{ hubspotAdapter }, { OPEN_GATE }, { ridingOut }, { checkConfigAgainstPortal }, { portalProblemSubject }] = await Promise.all([
          import('../app.ts'),
          import('../api-gate.ts'),
          import('./ride-out.ts'),
          import('../domain/portal-check.ts'),
          import('../pipeline/portal-config.ts'),
        ]);
        const definitions = await ridingOut('config validate', hubspotAdapter(env, OPEN_GATE)).propertyDefinitions();
        const problems = checkConfigAgainstPortal(result.config, definitions, result.locate);
        for (const p of problems) process.stderr.write(`${portalProblemSubject(p)}: ${p.severity}: ${p.message}\n    → ${p.fix}\n`);
        const blocking = problems.filter((p) => p.severity === 'blocking').length;
        const warnings = problems.filter((p) => p.severity === 'warning').length;
        const inactive = problems.length - blocking - warnings;
        if (blocking > 0) {
          throw new CliError(
            `${blocking} blocking problem${blocking === 1 ? '' : 's'} (and ${warnings} warning${warnings === 1 ? '' : 's'}) against the HubSpot portal's ${definitions.length} contact properties`,
            EXIT.failure,
          );
        }
        portal = `, checked against ${definitions.length} HubSpot contact properties${warnings > 0 ? ` with ${warnings} warning${warnings === 1 ? '' : 's'} (listed above)` : ''}${inactive > 0 ? `; ${inactive} optional rule${inactive === 1 ? '' : 's'} inactive on this portal (listed above)` : ''}`;
      }
      process.stdout.write(
        `config OK: 4 files in ${options.dir}, ${scoringRules} scoring rules, ${routing.rules.length} routing rules, ` + `${routing.owners.length} owners${portal}, version ${result.version}\n`,
      );
    });
}
