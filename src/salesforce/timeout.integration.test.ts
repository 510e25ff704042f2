import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decideRetry } from '../queue/retry.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { connectSalesforce } from './connection.ts';
import { AuthFailed, Unavailable } from '../errors/index.ts';
import { queryAll } from './query.ts';
import { upsertRecords } from './upsertLeads.ts';

let sandbox: Sandbox | undefined;
let loginProxy: Server | undefined;
afterEach(async () => {
  loginProxy?.closeAllConnections();
  await new Promise((resolve) => (loginProxy ? loginProxy.close(resolve) : resolve(undefined)));
  loginProxy = undefined;
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
  it('a request the org never answers fails as UNAVAILABLE after the deadline, and the queue backs off', async () => {
    const conn = await connect({ hangRate: 1 }, 300);
    const started = Date.now();
    const error = await queryAll(conn, 'SELECT Id FROM User').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).timeoutMs).toBe(300);
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
    await expect(upsertRecords(conn, 'Lead', [{ HubSpot_Contact_Id__c: '1', LastName: 'L', Company: 'Acme' }], { externalIdField: 'HubSpot_Contact_Id__c' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      system: 'salesforce',
      timeoutMs: 300,
    });
  });

  it('a 5xx is not retried inside jsforce: the queue is the one retry layer', async () => {
    const conn = await connect({ rate5xx: 1 });
    const error = await queryAll(conn, 'SELECT Id FROM User').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
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

describe('Salesforce session refresh', () => {
  it('a new session Salesforce keeps refusing gives up after 3 refreshes instead of looping', async () => {
    sandbox = await startSandbox();
    const s = sandbox;
    const info = s.connectionInfo().salesforce;
    // Every request finds its session gone again: each refresh "succeeds" and is refused anyway.
    const conn = await connectSalesforce({
      auth: { kind: 'jwt', loginUrl: info.loginUrl, clientId: info.clientId, username: info.username, privateKeyFile: info.privateKeyFile },
      apiVersion: '64.0',
      gate: { before: async (call) => void (call.kind !== 'auth' && s.salesforce.expireSessions()), after: () => undefined },
    });
    const started = Date.now();
    const error = await queryAll(conn, 'SELECT Id FROM User').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthFailed);
    expect((error as Error).message).toMatch(/giving up/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The first login and three refreshes, then no more.
    expect(s.requestLog.snapshot().salesforce['oauth.token']).toBe(4);
  });

  it('a login endpoint that does not answer during a refresh is UNAVAILABLE (backed off), not an auth pause', async () => {
    sandbox = await startSandbox();
    const s = sandbox;
    const info = s.connectionInfo().salesforce;
    // A login host that answers the first login (through to the sandbox) and then goes silent.
    let logins = 0;
    loginProxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (++logins > 1) return;
        const answer = await fetch(`${s.url}${req.url}`, { method: req.method ?? 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => loginProxy!.listen(0, '127.0.0.1', resolve));
    const loginUrl = `http://127.0.0.1:${(loginProxy.address() as AddressInfo).port}`;
    const conn = await connectSalesforce({ auth: { kind: 'client_credentials', loginUrl, clientId: info.clientId, clientSecret: info.clientSecret }, apiVersion: '64.0', timeoutMs: 300 });
    expect(await queryAll(conn, 'SELECT Id FROM User LIMIT 1')).toHaveLength(1);
    s.salesforce.expireSessions();
    const error = await queryAll(conn, 'SELECT Id FROM User LIMIT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect(decideRetry(error, retryContext)).toEqual({ action: 'backoff', reason: 'transient' });
    expect(logins).toBe(2);
  });
});
