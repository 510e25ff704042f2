import type { Command } from 'commander';
import { loadEnv, type Env } from '../config/env.ts';
import { loadConfigDirOrThrow } from '../config/load.ts';
import { parseDuration } from '../domain/config/duration.ts';
import { CliError, EXIT } from './errors.ts';

/** The config, Redis and the ledger, from the env contract: all the HTTP server needs; `close()` releases them. */
export async function openStorage(env: Env) {
  const [{ openLedger }, { createRedisConnection }] = await Promise.all([import('../store/ledger.ts'), import('../queue/connection.ts')]);
  const { config, version } = await loadConfigDirOrThrow(env.configDir);
  const redis = createRedisConnection({ url: env.redisUrl }, 'client');
  const ledger = await openLedger({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir });
  return {
    config,
    version,
    redis,
    ledger: ledger.db,
    async close() {
      await ledger.close();
      redis.disconnect();
    },
  };
}

/** Storage plus the API clients, stores and state a sync command needs; `close()` releases them. */
export async function openRuntime(env: Env) {
  const [{ createHubSpotClient }, { connectSalesforce, setSalesforceCallHooks }, { SyncState }, { DeadLetterList }, { BudgetGovernor, budgetConfigFromSync }, { hubspotBudgetGate }, { salesforceBudgetGate }, { AccountIndexStore }, { ErasedContacts }] = await Promise.all([
    import('../hubspot/client.ts'),
    import('../salesforce/connection.ts'),
    import('../store/sync-state.ts'),
    import('../queue/dead-letter.ts'),
    import('../queue/budget.ts'),
    import('../queue/hubspot-gate.ts'),
    import('../queue/salesforce-gate.ts'),
    import('../store/account-index.ts'),
    import('../store/erased-contacts.ts'),
  ]);
  const storage = await openStorage(env);
  const { config, version, redis } = storage;
  // One governor for both APIs, with sync.yaml's budgets, shared through Redis by every process.
  const governor = new BudgetGovernor(redis, env.prefix, budgetConfigFromSync(config.sync.budgets));
  const hubspot = createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl, onDailyLimit: everyFewSeconds((reading) => governor.observeHubSpotDaily(reading)) });
  const salesforce = await connectSalesforce({ auth: env.salesforce.auth!, apiVersion: env.salesforce.apiVersion });
  return {
    ...storage,
    hubspot,
    governor,
    deps: {
      hubspot,
      // Every Salesforce request takes from sync.yaml's share of the org's daily allocation.
      salesforce: setSalesforceCallHooks(salesforce, salesforceBudgetGate(governor, 'bulk')),
      ledger: storage.ledger,
      state: new SyncState(redis, env.prefix),
      deadLetter: new DeadLetterList(redis, env.prefix),
      accountIndex: new AccountIndexStore(redis, env.prefix),
      erasures: new ErasedContacts(redis, env.prefix),
      config,
      configVersion: version,
      beforeHubSpotCall: hubspotBudgetGate(governor, 'bulk'),
    },
  };
}

/**
 * Passes a reading on at most every 5 s (a Redis write per API answer would be waste: the
 * governor counts our own calls in between); a failed write is retried with the next reading.
 */
function everyFewSeconds<T>(observe: (reading: T) => Promise<void>, intervalMs = 5_000): (reading: T) => void {
  let last = 0;
  return (reading) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    observe(reading).catch(() => (last = 0));
  };
}

export function register(program: Command): void {
  const sync = program.command('sync').description('run one sync cycle');
  sync
    .command('leads')
    .description('pull changed HubSpot contacts, score, route and push qualified leads to Salesforce')
    .option('--once', 'one cycle to completion, then exit (prints a JSON summary as the last line)')
    .option('--dry-run', 'compute everything and print the writes it would make, writing nothing')
    .option('--backfill', 'read every contact through the list endpoint (as the first run does), then go on incrementally')
    .action(async (options: { once?: boolean; dryRun?: boolean; backfill?: boolean }) => {
      const env = loadEnv(process.env, { needs: ['hubspot', 'salesforce'] });
      if (!options.once) throw new CliError('run `sync leads --once` for one cycle; scheduled syncs run under `leadloop start --role worker`', EXIT.usage);
      const { whileHolding } = await import('../queue/lease.ts');
      const { syncLeads } = await import('../pipeline/syncLeads.ts');
      const runtime = await openRuntime(env);
      const started = performance.now();
      try {
        // The same lease the scheduled job takes: two lead syncs never overlap.
        const outcome = await whileHolding(runtime.redis, env.prefix, 'sync-leads', async () => {
          // Setup's preflight (cached 10 minutes): a blocking problem stops the run before any write.
          await (await import('./setup.ts')).requirePreflight(runtime, env.prefix, Boolean(options.dryRun));
          const plannedWrites = options.dryRun ? [] : undefined;
          const progress = (await import('./progress.ts')).progressReporter();
          let summary;
          try {
            summary = await syncLeads(plannedWrites ? { ...runtime.deps, plannedWrites } : runtime.deps, {
              indexingLagMs: parseDuration(runtime.config.sync.indexing_lag),
              ...(options.backfill ? { backfill: true } : {}),
              onProgress: (p) => progress.update(p),
            });
          } finally {
            progress.stop();
          }
          if (plannedWrites) {
            // One line per write a real run would make; nothing was written (the cursor did not move either).
            for (const w of plannedWrites) process.stdout.write(`${JSON.stringify({ wouldWrite: w })}\n`);
          }
          process.stdout.write(`${JSON.stringify({ ok: true, dryRun: Boolean(plannedWrites), configVersion: runtime.version, ...summary, ...(plannedWrites ? { plannedWrites: plannedWrites.length } : {}), durationMs: Math.round(performance.now() - started) })}\n`);
        });
        if (!outcome.held) throw new CliError('another lead sync is running (its lease is held); try again when it ends', EXIT.failure);
      } finally {
        await runtime.close();
      }
    });
}
