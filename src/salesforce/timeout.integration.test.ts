import { afterEach, describe, expect, it } from 'vitest';
import { decideRetry } from '../queue/retry.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { connectSalesforce } from './connection.ts';
import { SalesforceUnavailable } from './errors.ts';
import { queryAll } from './query.ts';
import { upsertRecords } from './upsertLeads.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const retryContext = { now: 0, hubspotDailyResetAt: () => 0 };

async function connect(faults: NonNullable<NonNullable<Parameters<typeof startSandbox>[0]>['faults']>['salesforce'], timeoutMs?: number) {
  sandbox = await startSandbox({ faults: { salesforce: faults ?? {} } });
  const info = sandbox.connectionInfo().salesforce;
  return connectSalesforce({ auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken }, apiVersion: '64.0', ...(timeoutMs ? { timeoutMs } : {}) });
}

describe('Salesforce request timeouts', () => {
  it('a request the org never answers fails as SalesforceUnavailable after the deadline, and the queue backs off', async () => {
    const conn = await connect({ hangRate: 1 }, 300);
    const started = Date.now();
    const error = await queryAll(conn, 'SELECT Id FROM User').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SalesforceUnavailable);
    expect((error as SalesforceUnavailable).timeoutMs).toBe(300);
    // The message names the path, never the SOQL (it may hold personal data).
    expect((error as Error).message).not.toContain('SELECT');
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(5_000);
    expect(decideRetry(error, retryContext)).toEqual({ action: 'backoff', reason: 'timeout' });
    // jsforce did not retry the hung GET on its own: one request reached the org.
    expect(sandbox!.requestLog.snapshot().salesforce).toEqual({ query: 1 });
  });

  it('a write that hangs times out too', async () => {
    const conn = await connect({ hangRate: 1 }, 300);
    await expect(upsertRecords(conn, 'Lead', [{ HubSpot_Contact_Id__c: '1', LastName: 'L', Company: 'Acme' }], { externalIdField: 'HubSpot_Contact_Id__c' })).rejects.toMatchObject({ name: 'SalesforceUnavailable', timeoutMs: 300 });
  });

  it('a 5xx is not retried inside jsforce: the queue is the one retry layer', async () => {
    const conn = await connect({ rate5xx: 1 });
    const error = await queryAll(conn, 'SELECT Id FROM User').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceUnavailable);
    expect(decideRetry(error, retryContext)).toEqual({ action: 'backoff', reason: 'transient' });
    // jsforce's default would have sent this GET six times (five retries).
    expect(sandbox!.requestLog.snapshot().salesforce).toEqual({ query: 1 });
  });

  it('a healthy connection keeps working under the deadline, large query pages included', async () => {
    const conn = await connect({}, 2_000);
    const records = Array.from({ length: 600 }, (_, i) => ({ HubSpot_Contact_Id__c: String(9000 + i), LastName: `Person ${i} ${'x'.repeat(60)}`, Company: 'Acme' }));
    await upsertRecords(conn, 'Lead', records, { externalIdField: 'HubSpot_Contact_Id__c' });
    const leads = await queryAll<{ Id: string; LastName: string }>(conn, 'SELECT Id, LastName FROM Lead WHERE HubSpot_Contact_Id__c != null');
    expect(leads.length).toBe(600);
  });
});
