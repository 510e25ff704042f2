import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { batchReadContacts } from './batchReadContacts.ts';
import { batchUpdateContacts } from './batchUpdateContacts.ts';
import { createHubSpotClient } from './client.ts';
import type { ContactCursor } from '../domain/contact.ts';
import { AuthFailed, RateLimited } from '../errors/index.ts';
import { listContacts } from './listContacts.ts';
import { searchModifiedContacts } from './searchModifiedContacts.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function open(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox({ ...options, hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0, ...options.hubspot } });
  return { sandbox, client: createHubSpotClient({ accessToken: sandbox.connectionInfo().hubspot.accessToken, baseUrl: sandbox.url }) };
}

/** Creates contacts directly in the portal with chosen lastmodifieddate values (no API calls). */
function seed(s: Sandbox, times: number[]): string[] {
  return times.map((at, i) => s.hubspot.store.create({ email: `c${i}@seed.example`, firstname: `C${i}` }, at, { silent: true }).id);
}

async function pullAll(client: ReturnType<typeof createHubSpotClient>, cursor: ContactCursor, until: number, stopAfterPages = Infinity) {
  const ids: string[] = [];
  let last = cursor;
  let pages = 0;
  for await (const page of searchModifiedContacts(client, { cursor, until, properties: ['email'] })) {
    ids.push(...page.contacts.map((c) => c.id));
    last = page.cursor;
    if (++pages >= stopAfterPages) break;
  }
  return { ids, cursor: last, pages };
}

const T0 = Date.parse('2026-11-01T00:00:00Z');
const START: ContactCursor = { at: 0, idsAtBoundary: [] };

describe('searchModifiedContacts (keyset pull against the sandbox)', () => {
  it('takes 300 contacts sharing one lastmodifieddate across page boundaries, each once, and resumes without duplicates', async () => {
    const { sandbox: s, client } = await open();
    const ids = seed(s, [...Array(50).fill(T0 - 1000), ...Array(300).fill(T0), ...Array(50).fill(T0 + 1000)]);
    const until = T0 + 60_000;
    const all = await pullAll(client, START, until);
    expect(all.ids.sort()).toEqual([...ids].sort());
    const partial = await pullAll(client, START, until, 1);
    expect(partial.cursor).toMatchObject({ at: T0 });
    expect(partial.cursor.idsAtBoundary).toHaveLength(150);
    // Contacts taken at the boundary then modified (our own write-back) must not make others be skipped.
    for (const id of partial.cursor.idsAtBoundary.slice(0, 40)) s.hubspot.updateContact(id, { jobtitle: 'moved' }, { at: new Date(T0 + 120_000) });
    const rest = await pullAll(client, partial.cursor, until);
    expect(new Set([...partial.ids, ...rest.ids]).size).toBe(400);
    expect(partial.ids.length + rest.ids.length).toBe(400);
    const again = await pullAll(client, rest.cursor, until);
    expect(again.ids).toEqual([]);
  });

  it('takes 12,000 contacts modified in one window, past the 10,000-result cap', async () => {
    const { sandbox: s, client } = await open();
    const ids = seed(
      s,
      Array.from({ length: 12_000 }, (_, i) => T0 + i * 10),
    );
    const result = await pullAll(client, START, T0 + 10_000_000);
    expect(result.ids).toHaveLength(12_000);
    expect(new Set(result.ids)).toEqual(new Set(ids));
    expect(s.requestLog.total('hubspot', 'contacts.search')).toBe(61);
  });

  it('splits a tie of 12,000 contacts at one timestamp on hs_object_id', async () => {
    const { sandbox: s, client } = await open();
    const ids = seed(s, [...Array(12_000).fill(T0), T0 + 5]);
    const result = await pullAll(client, START, T0 + 60_000);
    expect(result.ids).toHaveLength(12_001);
    expect(new Set(result.ids)).toEqual(new Set(ids));
    expect(result.cursor).toMatchObject({ at: T0 + 5, idsAtBoundary: [ids.at(-1)] });
  });

  it('leaves out changes younger than the window, and takes them next time', async () => {
    const { sandbox: s, client } = await open();
    seed(s, [T0, T0 + 1000, T0 + 2000]);
    const first = await pullAll(client, START, T0 + 1000);
    expect(first.ids).toHaveLength(2);
    const second = await pullAll(client, first.cursor, T0 + 5000);
    expect(second.ids).toHaveLength(1);
  });

  it('maps a search 429 and a revoked token to named errors', async () => {
    const { sandbox: s, client } = await open({ hubspot: { searchPerSecond: 1 } });
    seed(s, [T0]);
    await pullAll(client, START, T0 + 1);
    await expect(pullAll(client, START, T0 + 1)).rejects.toBeInstanceOf(RateLimited);
    await expect(pullAll(client, START, T0 + 1)).rejects.toMatchObject({ policy: 'SECONDLY', retryAfterMs: 1000 });
    s.hubspot.revokeToken();
    await new Promise((r) => setTimeout(r, 1100));
    await expect(pullAll(client, START, T0 + 1)).rejects.toBeInstanceOf(AuthFailed);
  });
});

