import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { loadConfigDirOrThrow } from '../config/load.ts';

export function register(program: Command): void {
  program
    .command('setup')
    .description('preflight: create the HubSpot properties leadloop writes back (in a "leadloop" group)')
    .option('--dry-run', 'say what is missing, create nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const env = loadEnv(process.env, { needs: ['hubspot'] });
      const { config } = await loadConfigDirOrThrow(env.configDir);
      const { createHubSpotClient } = await import('../hubspot/client.ts');
      const { setupHubSpot, writebackProperties } = await import('../pipeline/setup.ts');
      const client = createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl });
      if (options.dryRun) {
        const existing = new Set((await client.crm.properties.coreApi.getAll('contacts')).results.map((p) => p.name));
        const missing = writebackProperties(config.mapping).filter((p) => !existing.has(p.name)).map((p) => p.name);
        process.stdout.write(`${JSON.stringify({ ok: true, dryRun: true, missingHubSpotProperties: missing })}\n`);
        return;
      }
      const created = await setupHubSpot(client, config.mapping);
      process.stdout.write(`${JSON.stringify({ ok: true, createdHubSpotProperties: created })}\n`);
    });
}
