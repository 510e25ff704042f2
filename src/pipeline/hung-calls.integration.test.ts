import { afterEach, describe, expect, it } from 'vitest';
import { decideRetry } from '../queue/retry.ts';
import type { FaultOptions } from '../sandbox/faults.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { SyncDeps } from './ports.ts';
import { setupHubSpot } from './setup.ts';
import { syncLeads } from './syncLeads.ts';

// A short deadline so that hung calls cost little test time; production uses 30 s. The sandbox
// seed decides which calls hang: with seed 5 both systems hang several times in this sync.
const TIMEOUT_MS = 250;

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(teardown);

async function teardown(): Promise<void> {
  await app?.close();
  app = undefined;
  await sandbox?.close();
  sandbox = undefined;
}

async function deps(faults?: { hubspot?: FaultOptions; salesforce?: FaultOptions }): Promise<SyncDeps> {
  const s = await startSandbox({ contacts: 250, seed: 5, ...(faults ? { faults } : {}) });
  sandbox = s;
  app = await sandboxApp(s, { label: 'hung', hubspotTimeoutMs: TIMEOUT_MS, salesforceTimeoutMs: TIMEOUT_MS, setup: false });
  // Setup is not under test here: it is simply repeated until no call of it hangs.
  for (let attempt = 0; ; attempt++) {
    try {
      await setupHubSpot(app.hubspot, app.deals, app.config.mapping);
      break;
    } catch (error) {
      if (attempt > 20) throw error;
    }
  }
  return app.deps;
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
      expect(f.name).toBe('Unavailable');
      expect(f).toMatchObject({ action: 'backoff', reason: 'timeout' });
    }
    const after = endState(sandbox!);
    expect(after.leads).toEqual(clean.leads);
    expect(after.tasks).toBe(clean.tasks);
    expect(after.duplicateLeads).toBe(0);
    expect(after.duplicateTasks).toBe(0);
  }, 180_000);
});