describe('listContacts, batch read and write-back', () => {
  it('lists every contact for a backfill, 100 a page', async () => {
    const { sandbox: s, client } = await open({ contacts: 250 });
    let count = 0;
    for await (const page of listContacts(client, { properties: ['email'] })) count += page.contacts.length;
    expect(count).toBe(250);
    expect(s.requestLog.total('hubspot', 'contacts.list')).toBe(3);
  });

  it("passes every call through its gate, before and with the answer's daily-limit headers after", async () => {
    const { sandbox: s } = await open({ contacts: 150, hubspot: { dailyLimit: 10_000 } });
    const readings: { limit: number; remaining: number }[] = [];
    const before: string[] = [];
    const gate = {
      before: async (call: { kind: string; path: string }) => void before.push(`${call.kind} ${call.path}`),
      after: (_call: unknown, answer: { headers: Readonly<Record<string, string | undefined>> }) =>
        void readings.push({ limit: Number(answer.headers['x-hubspot-ratelimit-daily']), remaining: Number(answer.headers['x-hubspot-ratelimit-daily-remaining']) }),
    };
    const client = createHubSpotClient({ accessToken: s.connectionInfo().hubspot.accessToken, baseUrl: s.url, gate });
    await batchReadContacts(client, ['1001'], ['email']);
    await batchReadContacts(client, ['1002'], ['email']);
    expect(before).toEqual(['standard /crm/v3/objects/contacts/batch/read', 'standard /crm/v3/objects/contacts/batch/read']);
    expect(readings).toHaveLength(2);
    expect(readings[0]!.limit).toBe(10_000);
    expect(readings[1]!.remaining).toBe(readings[0]!.remaining - 1);
  });

  it('reads many contacts in batches of 100 and lists the missing', async () => {
    const { client } = await open({ contacts: 150 });
    const ids = Array.from({ length: 150 }, (_, i) => String(1001 + i));
    const { contacts, missing } = await batchReadContacts(client, [...ids, '9999999'], ['email']);
    expect(contacts).toHaveLength(150);
    expect(missing).toEqual(['9999999']);
  });

  it('writes back 150 contacts, isolating the one bad input of a refused batch by halves', async () => {
    const { sandbox: s, client } = await open({ contacts: 150 });
    const updates: { contactId: string; properties: Record<string, string> }[] = Array.from({ length: 150 }, (_, i) => ({ contactId: String(1001 + i), properties: { jobtitle: `Title ${i}` } }));
    updates[37] = { contactId: '1038', properties: { lead_source: 'not-an-option' } };
    updates.push({ contactId: '9999999', properties: { jobtitle: 'Gone' } });
    s.requestLog.reset();
    const result = await batchUpdateContacts(client, updates);
    expect(result.updated).toHaveLength(149);
    expect(result.missing).toEqual(['9999999']);
    // The refusal names the record, HubSpot's code and the property — never the value (personal data).
    expect(result.rejections).toEqual([{ system: 'hubspot', recordKey: '1038', code: 'INVALID_OPTION', fields: ['lead_source'] }]);
    // The refused batch of 100 halves 6 times to reach the bad record (2 calls per level): 1 + 12,
    // plus one call for the second batch — 14, against 151 calls one record at a time.
    expect(s.requestLog.total('hubspot', 'contacts.batch.update')).toBe(14);
    expect(s.hubspot.getContact('1001')!.properties.jobtitle).toBe('Title 0');
    expect(s.hubspot.getContact('1038')!.properties.lead_source).not.toBe('not-an-option');
  });
});
