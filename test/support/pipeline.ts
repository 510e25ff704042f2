import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import type { LeadloopConfig } from '../../src/domain/config/index.ts';
import { createHubSpotClient } from '../../src/hubspot/client.ts';
import type { SyncDeps } from '../../src/pipeline/ports.ts';
import { setupHubSpot } from '../../src/pipeline/setup.ts';
import { BudgetGovernor } from '../../src/queue/budget.ts';
import { DeadLetterList } from '../../src/queue/dead-letter.ts';
import { hubspotBudgetGate } from '../../src/queue/hubspot-gate.ts';
import { deleteKeysWithPrefix, uniqueTestPrefix } from '../../src/queue/test-redis.ts';
import { connectSalesforce, type SalesforceConnectionOptions } from '../../src/salesforce/connection.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { openLedger, type Ledger } from '../../src/store/ledger.ts';
import { SyncState } from '../../src/store/sync-state.ts';

/** The shipped config/ and its version. */
export function shippedConfig(): Promise<{ config: LeadloopConfig; version: string }> {
  return loadConfigDirOrThrow(join(import.meta.dirname, '../../config'));
}

/** A Redis key prefix and an embedded ledger of the test's own; `close()` removes both. */
export async function testStores(label: string, redis: Redis): Promise<{ prefix: string; ledger: Ledger; close(): Promise<void> }> {
  const prefix = uniqueTestPrefix(label);
  const dataDir = mkdtempSync(join(tmpdir(), `leadloop-${label}-`));
  const ledger = await openLedger({ dataDir });
  return {
    prefix,
    ledger,
    async close() {
      await deleteKeysWithPrefix(redis, prefix);
      await ledger.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The lead sync's deps against a sandbox, as the worker builds them: HubSpot set up, the
 * Salesforce session of the sandbox's integration user (or `salesforce.auth`), and HubSpot calls
 * gated by the shared budgets (the sandbox enforces HubSpot's limits).
 */
export async function sandboxSyncDeps(
  sandbox: Sandbox,
  stores: { redis: Redis; prefix: string; ledger: Ledger; config: LeadloopConfig; version: string },
  options: { hubspotTimeoutMs?: number; salesforce?: Partial<SalesforceConnectionOptions> } = {},
): Promise<SyncDeps> {
  const info = sandbox.connectionInfo();
  const hubspot = createHubSpotClient({ accessToken: info.hubspot.accessToken, baseUrl: info.hubspot.baseUrl, ...(options.hubspotTimeoutMs ? { timeoutMs: options.hubspotTimeoutMs } : {}) });
  await setupHubSpot(hubspot, stores.config.mapping);
  const salesforce = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken }, apiVersion: '64.0', ...options.salesforce });
  return {
    hubspot,
    salesforce,
    ledger: stores.ledger.db,
    state: new SyncState(stores.redis, stores.prefix),
    deadLetter: new DeadLetterList(stores.redis, stores.prefix),
    config: stores.config,
    configVersion: stores.version,
    beforeHubSpotCall: hubspotBudgetGate(new BudgetGovernor(stores.redis, stores.prefix), 'bulk'),
  };
}
