import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ApiGate } from './api-gate.ts';
import type { Env } from './config/env.ts';
import { LiveConfig } from './config/live-config.ts';
import { loadConfigDirOrThrow, type ConfigLocate } from './config/load.ts';
import type { LeadloopConfig } from './domain/config/index.ts';
import { createHubSpotClient } from './hubspot/client.ts';
import { HubSpotContacts } from './hubspot/hubspot-contacts.ts';
import { HubSpotDeals } from './hubspot/hubspot-deals.ts';
import { SalesforceLookups } from './pipeline/lookups.ts';
import type { CachedPreflight, PreflightCache, PreflightDeps } from './pipeline/preflight.ts';
import type { SyncDeps } from './pipeline/ports.ts';
import { governorGate } from './queue/api-gate.ts';
import { budgetConfigFromSync, BudgetGovernor } from './queue/budget.ts';
import { createRedisConnection } from './queue/connection.ts';
import { DeadLetterList } from './queue/dead-letter.ts';
import { moveLegacyKeys, RedisKeys } from './redis-keys.ts';
import { connectSalesforce } from './salesforce/connection.ts';
import { SalesforceFeedback } from './salesforce/salesforce-feedback.ts';
import { SalesforceLeads } from './salesforce/salesforce-leads.ts';
import { SalesforceSla } from './salesforce/salesforce-sla.ts';
import { AccountIndexTable } from './store/account-index.ts';
import { recordConfigVersion } from './store/configVersions.ts';
import { ContactStateTable, importLegacyContactState } from './store/contact-state.ts';
import { ErasedContacts } from './store/erased-contacts.ts';
import { openLedger } from './store/ledger.ts';
import { LedgerStore } from './store/ledger-store.ts';
import { PendingMerges } from './store/pending-merges.ts';
import { PreflightCacheStore } from './store/preflight-cache.ts';
import { RoutingStateStore } from './store/routing-state.ts';
import { SlaClockStore } from './store/sla-clocks.ts';
import { SyncState } from './store/sync-state.ts';

/** Test and bench knobs; production passes none. */
export interface ComposeOptions {
  /** The clock every use case reads (a frozen one in tests). Default Date.now. */
  now?: () => number;
  /** A PostgreSQL schema of its own for the ledger (tests). Default `public`. */
  ledgerSchema?: string;
  /** HubSpot and Salesforce request deadlines. Default 30 s. */
  hubspotTimeoutMs?: number;
  salesforceTimeoutMs?: number;
  /** Where the API call counter registers. Default prom-client's default registry. */
  registry?: Registry;
  /** Wraps the budget gate (tests put a hand on every call through it). */
  wrapGate?: (gate: ApiGate) => ApiGate;
}

/** What every role and command needs: the config, Redis (queues and caches) and the ledger. */
export interface Storage {
  env: Env;
  /** The config in force (read-only: the live holder's current one; a worker's reload replaces it). */
  readonly config: LeadloopConfig;
  readonly configVersion: string;
  /** Where each setting is in the config files: preflight's problems name file and line. */
  readonly configLocate?: ConfigLocate;
  /** The config in force and its changes (live reload). */
  live: LiveConfig;
  redis: Redis;
  ledger: LedgerStore;
  deadLetters: DeadLetterList;
  erasures: ErasedContacts;
  pendingMerges: PendingMerges;
  preflightCache: PreflightCache;
  now: () => number;
  close(): Promise<void>;
}

/** Storage plus both APIs, gated by the budget governor: what workers and sync commands run against. */
export interface App extends Storage {
  governor: BudgetGovernor;
  gate: ApiGate;
  hubspot: HubSpotContacts;
  salesforce: SalesforceLeads;
  /** HubSpot's deals (the feedback's sink, and setup's deal checks). */
  deals: HubSpotDeals;
  /** Salesforce read back for the feedback. */
  feedback: SalesforceFeedback;
  /** The pipeline's ports. */
  deps: SyncDeps;
  /** What setup's preflight reads. */
  preflightDeps: PreflightDeps;
  /** Users, queues and accounts kept for a worker's hand-offs (refreshed every 10 minutes). */
  lookups: SalesforceLookups;
  /** The sync's positions, for fencing by a lease (a leased run saves them only while it holds it). */
  syncState: SyncState;
}

// New users, queues and accounts in Salesforce are seen by hand-offs after at most this.
const LOOKUPS_MAX_AGE_MS = 10 * 60_000;

/**
 * The one place leadloop is wired: from the parsed environment to the config, Redis, the ledger
 * and its stores (composeStorage), and both API adapters behind one budget gate (compose). Every
 * role of `start`, every CLI verb, the demo, the benches and the tests build from here.
 */
export async function composeStorage(env: Env, options: ComposeOptions = {}): Promise<Storage> {
  const { config, version, files, locate } = await loadConfigDirOrThrow(env.configDir);
  const redis = createRedisConnection({ url: env.redisUrl }, 'client');
  let opened: Awaited<ReturnType<typeof openLedger>> | undefined;
  try {
    opened = await openLedger({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir, ...(options.ledgerSchema ? { schema: options.ledgerSchema } : {}) });
    // An installation from before the `<prefix>:ll:` key layout, and from before the ledger kept
    // what leadloop saw of each contact, resumes where it was.
    await moveLegacyKeys(redis, env.prefix);
    await importLegacyContactState(redis, new RedisKeys(env.prefix).legacyContactState(), new ContactStateTable(opened.db), (options.now ?? Date.now)());
    await new DeadLetterList(redis, env.prefix).indexOlderEntries();
    // Every version a process ran with is kept with its files: decisions name it.
    await recordConfigVersion(opened.db, version, files, (options.now ?? Date.now)());
  } catch (error) {
    await opened?.close();
    redis.disconnect();
    throw error;
  }
  const ledger = new LedgerStore(opened.db);
  const live = new LiveConfig({ config, version, locate });
  return {
    env,
    // Getters: whoever reads the config reads the one in force (a reload replaces it in `live`).
    get config() {
      return live.current.config;
    },
    get configVersion() {
      return live.current.version;
    },
    get configLocate() {
      return live.current.locate;
    },
    live,
    redis,
    ledger,
    deadLetters: new DeadLetterList(redis, env.prefix),
    erasures: new ErasedContacts(redis, env.prefix),
    pendingMerges: new PendingMerges(redis, env.prefix),
    preflightCache: new PreflightCacheStore<CachedPreflight>(redis, env.prefix),
    now: options.now ?? Date.now,
    close: once(async () => {
      await opened!.close();
      redis.disconnect();
    }),
  };
}

