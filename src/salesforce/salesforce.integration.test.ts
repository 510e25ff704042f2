import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { AuthFailed, DailyLimit } from '../errors/index.ts';
import { pullAccounts } from './accountIndex.ts';
import { connectSalesforce } from './connection.ts';
import { createTasks } from './createTasks.ts';
import { loadDirectory } from './directory.ts';
import { findPeople } from './findPeople.ts';
import { queryAll } from './query.ts';
import { upsertRecords } from './upsertLeads.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function open(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox(options);
  return sandbox;
}
const info = (s: Sandbox) => s.connectionInfo().salesforce;
const tokenAuth = (s: Sandbox) => ({ kind: 'token' as const, instanceUrl: info(s).instanceUrl, accessToken: info(s).accessToken });
const jwtAuth = (s: Sandbox) => ({ kind: 'jwt' as const, loginUrl: info(s).loginUrl, clientId: info(s).clientId, username: info(s).username, privateKeyFile: info(s).privateKeyFile });

describe('Salesforce connection', () => {
  it('logs in with JWT bearer and client credentials, and refreshes an expired session with a new assertion', async () => {
    const s = await open();
    const jwt = await connectSalesforce({ auth: jwtAuth(s), apiVersion: '64.0' });
    expect((await jwt.query('SELECT COUNT() FROM User')).totalSize).toBe(15);
    const cc = await connectSalesforce({ auth: { kind: 'client_credentials', loginUrl: info(s).loginUrl, clientId: info(s).clientId, clientSecret: info(s).clientSecret }, apiVersion: '64.0' });
    expect((await cc.query('SELECT COUNT() FROM User')).totalSize).toBe(15);
    s.salesforce.expireSessions();
    expect((await jwt.query('SELECT COUNT() FROM User')).totalSize).toBe(15);
  });

  it('gives up with AUTH_FAILED instead of refreshing forever', async () => {
    const s = await open();
    const direct = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    s.salesforce.expireSessions();
    await expect(queryAll(direct, 'SELECT Id FROM User')).rejects.toBeInstanceOf(AuthFailed);
    const wrongKey = await connectSalesforce({ auth: jwtAuth(s), apiVersion: '64.0' });
    // Deactivate the integration user: every refresh now fails, and the cap stops the loop.
    s.salesforce.update('User', s.salesforce.records('User').find((u) => u.Username === info(s).username)!.Id as string, { IsActive: false });
    s.salesforce.expireSessions();
    const started = Date.now();
    await expect(queryAll(wrongKey, 'SELECT Id FROM User')).rejects.toThrow(/login refused|giving up/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('Salesforce writes', () => {
  it('upserts 450 leads in 3 calls keeping our owner, and reports refused records', async () => {
    const s = await open();
    const conn = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    const directory = await loadDirectory(conn);
    const dana = directory.usersByEmail.get('dana.whitfield@copperleaf.example')!.id;
    const records = Array.from({ length: 450 }, (_, i) => ({ HubSpot_Contact_Id__c: String(5000 + i), LastName: `L${i}`, Company: 'Acme', OwnerId: dana }));
    records[10] = { HubSpot_Contact_Id__c: '5010', LastName: 'x'.repeat(81), Company: 'Acme', OwnerId: dana };
    const result = await upsertRecords(conn, 'Lead', records, { externalIdField: 'HubSpot_Contact_Id__c' });
    expect(s.requestLog.counts('salesforce')['sobjects.collections.upsert']).toBe(3);
    expect(result.written.size).toBe(449);
    // The refusal names the record, the code and the field — never the value (it may be personal data).
    expect(result.rejections).toEqual([{ system: 'salesforce', recordKey: '5010', code: 'STRING_TOO_LONG', fields: ['LastName'] }]);
    const owners = new Set(
      s.salesforce
        .records('Lead')
        .filter((l) => String(l.HubSpot_Contact_Id__c ?? '').startsWith('5'))
        .map((l) => l.OwnerId),
    );
    expect(owners).toEqual(new Set([dana]));
    const again = await upsertRecords(conn, 'Lead', records.slice(0, 5), { externalIdField: 'HubSpot_Contact_Id__c' });
    expect([...again.written.values()].every((w) => !w.created)).toBe(true);
    expect(await loadDirectory(conn)).toBe(await loadDirectory(conn));
    expect(s.requestLog.counts('salesforce').query).toBe(2); // users and queues, once
  });

  it('finds open, converted and existing people by email, quotes and backslashes included', async () => {
    const s = await open();
    const conn = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    const user = s.salesforce.records('User')[0]!.Id;
    s.salesforce.insert('Lead', { LastName: 'Open', Company: 'A', Email: "o'brien\\@acme.example", OwnerId: user });
    const converted = s.salesforce.insert('Lead', { LastName: 'Conv', Company: 'A', Email: 'conv@acme.example', OwnerId: user });
    s.salesforce.convertLead(converted);
    s.salesforce.insert('Contact', { LastName: 'Known', Email: 'known@acme.example', OwnerId: user });
    const ours = s.salesforce.insert('Lead', { LastName: 'Ours', Company: 'A', Email: 'changed@acme.example', HubSpot_Contact_Id__c: '777', OwnerId: user });
    const task = s.salesforce.insert('Task', { Subject: 'Earlier', OwnerId: user, Leadloop_Key__c: '777:first:step0' });
    const found = await findPeople(
      conn,
      ['777'],
      ["O'Brien\\@acme.example", 'conv@acme.example', 'known@acme.example', 'nobody@acme.example'],
      'HubSpot_Contact_Id__c',
      ['777:first:step0', '777:first:step1'],
      'Leadloop_Key__c',
    );
    expect(found.byExternalId.get('777')?.id).toBe(ours);
    expect(found.leadsByEmail.get("o'brien\\@acme.example")?.[0]).toMatchObject({ isConverted: false, externalId: null });
    expect(found.leadsByEmail.get('conv@acme.example')?.[0]).toMatchObject({ isConverted: true, convertedContactId: expect.stringMatching(/^003/) });
    expect(found.contactsByEmail.get('known@acme.example')).toHaveLength(1);
    expect(found.contactsByEmail.has('conv@acme.example')).toBe(false); // a Lead answered: its converted contact is reached through it
    expect(found.leadsByEmail.has('nobody@acme.example')).toBe(false);
    expect(found.existingTaskKeys).toEqual(new Set(['777:first:step0']));
    expect(task).toBeTruthy();
    expect(s.requestLog.counts('salesforce')).toEqual({ composite: 1 }); // the Lead, Contact and task-key queries in one call
  });

  it('creates tasks once: a retry (or a concurrent run) is refused by the unique key and counts as existing', async () => {
    const s = await open();
    const conn = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    const owner = s.salesforce.records('User')[0]!.Id;
    const lead = s.salesforce.insert('Lead', { LastName: 'T', Company: 'A', OwnerId: owner });
    const tasks = Array.from({ length: 3 }, (_, i) => ({ key: `lead-${lead}-call-${i}`, fields: { Subject: 'Call now', WhoId: lead, OwnerId: owner, Priority: 'High' } }));
    const first = await createTasks(conn, tasks, 'Leadloop_Key__c');
    expect(first.created).toHaveLength(3);
    const second = await createTasks(conn, tasks, 'Leadloop_Key__c');
    expect(second.created).toHaveLength(0);
    expect(second.existing).toHaveLength(3);
    expect(s.salesforce.records('Task')).toHaveLength(3);
  });
});

describe('Salesforce reads and limits', () => {
  it('pulls the account index incrementally with normalised domains', async () => {
    const s = await open();
    const conn = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    const owner = s.salesforce.records('User')[0]!.Id;
    s.salesforce.insert('Account', { Name: 'Acme', Website: 'https://WWW.Acme.example/about', OwnerId: owner });
    s.salesforce.insert('Account', { Name: 'No site', Website: null, OwnerId: owner });
    const pull = async (since: number) => {
      const pages = [];
      for await (const page of pullAccounts(conn, since)) pages.push(...page);
      return pages;
    };
    const first = await pull(0);
    expect(first).toEqual([expect.objectContaining({ domain: 'acme.example', ownerId: owner }), expect.objectContaining({ domain: null })]);
    const newest = Math.max(...first.map((a) => a.modifiedAt));
    await new Promise((r) => setTimeout(r, 1100));
    s.salesforce.insert('Account', { Name: 'Globex', Website: 'globex.example', OwnerId: owner });
    const second = await pull(newest + 1000);
    expect(second.map((a) => a.domain)).toEqual(['globex.example']);
  });

  it('maps the spent daily allocation to DAILY_LIMIT', async () => {
    const s = await open({ salesforce: { dailyApiLimit: 1 } });
    const conn = await connectSalesforce({ auth: tokenAuth(s), apiVersion: '64.0' });
    await loadDirectory(conn).catch(() => undefined);
    await expect(pullAccounts(conn, 0).next()).rejects.toBeInstanceOf(DailyLimit);
  });
});
