import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { createHubSpotClient } from '../hubspot/client.ts';
import { BudgetGovernor } from '../queue/budget.ts';
import { DeadLetterList } from '../queue/dead-letter.ts';
import { hubspotBudgetGate } from '../queue/hubspot-gate.ts';
import { decideRetry } from '../queue/retry.ts';
import { testConnection } from '../queue/test-redis.ts';
import { shippedConfig, testStores } from '../../test/support/pipeline.ts';
import { connectSalesforce } from '../salesforce/connection.ts';
import type { FaultOptions } from '../sandbox/faults.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import type { Ledger } from '../store/ledger.ts';
import { SyncState } from '../store/sync-state.ts';
import type { SyncDeps } from './ports.ts';
import { setupHubSpot } from './setup.ts';
import { syncLeads } from './syncLeads.ts';

// A short deadline so that hung calls cost little test time; production uses 30 s. The sandbox
// seed decides which calls hang: with seed 5 both systems hang several times in this sync.
const TIMEOUT_MS = 250;

let sandbox: Sandbox | undefined;
let redis: Redis;
let prefix: string;
let ledger: Ledger;
let config: LeadloopConfig;
let version: string;

beforeEach(async () => {
  ({ config, version } = await shippedConfig());
  redis = testConnection();
  await fresh();
});
afterEach(async () => {
  await teardown();
  redis.disconnect();
});

let stores: Awaited<ReturnType<typeof testStores>>;

async function fresh(): Promise<void> {
  stores = await testStores('hung', redis);
  ({ prefix, ledger } = stores);
}
async function teardown(): Promise<void> {
  await sandbox?.close();
  sandbox = undefined;
  await stores.close();
}

async function deps(faults?: { hubspot?: FaultOptions; salesforce?: FaultOptions }): Promise<SyncDeps> {
  const s = (sandbox = await startSandbox({ contacts: 250, seed: 5, ...(faults ? { faults } : {}) }));
  const info = s.connectionInfo();
  const hubspot = createHubSpotClient({ accessToken: info.hubspot.accessToken, baseUrl: info.hubspot.baseUrl, timeoutMs: TIMEOUT_MS });
  // Setup is not under test here: it is simply repeated until no call of it hangs.
  for (let attempt = 0; ; attempt++) {
    try {
      await setupHubSpot(hubspot, config.mapping);
      break;
    } catch (error) {
      if (attempt > 20) throw error;
    }
  }
  const salesforce = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken }, apiVersion: '64.0', timeoutMs: TIMEOUT_MS });
  const beforeHubSpotCall = hubspotBudgetGate(new BudgetGovernor(redis, prefix), 'bulk');
  return { hubspot, salesforce, ledger: ledger.db, state: new SyncState(redis, prefix), deadLetter: new DeadLetterList(redis, prefix), config, configVersion: version, beforeHubSpotCall };
}

function endState(s: Sandbox) {
  const leads = s.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
  const tasks = s.salesforce.records('Task').map((t) => String(t.Leadloop_Key__c));
  return {
    leads: new Map(leads.map((l) => [String(l.HubSpot_Contact_Id__c), { owner: l.OwnerId, grade: l.Lead_Grade__c }])),
    duplicateLeads: leads.length - new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size,
    tasks: tasks.length,
    duplicateTasks: tasks.length - new Set(tasks).size,
  };
}

describe('hung HubSpot and Salesforce calls during a sync', () => {
  it('time out as the Unavailable errors, are backed off, and the retried cycles end as a clean run does', async () => {
    await syncLeads(await deps(), { indexingLagMs: 0 });
    const clean = endState(sandbox!);
    expect(clean.leads.size).toBeGreaterThan(0);
    await teardown();
    await fresh();

    const faulty = await deps({ hubspot: { hangRate: 0.1 }, salesforce: { hangRate: 0.15 } });
    const failures: { name: string; action: string; reason: string }[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        await syncLeads(faulty, { indexingLagMs: 0 });
        break;
      } catch (error) {
        const decision = decideRetry(error, { now: Date.now(), hubspotDailyResetAt: () => 0 });
        failures.push({ name: (error as Error).name, action: decision.action, reason: decision.reason });
      }
    }
    // Calls did hang, in both systems, and every one ended as a backed-off timeout.
    expect(sandbox!.requestLog.statuses('hubspot')[0]).toBeGreaterThan(0);
    expect(sandbox!.requestLog.statuses('salesforce')[0]).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(['HubSpotUnavailable', 'SalesforceUnavailable']).toContain(f.name);
      expect(f).toMatchObject({ action: 'backoff', reason: 'timeout' });
    }
    const after = endState(sandbox!);
    expect(after.leads).toEqual(clean.leads);
    expect(after.tasks).toBe(clean.tasks);
    expect(after.duplicateLeads).toBe(0);
    expect(after.duplicateTasks).toBe(0);
  }, 180_000);
});
