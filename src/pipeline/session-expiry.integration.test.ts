import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceAuth } from '../config/env.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { createHubSpotClient } from '../hubspot/client.ts';
import { BudgetGovernor } from '../queue/budget.ts';
import { DeadLetterList } from '../queue/dead-letter.ts';
import { hubspotBudgetGate } from '../queue/hubspot-gate.ts';
import { decideRetry } from '../queue/retry.ts';
import { testConnection } from '../queue/test-redis.ts';
import { shippedConfig, testStores } from '../../test/support/pipeline.ts';
import { connectSalesforce } from '../salesforce/connection.ts';
import { SalesforceAuthError } from '../salesforce/errors.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import type { Ledger } from '../store/ledger.ts';
import { SyncState } from '../store/sync-state.ts';
import type { SyncDeps } from './ports.ts';
import { setupHubSpot } from './setup.ts';
import { syncLeads } from './syncLeads.ts';

const CONTACTS = 250;
// Two syncs per test (a clean one to compare with): longer than the project's 60 s default on a busy machine.
const TWO_SYNCS_MS = 180_000;

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
  stores = await testStores('sfexpiry', redis);
  ({ prefix, ledger } = stores);
}
async function teardown(): Promise<void> {
  await sandbox?.close();
  sandbox = undefined;
  await stores.close();
}

type AuthKind = SalesforceAuth['kind'];

function authOf(s: Sandbox, kind: AuthKind): SalesforceAuth {
  const info = s.connectionInfo().salesforce;
  if (kind === 'jwt') return { kind, loginUrl: info.loginUrl, clientId: info.clientId, username: info.username, privateKeyFile: info.privateKeyFile };
  if (kind === 'client_credentials') return { kind, loginUrl: info.loginUrl, clientId: info.clientId, clientSecret: info.clientSecret };
  return { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken };
}

/** Sandbox + deps; `onSalesforceCall(n)` runs before the n-th Salesforce request (a test's hand on the org). */
async function deps(kind: AuthKind, onSalesforceCall?: (n: number, s: Sandbox) => void): Promise<SyncDeps> {
  const s = (sandbox = await startSandbox({ contacts: CONTACTS, seed: 21 }));
  const info = s.connectionInfo();
  const hubspot = createHubSpotClient({ accessToken: info.hubspot.accessToken, baseUrl: info.hubspot.baseUrl });
  await setupHubSpot(hubspot, config.mapping);
  let calls = 0;
  const salesforce = await connectSalesforce({
    auth: authOf(s, kind),
    apiVersion: '64.0',
    ...(onSalesforceCall ? { beforeCall: async () => onSalesforceCall(++calls, s) } : {}),
  });
  const beforeHubSpotCall = hubspotBudgetGate(new BudgetGovernor(redis, prefix), 'bulk');
  return { hubspot, salesforce, ledger: ledger.db, state: new SyncState(redis, prefix), deadLetter: new DeadLetterList(redis, prefix), config, configVersion: version, beforeHubSpotCall };
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

async function cleanRun(kind: AuthKind) {
  const d = await deps(kind);
  const summary = await syncLeads(d, { indexingLagMs: 0 });
  const state = { ...endState(sandbox!), summary, salesforceCalls: sandbox!.salesforce.apiUsage().used };
  await teardown();
  await fresh();
  return state;
}

describe('an expired Salesforce session during a sync', () => {
  it.each(['jwt', 'client_credentials'] as const)('%s: the session is refreshed once and the sync ends as a clean run does', async (kind) => {
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
  }, TWO_SYNCS_MS);

  it('a refresh that fails stops the sync with SalesforceAuthError (pause and alert), dead-letters nothing, and a rerun once fixed converges', async () => {
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
    expect(error).toBeInstanceOf(SalesforceAuthError);
    expect(decideRetry(error, { now: Date.now(), hubspotDailyResetAt: () => 0 })).toEqual({ action: 'pause-queues', system: 'salesforce', reason: 'salesforce-auth' });
    const s = sandbox!;
    // One failed refresh, not a loop.
    expect(logins(s)).toBe(2);
    // No record was dead-lettered for the session: whatever is there, the clean run refused too.
    const dead = await new DeadLetterList(redis, prefix).list({ limit: 1_000 });
    expect(dead.length).toBeLessThanOrEqual(clean.summary.deadLettered);
    for (const record of dead) expect(JSON.stringify(record)).not.toMatch(/session|refresh|inactive user|INVALID_SESSION_ID/i);

    // Credentials fixed: a new connection's rerun ends where the clean run did.
    s.salesforce.update('User', integrationUser(s), { IsActive: true });
    const salesforce = await connectSalesforce({ auth: authOf(s, 'jwt'), apiVersion: '64.0' });
    await syncLeads({ ...d, salesforce }, { indexingLagMs: 0 });
    const after = endState(s);
    expect(after.leads).toEqual(clean.leads);
    expect(after.tasks).toBe(clean.tasks);
    expect(after.duplicateLeads).toBe(0);
    expect(after.duplicateTasks).toBe(0);
  }, TWO_SYNCS_MS);

  it('a direct access token cannot be refreshed: SalesforceAuthError at the first expired call', async () => {
    const d = await deps('token', (n, s) => n === 3 && s.salesforce.expireSessions());
    const error = await syncLeads(d, { indexingLagMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceAuthError);
    expect(await new DeadLetterList(redis, prefix).list()).toEqual([]);
  });
});
