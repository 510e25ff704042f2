import { join } from 'node:path';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { loadEnv } from '../config/env.ts';
import { loadConfigDirOrThrow } from '../config/load.ts';
import type { CachedPreflight, PreflightDeps, PreflightResult } from '../pipeline/preflight.ts';
import { CliError, EXIT } from './errors.ts';

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('setup')
    .description(
      'preflight before the first sync: create the HubSpot write-back properties (in a "leadloop" group), check the Salesforce fields mapping.yaml names, routing\'s owners and queues, and HubSpot\'s own Salesforce connector',
    )
    .option('--dry-run', 'check and say what is missing, create nothing')
    .option('--metadata-dir <dir>', 'where to write the Salesforce metadata (DX source) of the custom fields the org lacks (default: LEADLOOP_DATA_DIR/salesforce-metadata)')
    .action(async (options: { dryRun?: boolean; metadataDir?: string }) => {
      const env = loadEnv(source, { needs: ['hubspot', 'salesforce'] });
      const { config, version, locate } = await loadConfigDirOrThrow(env.configDir);
      const [{ composeAdapters }, { OPEN_GATE }, { setupHubSpot }, { writebackProperties }, { preflight, cachedPreflight, formatReport }] = await Promise.all([
        import('../app.ts'),
        import('../api-gate.ts'),
        import('../pipeline/setup.ts'),
        import('../domain/setup.ts'),
        import('../pipeline/preflight.ts'),
      ]);
      // Setup may run before Redis does: its few calls are not metered.
      const adapters = await composeAdapters(env, config, OPEN_GATE);
      // Setup's calls are idempotent: each rides out a 429, a 5xx or a timeout on its own, as a queued job would.
      const { ridingOut } = await import('./ride-out.ts');
      const hubspot = ridingOut('setup', adapters.hubspot);
      const deals = ridingOut('setup', adapters.deals);
      const salesforce = ridingOut('setup', adapters.salesforce);
      const feedback = ridingOut('setup', adapters.feedback);
      const deps: PreflightDeps = { portal: hubspot, deals, org: salesforce, feedback, config, configVersion: version, locate };

      let properties: { createdHubSpotProperties: string[] } | { missingHubSpotProperties: string[] };
      let result: PreflightResult;
      if (options.dryRun) {
        const existing = await hubspot.propertyTypes();
        properties = {
          missingHubSpotProperties: writebackProperties(config.mapping)
            .filter((p) => !existing.has(p.name))
            .map((p) => p.name),
        };
        // A dry run writes nothing, not even the cached answer the sync reads.
        const checked = await preflight(deps);
        // Properties a real run would create are listed above, not as a blocking problem of setup.
        result = {
          blocking: checked.blocking.filter((p) => p.code !== 'hubspot-writeback-missing' && p.code !== 'hubspot-deal-property-missing'),
          warnings: checked.warnings,
          ...(checked.inactive ? { inactive: checked.inactive } : {}),
        };
      } else {
        properties = { createdHubSpotProperties: await setupHubSpot(hubspot, deals, config.mapping) };
        result = await checkAndRemember(deps, env.redisUrl, env.prefix, cachedPreflight, preflight);
      }

      // The custom fields the org lacks, as metadata a Salesforce admin deploys with their usual tools.
      const { missingFieldMetadata } = await import('./setup-metadata.ts');
      const metadata = await missingFieldMetadata(salesforce, config, {
        dir: options.metadataDir ?? join(env.dataDir, 'salesforce-metadata'),
        apiVersion: env.salesforce.apiVersion,
        write: !options.dryRun,
      });

      process.stderr.write(formatReport(result));
      if (metadata.dir) {
        process.stderr.write(
          `Salesforce fields: ${metadata.missing.join(', ')} are missing; their metadata is in ${metadata.dir} — deploy it with \`sf project deploy start --source-dir ${metadata.dir}/force-app\` (or your usual tools), then run setup again.\n`,
        );
      }
      const { webhookPropertySubscriptions } = await import('../domain/webhook-subscriptions.ts');
      // Only properties the portal has can be subscribed to (a vanilla portal lacks the optional extras and lead_source).
      const onPortal = await hubspot.propertyTypes();
      const webhookProperties = webhookPropertySubscriptions(config).filter((p) => onPortal.has(p));
      process.stderr.write(`Webhooks: subscribe your HubSpot app to contact creation, deletion, merge, restore and privacy deletion, and to property changes of: ${webhookProperties.join(', ')}\n`);
      const ok = result.blocking.length === 0;
      process.stdout.write(
        `${JSON.stringify({ ok, dryRun: Boolean(options.dryRun), configVersion: version, ...properties, missingSalesforceFields: metadata.missing, ...(metadata.dir ? { salesforceMetadataDir: metadata.dir } : {}), blocking: result.blocking, warnings: result.warnings, inactiveOptionalRules: (result.inactive ?? []).map((p) => p.subject), webhookProperties })}\n`,
      );
      if (!ok)
        throw new CliError(
          `setup found ${result.blocking.length} blocking problem${result.blocking.length === 1 ? '' : 's'} (listed above); the sync will not write until they are fixed`,
          EXIT.failure,
        );
    });
}

/**
 * Checks now and stores the answer where `sync` reads it, so a problem fixed since the last check
 * stops blocking at once. Without Redis the check still runs; the sync re-checks on its own.
 */
async function checkAndRemember(
  deps: PreflightDeps,
  redisUrl: string,
  prefix: string,
  cachedPreflight: typeof import('../pipeline/preflight.ts').cachedPreflight,
  preflight: typeof import('../pipeline/preflight.ts').preflight,
): Promise<PreflightResult> {
  const { createRedisConnection } = await import('../queue/connection.ts');
  let redis: Redis | undefined;
  try {
    redis = createRedisConnection({ url: redisUrl }, 'client', { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
    redis.on('error', () => {});
    await redis.connect();
  } catch {
    redis?.disconnect();
    process.stderr.write(`leadloop: Redis at ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')} is not reachable: the check runs, but sync will re-check on its own\n`);
    return preflight(deps);
  }
  try {
    const { PreflightCacheStore } = await import('../store/preflight-cache.ts');
    return await cachedPreflight(deps, new PreflightCacheStore<CachedPreflight>(redis, prefix), { refresh: true });
  } finally {
    redis.disconnect();
  }
}
