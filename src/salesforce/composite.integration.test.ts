import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { queryTogether } from './composite.ts';
import { connectSalesforce } from './connection.ts';
import { Unavailable } from '../errors/index.ts';
import { upsertAndUpdate } from './upsertLeads.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function connect(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox(options);
  const sf = sandbox.connectionInfo().salesforce;
  return connectSalesforce({ auth: { kind: 'token', instanceUrl: sf.instanceUrl, accessToken: sf.accessToken }, apiVersion: '64.0' });
}

describe('queryTogether (composite reads)', () => {
  it('answers up to five queries in one call, in order, and more in one more call', async () => {
    const conn = await connect();
    const owner = sandbox!.salesforce.records('User')[0]!.Id;
    for (let i = 0; i < 7; i++) sandbox!.salesforce.insert('Lead', { LastName: `Q${i}`, Company: `Co ${i}`, OwnerId: owner });
    sandbox!.requestLog.reset();
    const soqls = Array.from({ length: 7 }, (_, i) => `SELECT Id, LastName FROM Lead WHERE Company = 'Co ${i}'`);
    const results = await queryTogether<{ LastName: string }>(conn, soqls);
    expect(results.map((rows) => rows.map((r) => r.LastName))).toEqual(Array.from({ length: 7 }, (_, i) => [`Q${i}`]));
    expect(sandbox!.requestLog.counts('salesforce')).toEqual({ composite: 2 });
  });

  it('reads a result past 2,000 rows to its end, and a lone query goes without the composite envelope', async () => {
    const conn = await connect();
    const owner = sandbox!.salesforce.records('User')[0]!.Id;
    for (let i = 0; i < 2_100; i++) sandbox!.salesforce.insert('Lead', { LastName: `Many ${i}`, Company: 'Many Co', OwnerId: owner });
    sandbox!.requestLog.reset();
    const [many, none] = await queryTogether(conn, ["SELECT Id FROM Lead WHERE Company = 'Many Co'", "SELECT Id FROM Contact WHERE Email = 'nobody@example.com'"]);
    expect(many).toHaveLength(2_100);
    expect(none).toEqual([]);
    expect(sandbox!.requestLog.counts('salesforce')).toEqual({ composite: 1, 'query.more': 1 });
    sandbox!.requestLog.reset();
    expect(await queryTogether(conn, ["SELECT Id FROM Lead WHERE Company = 'Nobody'"])).toEqual([[]]);
    expect(sandbox!.requestLog.counts('salesforce')).toEqual({ query: 1 });
  });

  it('fails with the refused query’s own error, and a 5xx of the whole call is UNAVAILABLE', async () => {
    const conn = await connect();
    await expect(queryTogether(conn, ['SELECT Id FROM Lead LIMIT 1', 'SELECT Id, Foo__c FROM Lead'])).rejects.toMatchObject({ code: 'REQUEST_REFUSED', vendorCode: 'INVALID_FIELD' });
    await sandbox!.close();
    const faulty = await connect({ faults: { salesforce: { rate5xx: 1 } } });
    await expect(queryTogether(faulty, ['SELECT Id FROM Lead LIMIT 1', 'SELECT Id FROM Contact LIMIT 1'])).rejects.toBeInstanceOf(Unavailable);
  });
});

describe('upsertAndUpdate (composite writes)', () => {
  const lead = (i: number, owner: string) => ({ HubSpot_Contact_Id__c: `w-${i}`, LastName: `Write ${i}`, Company: 'Write Co', Email: `w${i}@write.example`, OwnerId: owner });

  it('upserts and updates in one call, each subrequest keeping our owner against the assignment rule; a refused record answers alone', async () => {
    const conn = await connect();
    const dana = sandbox!.salesforce.records('User').find((u) => u.Email === 'dana.whitfield@copperleaf.example')!.Id as string;
    const open = sandbox!.salesforce.insert('Lead', { LastName: 'Open', Company: 'Write Co', Email: 'open@write.example', OwnerId: dana });
    const converted = sandbox!.salesforce.insert('Lead', { LastName: 'Gone', Company: 'Write Co', OwnerId: dana });
    sandbox!.salesforce.convertLead(converted);
    sandbox!.requestLog.reset();
    const { upserted, updated } = await upsertAndUpdate(
      conn,
      'Lead',
      [lead(1, dana), lead(2, dana)],
      [
        { Id: open, HubSpot_Contact_Id__c: 'w-3', Title: 'Adopted' },
        { Id: converted, Title: 'Never' },
      ],
      { externalIdField: 'HubSpot_Contact_Id__c' },
    );
    expect(sandbox!.requestLog.counts('salesforce')).toEqual({ composite: 1 });
    expect([...upserted.written.values()].map((w) => w.created)).toEqual([true, true]);
    for (const { id } of upserted.written.values()) expect(sandbox!.salesforce.records('Lead').find((l) => l.Id === id)!.OwnerId).toBe(dana);
    expect(updated).toEqual(new Set([open]));
    expect(upserted.rejections).toEqual([{ system: 'salesforce', recordKey: converted, code: 'CANNOT_UPDATE_CONVERTED_LEAD', fields: [] }]);
    expect(sandbox!.salesforce.records('Lead').find((l) => l.Id === open)).toMatchObject({ HubSpot_Contact_Id__c: 'w-3', Title: 'Adopted', OwnerId: dana });
  });

  it('with only upserts (or more than five collections) it makes the plain Collections calls', async () => {
    const conn = await connect();
    const owner = sandbox!.salesforce.records('User')[0]!.Id as string;
    sandbox!.requestLog.reset();
    const { upserted, updated } = await upsertAndUpdate(conn, 'Lead', [lead(4, owner)], [], { externalIdField: 'HubSpot_Contact_Id__c' });
    expect(upserted.written.size).toBe(1);
    expect(updated).toEqual(new Set());
    expect(sandbox!.requestLog.counts('salesforce')).toEqual({ 'sobjects.collections.upsert': 1 });
  });
});