/** The HubSpot adapter behind `gate` (`explain` of a live contact uses it alone). */
export function hubspotAdapter(env: Env, gate: ApiGate, options: ComposeOptions = {}): HubSpotContacts {
  return new HubSpotContacts(hubspotClient(env, gate, options));
}

/** HubSpot's contacts and deals behind `gate` (setup without Salesforce, tests). */
export function hubspotAdapters(env: Env, config: LeadloopConfig, gate: ApiGate, options: ComposeOptions = {}): { hubspot: HubSpotContacts; deals: HubSpotDeals } {
  const client = hubspotClient(env, gate, options);
  return { hubspot: new HubSpotContacts(client), deals: new HubSpotDeals(client, { opportunityIdProperty: config.mapping.deal.salesforce_id_property }) };
}

function hubspotClient(env: Env, gate: ApiGate, options: ComposeOptions) {
  return createHubSpotClient({ accessToken: env.hubspot.accessToken!, baseUrl: env.hubspot.baseUrl, gate, ...(options.hubspotTimeoutMs ? { timeoutMs: options.hubspotTimeoutMs } : {}) });
}

/** The two API adapters behind `gate` (setup, which may run before Redis exists, uses them alone). */
export async function composeAdapters(
  env: Env,
  config: LeadloopConfig,
  gate: ApiGate,
  options: ComposeOptions = {},
): Promise<{ hubspot: HubSpotContacts; deals: HubSpotDeals; salesforce: SalesforceLeads; feedback: SalesforceFeedback; sla: SalesforceSla }> {
  const { hubspot, deals } = hubspotAdapters(env, config, gate, options);
  const connection = await connectSalesforce({
    auth: env.salesforce.auth!,
    apiVersion: env.salesforce.apiVersion,
    gate,
    ...(options.salesforceTimeoutMs ? { timeoutMs: options.salesforceTimeoutMs } : {}),
  });
  const mapping = config.mapping;
  return {
    hubspot,
    deals,
    salesforce: new SalesforceLeads(connection, { externalIdField: mapping.external_id_field, taskKeyField: mapping.task_key_field }),
    feedback: new SalesforceFeedback(connection, {
      externalIdField: mapping.external_id_field,
      lossReasonField: mapping.opportunity.loss_reason,
      competitorField: mapping.opportunity.competitor,
      competitorFrom: mapping.opportunity.competitor_from,
      ...(mapping.lead_status.disqualified_reason_field ? { disqualifiedReasonField: mapping.lead_status.disqualified_reason_field } : {}),
    }),
    sla: new SalesforceSla(connection),
  };
}

export async function compose(env: Env, options: ComposeOptions = {}): Promise<App> {
  const storage = await composeStorage(env, options);
  try {
    const { config, redis } = storage;
    // One governor for both APIs, with sync.yaml's budgets, shared through Redis by every process.
    const governor = new BudgetGovernor(redis, env.prefix, budgetConfigFromSync(config.sync.budgets));
    const metered = governorGate(governor, options.registry ? { registry: options.registry } : {});
    const gate = options.wrapGate ? options.wrapGate(metered) : metered;
    const { hubspot, deals, salesforce, feedback, sla } = await composeAdapters(env, config, gate, options);
    const accountIndex = new AccountIndexTable(storage.ledger.db);
    const syncState = new SyncState(redis, env.prefix);
    const deps: SyncDeps = {
      contacts: hubspot,
      leads: salesforce,
      ledger: storage.ledger,
      state: syncState,
      contactState: new ContactStateTable(storage.ledger.db),
      routing: new RoutingStateStore(redis, env.prefix, (day) => storage.ledger.routingState(day)),
      accountIndex,
      deadLetter: storage.deadLetters,
      erasures: storage.erasures,
      feedback,
      deals,
      outcomes: storage.ledger,
      sla,
      slaClocks: new SlaClockStore(storage.ledger.db),
      // Read per run (jobs/ take a copy of deps at each run's start): a reload applies to the next run.
      get config() {
        return storage.config;
      },
      get configVersion() {
        return storage.configVersion;
      },
      now: storage.now,
    };
    // Onto storage itself: its config getters stay live (a spread would copy today's config).
    return Object.assign(storage, {
      governor,
      gate,
      hubspot,
      salesforce,
      deals,
      feedback,
      deps,
      preflightDeps: {
        portal: hubspot,
        deals,
        org: salesforce,
        feedback,
        get config() {
          return storage.config;
        },
        get configVersion() {
          return storage.configVersion;
        },
        get locate() {
          return storage.live.current.locate;
        },
      },
      lookups: new SalesforceLookups(salesforce, accountIndex, { maxAgeMs: LOOKUPS_MAX_AGE_MS, now: storage.now }),
      syncState,
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** A close that runs once, however often it is called. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
