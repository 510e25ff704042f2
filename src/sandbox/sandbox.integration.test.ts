import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import { startSandbox } from './server.ts';
import { signWebhookV3, type WebhookEvent } from './webhook-sender.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('sandbox webhooks', () => {
  it('posts signed v3 batches for creations, property changes, merges and privacy deletions', async () => {
    const received: { events: WebhookEvent[]; valid: boolean }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${req.url}`;
        const expected = signWebhookV3('receiver-secret', 'POST', url, body, String(req.headers['x-hubspot-request-timestamp']));
        received.push({ events: JSON.parse(body) as WebhookEvent[], valid: expected === req.headers['x-hubspot-signature-v3'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const sandbox = await startSandbox({ contacts: 2 });
    try {
      sandbox.hubspot.setWebhookTarget({ targetUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot`, clientSecret: 'receiver-secret' });
      const booth = sandbox.hubspot.createContact({ email: 'booth.scan@northwind.example', lead_source: 'trade_show' });
      sandbox.hubspot.updateContact(booth.id, { jobtitle: 'CTO' });
      sandbox.hubspot.mergeContacts('1001', '1002');
      sandbox.hubspot.deleteContact(booth.id, { privacy: true });
      await sandbox.hubspot.flushWebhooks();
      const events = received.flatMap((r) => r.events);
      expect(received.every((r) => r.valid)).toBe(true);
      // A merge also changes the surviving contact's properties (values it lacked), each a propertyChange.
      expect(events.filter((e) => e.subscriptionType !== 'contact.propertyChange').map((e) => e.subscriptionType)).toEqual(['contact.creation', 'contact.merge', 'contact.privacyDeletion']);
      expect(events).toContainEqual(expect.objectContaining({ subscriptionType: 'contact.propertyChange', objectId: Number(booth.id), propertyName: 'jobtitle', propertyValue: 'CTO' }));
      expect(events).toContainEqual(expect.objectContaining({ subscriptionType: 'contact.merge', objectId: 1001, mergedObjectIds: [1002] }));
      expect(sandbox.hubspot.getContact(booth.id)).toBeUndefined();
    } finally {
      await sandbox.close();
      receiver.close();
    }
  });
});

describe('sandbox fault injection over HTTP', () => {
  it("answers injected 5xx and 429s in each vendor's shape, and counts them in the request log", async () => {
    const sandbox = await startSandbox({ seed: 4, faults: { hubspot: { rate5xx: 0.5 }, salesforce: { rate429: 0.5 } } });
    try {
      const hs = new Client({ accessToken: sandbox.connectionInfo().hubspot.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 1 });
      const sf = sandbox.connectionInfo().salesforce;
      const conn = new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: '64.0' });
      const hsResults = await Promise.allSettled(Array.from({ length: 40 }, () => hs.crm.contacts.basicApi.getPage(1)));
      const sfResults = await Promise.allSettled(Array.from({ length: 40 }, () => conn.query('SELECT COUNT() FROM User')));
      const hsFailed = hsResults.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      const sfFailed = sfResults.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(hsFailed.length).toBeGreaterThan(5);
      expect(hsFailed.every((r) => [500, 502, 503].includes(r.reason.code) && r.reason.body.status === 'error')).toBe(true);
      expect(sfFailed.length).toBeGreaterThan(5);
      expect(sfFailed.every((r) => r.reason.errorCode === 'REQUEST_LIMIT_EXCEEDED' && /ConcurrentPerOrgLongTxn/.test(r.reason.message))).toBe(true);
      const statuses = sandbox.requestLog.statuses('hubspot');
      expect((statuses[500] ?? 0) + (statuses[502] ?? 0) + (statuses[503] ?? 0)).toBe(hsFailed.length);
      expect(sandbox.requestLog.total('salesforce', 'query')).toBe(40);
    } finally {
      await sandbox.close();
    }
  });

  it('hangs requests so clients must time out, and adds latency', async () => {
    const sandbox = await startSandbox({ faults: { hubspot: { hangRate: 1 }, salesforce: { latencyMs: 150 } } });
    try {
      const hung = fetch(`${sandbox.url}/crm/v3/objects/contacts`, { headers: { authorization: `Bearer ${sandbox.connectionInfo().hubspot.accessToken}` }, signal: AbortSignal.timeout(300) });
      await expect(hung).rejects.toThrow(/aborted|timeout/i);
      const started = performance.now();
      const response = await fetch(`${sandbox.url}/services/data/v64.0/limits`, { headers: { authorization: `Bearer ${sandbox.connectionInfo().salesforce.accessToken}` } });
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await sandbox.close();
    }
  });
});

describe('leadloop sandbox (CLI)', () => {
  it('prints one JSON line with URLs, credentials and env lines, serves both APIs, and stops on SIGTERM', async () => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli.ts'), 'sandbox', '--contacts', '1000', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info.hubspot.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.env).toMatchObject({ HUBSPOT_BASE_URL: info.hubspot.baseUrl, SALESFORCE_INSTANCE_URL: info.salesforce.instanceUrl, SALESFORCE_API_VERSION: '64.0' });
    expect(info.exports).toContain(`export HUBSPOT_ACCESS_TOKEN=${info.hubspot.accessToken}`);
    const hs = new Client({ accessToken: info.hubspot.accessToken, basePath: info.hubspot.baseUrl, numberOfApiCallRetries: 1 });
    expect((await hs.crm.contacts.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' } as never)).total).toBe(1000);
    const conn = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: '64.0' });
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(15);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('creates contacts as people and forms do (the control endpoint): no API call counted, bad bodies refused', async () => {
    const sandbox = await startSandbox({ contacts: 0 });
    try {
      const origin = new URL(sandbox.connectionInfo().hubspot.baseUrl).origin;
      const post = (body: string) => fetch(`${origin}/__sandbox/hubspot/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const created = await post(JSON.stringify({ contacts: [{ email: 'a@x.example' }, { email: 'b@x.example' }] }));
      expect(created.status).toBe(201);
      const { ids } = (await created.json()) as { ids: string[] };
      expect(ids.map((id) => sandbox.hubspot.getContact(id)?.properties.email)).toEqual(['a@x.example', 'b@x.example']);
      expect(sandbox.requestLog.snapshot().hubspot).toEqual({});
      expect((await post('{"contacts": "nope"}')).status).toBe(400);
      expect((await post('not json')).status).toBe(400);
    } finally {
      await sandbox.close();
    }
  });
});
