import type { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import { RequestRefused } from '../errors/index.ts';
import { childRows, keysetFilter, keysetPages, type KeysetRow } from './keyset.ts';
import { IDS_PER_QUERY, idLists, parseDateTime } from './soql.ts';

const T = Date.parse('2026-03-02T09:00:00Z');
const ID = '006000000000001AAA';

describe('keyset filter', () => {
  it('starts at the time itself before any row there, after the row otherwise, and ends at `until` inclusive', () => {
    expect(keysetFilter({ modstamp: T, id: '' }, T + 60_000)).toBe('SystemModstamp <= 2026-03-02T09:01:00Z AND SystemModstamp >= 2026-03-02T09:00:00Z');
    expect(keysetFilter({ modstamp: T, id: ID }, T + 60_000)).toBe(
      `SystemModstamp <= 2026-03-02T09:01:00Z AND (SystemModstamp > 2026-03-02T09:00:00Z OR (SystemModstamp = 2026-03-02T09:00:00Z AND Id > '${ID}'))`,
    );
    expect(() => keysetFilter({ modstamp: T, id: "x' OR Id != null" }, T)).toThrow(/not a Salesforce id/);
  });
  it('reads the API’s datetimes', () => {
    expect(parseDateTime('2026-03-02T09:00:00.000+0000')).toBe(T);
    expect(parseDateTime('2026-03-02T10:00:00.000+0100')).toBe(T);
    expect(parseDateTime('2026-03-02T09:00:00Z')).toBe(T);
  });
});

describe('id lists', () => {
  it('puts each id once, at most IDS_PER_QUERY to a list, quoted, and refuses what is not an id', () => {
    const ids = Array.from({ length: 601 }, (_, i) => `006${String(i).padStart(12, '0')}AAA`);
    const lists = idLists([...ids, ids[0]!]);
    expect(lists.map((l) => l.split(', ').length)).toEqual([IDS_PER_QUERY, IDS_PER_QUERY, 1]);
    expect(lists[2]).toBe(`'${ids[600]}'`);
    expect(idLists([])).toEqual([]);
    expect(() => idLists(["006' OR Name != '"])).toThrow(/not a Salesforce id/);
  });
  it('keeps a query of a full list well under the 16,384-byte URI limit', () => {
    const list = idLists(Array.from({ length: IDS_PER_QUERY }, (_, i) => `006${String(i).padStart(12, '0')}AAA`))[0]!;
    const soql = `SELECT Id, ConvertedOpportunityId, HubSpot_Contact_Id__c FROM Lead WHERE ConvertedOpportunityId IN (${list}) ORDER BY Id`;
    expect(`/services/data/v64.0/query?q=${encodeURIComponent(soql)}`.length).toBeLessThan(10_000);
  });
});

describe('keyset pages', () => {
  const row = (n: number, second: number): KeysetRow => ({ Id: `006${String(n).padStart(12, '0')}AAA`, SystemModstamp: new Date(T + second * 1_000).toISOString().replace('Z', '+0000') });

  it('asks again from the cursor reached when a query locator expired between pages, and classifies other failures', async () => {
    const asked: string[] = [];
    let more = 0;
    const conn = {
      query: async (soql: string) => {
        asked.push(soql);
        return asked.length === 1 ? { records: [row(1, 0), row(2, 0)], done: false, nextRecordsUrl: '/services/data/v64.0/query/01gX-2' } : { records: [row(3, 0)], done: true };
      },
      queryMore: async () => {
        more += 1;
        throw Object.assign(new Error('invalid query locator'), { errorCode: 'INVALID_QUERY_LOCATOR' });
      },
    } as unknown as Connection;
    const pages = [];
    for await (const page of keysetPages(conn, (after) => `SELECT … ${keysetFilter(after, T + 5_000)}`, { modstamp: T, id: '' })) pages.push(page);
    expect(more).toBe(1);
    expect(pages.map((p) => [p.records.map((r) => r.Id), p.cursor])).toEqual([
      [[row(1, 0).Id, row(2, 0).Id], { modstamp: T, id: row(2, 0).Id }],
      [[row(3, 0).Id], { modstamp: T, id: row(3, 0).Id }],
    ]);
    expect(asked[1]).toContain(`AND Id > '${row(2, 0).Id}'`);

    const refusing = { query: async () => Promise.reject(Object.assign(new Error('bad'), { errorCode: 'INVALID_FIELD', name: 'INVALID_FIELD' })) } as unknown as Connection;
    const pull = keysetPages(refusing, () => 'SELECT', { modstamp: T, id: '' });
    await expect(pull.next()).rejects.toBeInstanceOf(RequestRefused);
  });

  it('reads a nested subquery result to its end when it has more rows than came inline', async () => {
    const conn = { queryMore: async (url: string) => ({ records: [{ n: url }], done: true }) } as unknown as Connection;
    expect(await childRows(conn, null)).toEqual([]);
    expect(await childRows(conn, { records: [{ n: 'inline' }], done: false, nextRecordsUrl: '/services/data/v64.0/query/01gY-200' })).toEqual([
      { n: 'inline' },
      { n: '/services/data/v64.0/query/01gY-200' },
    ]);
  });
});
