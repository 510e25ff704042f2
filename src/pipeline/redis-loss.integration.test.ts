import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { deleteKeysWithPrefix } from '../../test/support/redis.ts';
import type { SyncDeps, SyncStatePort } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

// Enough contacts that the reps reach their daily_capacity: routing then depends on today's loads.
const CONTACTS = 2_000;

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(teardown);

async function teardown(): Promise<void> {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
}

/** What a run leaves in Salesforce, by HubSpot contact (ids differ between sandboxes). */
function endState(s: Sandbox) {
  const leads = s.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
  const tasks = s.salesforce.records('Task').map((t) => String(t.Leadloop_Key__c));
  const owners = new Map<string, number>();
  for (const l of leads) owners.set(String(l.OwnerId), (owners.get(String(l.OwnerId)) ?? 0) + 1);
  return {
    leads: new Map(leads.map((l) => [String(l.HubSpot_Contact_Id__c), l.OwnerId])),
    duplicateLeads: leads.length - new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size,
    tasks: tasks.length,
    duplicateTasks: tasks.length - new Set(tasks).size,
    owners,
  };
}

describe('Redis loses its data mid-sync (a restart without persistence, a failover)', () => {
  it("the next run rebuilds today's loads and the rotation from the ledger: the end state equals a clean run's, nobody past capacity", async () => {
    sandbox = await startSandbox({ contacts: CONTACTS, seed: 17 });
    app = await sandboxApp(sandbox, { label: 'redisloss-clean' });
    // The incremental pull: pages routed one after another, written in batches of 200 hand-offs.
    await app.deps.state.saveCursor({ at: 0, idsAtBoundary: [] });
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const clean = endState(sandbox);
    expect(clean.tasks).toBeGreaterThan(50);
    await teardown();

    sandbox = await startSandbox({ contacts: CONTACTS, seed: 17 });
    app = await sandboxApp(sandbox, { label: 'redisloss' });
    await app.deps.state.saveCursor({ at: 0, idsAtBoundary: [] });
    // Redis goes away right after the first batch of hand-offs landed: the later pages are not routed yet.
    const crashing: SyncDeps = {
      ...app.deps,
      state: new Proxy(app.deps.state, {
        get(target, key) {
          if (key === 'saveCursor') {
            return async (cursor: Parameters<SyncStatePort['saveCursor']>[0]) => {
              await target.saveCursor(cursor);
              throw new Error('Redis went away');
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    await expect(syncLeads(crashing, { indexingLagMs: 0 })).rejects.toThrow('Redis went away');
    expect(sandbox.salesforce.records('Task').length).toBeGreaterThan(0);
    // Redis comes back empty: cursor, loads and round-robin positions are gone. The next run pulls
    // from the start again — here in the clean run's order (search by last change), so the two compare.
    await deleteKeysWithPrefix(app.testRedis, app.prefix);
    await app.deps.state.saveCursor({ at: 0, idsAtBoundary: [] });
    await syncLeads(app.deps, { indexingLagMs: 0 });

    const after = endState(sandbox);
    expect(after.duplicateLeads).toBe(0);
    expect(after.duplicateTasks).toBe(0);
    expect(after.tasks).toBe(clean.tasks);
    expect(after.leads.size).toBe(clean.leads.size);
    // The same owners get the same number of leads as in the clean run (ids match across sandboxes with the same seed).
    expect(after.owners).toEqual(clean.owners);
  }, 240_000);
});
