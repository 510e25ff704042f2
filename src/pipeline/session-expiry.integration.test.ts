import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailed } from '../errors/index.ts';
import { decideRetry } from '../queue/retry.ts';
import { connectSalesforce } from '../salesforce/connection.ts';
import { SalesforceLeads } from '../salesforce/salesforce-leads.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp, type SandboxAuth } from '../../test/support/pipeline.ts';
import type { SyncDeps } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

const CONTACTS = 250;
// Two syncs per test (a clean one to compare with): longer than the project's 60 s default on a busy machine.
const TWO_SYNCS_MS = 180_000;

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(teardown);

async function teardown(): Promise<void> {
  await app?.close();
  app = undefined;
  await sandbox?.close();
  sandbox = undefined;
}

/** Sandbox + deps; `onSalesforceCall(n)` runs before the n-th Salesforce API request (a test's hand on the org). */
async function deps(kind: SandboxAuth, onSalesforceCall?: (n: number, s: Sandbox) => void): Promise<SyncDeps> {
  const s = await startSandbox({ contacts: CONTACTS, seed: 21 });
  sandbox = s;
  let calls = 0;
  app = await sandboxApp(s, {
    label: 'sfexpiry',
    auth: kind,
    wrapGate: (gate) => ({
      before: async (call) => {
        if (onSalesforceCall && call.system === 'salesforce' && call.kind !== 'auth') onSalesforceCall(++calls, s);
        return gate.before(call);
      },
      after: (call, answer) => gate.after(call, answer),
    }),
  });
  return app.deps;
}

/** What a run leaves in Salesforce, by HubSpot contact (ids differ between sandboxes). */
function endState(s: Sandbox) {
  const leads = s.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
  const tasks = s.salesforce.records('Task').map((t) => String(t.Leadloop_Key__c));
  return {
    leads: new Map(leads.map((l) => [String(l.HubSpot_Contact_Id__c), { owner: l.OwnerId, grade: l.Lead_Grade__c, status: l.Status }])),
    duplicateLeads: leads.length - new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size,
    tasks: tasks.length,
    duplicateTasks: tasks.length - new Set(tasks).size,
  };
}

const logins = (s: Sandbox): number => s.requestLog.snapshot().salesforce['oauth.token'] ?? 0;

async function cleanRun(kind: SandboxAuth) {
  const d = await deps(kind);
  const summary = await syncLeads(d, { indexingLagMs: 0 });
  const state = { ...endState(sandbox!), summary, salesforceCalls: sandbox!.salesforce.apiUsage().used };
  await teardown();
  return state;
}

describe('an expired Salesforce session during a sync', () => {
  it.each(['jwt', 'client_credentials'] as const)(
    '%s: the session is refreshed once and the sync ends as a clean run does',
    async (kind) => {
      const clean = await cleanRun(kind);
      expect(clean.summary.created).toBeGreaterThan(0);
      // Expire every session halfway through the sync's Salesforce calls.
      const expireAt = Math.floor(clean.salesforceCalls / 2);
      const d = await deps(kind, (n, s) => n === expireAt && s.salesforce.expireSessions());
      const summary = await syncLeads(d, { indexingLagMs: 0 });
      const s = sandbox!;
      // The first login and one refresh.
      expect(logins(s)).toBe(2);
      expect(s.requestLog.statuses('salesforce')[401]).toBe(1);
      const after = endState(s);
      expect(after.leads).toEqual(clean.leads);
      expect(after.tasks).toBe(clean.tasks);
      expect(after.duplicateLeads).toBe(0);
      expect(after.duplicateTasks).toBe(0);
      expect(summary).toEqual(clean.summary);
    },
    TWO_SYNCS_MS,
  );

  it(
    'a refresh that fails stops the sync with AUTH_FAILED (pause and alert), dead-letters nothing, and a rerun once fixed converges',
    async () => {
      const clean = await cleanRun('jwt');
      const expireAt = Math.floor(clean.salesforceCalls / 2);
      const integrationUser = (s: Sandbox) => s.salesforce.records('User').find((u) => u.Username === s.connectionInfo().salesforce.username)!.Id as string;
      const d = await deps('jwt', (n, s) => {
        if (n !== expireAt) return;
        // The integration user is deactivated: every new JWT login is refused.
        s.salesforce.update('User', integrationUser(s), { IsActive: false });
        s.salesforce.expireSessions();
      });
      const error = await syncLeads(d, { indexingLagMs: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthFailed);
      expect(decideRetry(error, { now: Date.now(), hubspotDailyResetAt: () => 0 })).toEqual({ action: 'pause-queues', system: 'salesforce', reason: 'salesforce-auth' });
      const s = sandbox!;
      // One failed refresh, not a loop.
      expect(logins(s)).toBe(2);
      // No record was dead-lettered for the session: whatever is there, the clean run refused too.
      const dead = await app!.deadLetters.list({ limit: 1_000 });
      expect(dead.length).toBeLessThanOrEqual(clean.summary.deadLettered);
      for (const record of dead) expect(JSON.stringify(record)).not.toMatch(/session|refresh|inactive user|INVALID_SESSION_ID/i);

      // Credentials fixed: a new connection's rerun ends where the clean run did.
      s.salesforce.update('User', integrationUser(s), { IsActive: true });
      const connection = await connectSalesforce({ auth: app!.env.salesforce.auth!, apiVersion: '64.0' });
      await syncLeads({ ...d, leads: new SalesforceLeads(connection, { externalIdField: 'HubSpot_Contact_Id__c', taskKeyField: 'Leadloop_Key__c' }) }, { indexingLagMs: 0 });
      const after = endState(s);
      expect(after.leads).toEqual(clean.leads);
      expect(after.tasks).toBe(clean.tasks);
      expect(after.duplicateLeads).toBe(0);
      expect(after.duplicateTasks).toBe(0);
    },
    TWO_SYNCS_MS,
  );

  it('a direct access token cannot be refreshed: AUTH_FAILED at the first expired call', async () => {
    const d = await deps('token', (n, s) => n === 3 && s.salesforce.expireSessions());
    const error = await syncLeads(d, { indexingLagMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthFailed);
    expect(await app!.deadLetters.list()).toEqual([]);
  });
});
