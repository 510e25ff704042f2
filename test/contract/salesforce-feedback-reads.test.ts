import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { fixture, missingFromShape } from '../support/fixtures.ts';

/**
 * The reads the won/lost feedback adapter (src/salesforce/salesforce-feedback.ts) relies on,
 * driven through real jsforce against the emulator: parent-child subqueries of Opportunity,
 * FieldDefinition.IsFieldHistoryTracked, and the URI length limit of a GET query. The Salesforce
 * facts are in docs/salesforce-api.md#parent-child-subqueries, #fielddefinition and #uri-length.
 */
const VERSION = '64.0';
let sandbox: Sandbox;
let conn: Connection;

type Row = Record<string, unknown> & { Id: string };

async function failure(promise: PromiseLike<unknown>): Promise<{ errorCode: string; name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode: string; name: string; message: string };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5 });
  const sf = sandbox.connectionInfo().salesforce;
  conn = new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: VERSION });
});
afterAll(async () => {
  await sandbox.close();
});

describe('parent-child subqueries', () => {
  it('answers the SOQL guide’s parent-to-child example in its documented shape', async () => {
    const account = sandbox.salesforce.create('Account', { Name: 'Acme Corp (West)' });
    sandbox.salesforce.create('Contact', { FirstName: 'Jane', LastName: 'Doe', AccountId: account });
    sandbox.salesforce.create('Contact', { FirstName: 'Ravi', LastName: 'Patel', AccountId: account });
    const body = await conn.query<Row>("SELECT Id, Name, (SELECT Id, FirstName, LastName FROM Contacts) FROM Account WHERE Name like 'Acme Corp (West)%'");
    expect(missingFromShape(fixture('salesforce/query_parent_child_subquery.json'), body)).toEqual([]);
    expect((body.records[0]!.Contacts as { totalSize: number }).totalSize).toBe(2);
  });

  it('nests each child relationship as { totalSize, done, records } (null when empty), with relationship fields, filters and order of its own', async () => {
    const hands = sandbox.salesforce;
    const accountId = hands.create('Account', { Name: 'Fernhill Labs', Website: 'https://fernhill.example' });
    const first = hands.create('Contact', { LastName: 'Okafor', AccountId: accountId, Email: 'ada@fernhill.example', HubSpot_Contact_Id__c: '9001' });
    const second = hands.create('Contact', { LastName: 'Lind', AccountId: accountId, Email: 'bo@fernhill.example' });
    const withChildren = hands.createOpportunity({ Name: 'Fernhill platform', AccountId: accountId });
    const bare = hands.createOpportunity({ Name: 'Fernhill pilot', AccountId: accountId });
    hands.create('OpportunityContactRole', { OpportunityId: withChildren, ContactId: first, Role: 'Decision Maker', IsPrimary: true });
    hands.create('OpportunityContactRole', { OpportunityId: withChildren, ContactId: second, Role: 'Evaluator' });
    hands.create('OpportunityCompetitor', { OpportunityId: withChildren, CompetitorName: 'Globex', Strengths: 'price' });
    hands.edit('Opportunity', withChildren, { StageName: 'Qualification' });

    const result = await conn.query<Row>(
      `SELECT Id, Name, (SELECT ContactId, Role, IsPrimary, Contact.Email, Contact.HubSpot_Contact_Id__c FROM OpportunityContactRoles WHERE IsPrimary = true), (SELECT CompetitorName, Strengths, Weaknesses FROM OpportunityCompetitors), (SELECT StageName FROM OpportunityHistories ORDER BY CreatedDate DESC, Id DESC) FROM Opportunity WHERE AccountId = '${accountId}' ORDER BY Name`,
    );
    expect(result.records.map((r) => r.Name)).toEqual(['Fernhill pilot', 'Fernhill platform']);
    const [pilot, platform] = result.records as Row[];
    expect(pilot!.Id).toBe(bare);
    expect(pilot!.OpportunityContactRoles).toBeNull();
    expect(pilot!.OpportunityCompetitors).toBeNull();
    expect(platform!.OpportunityContactRoles).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'OpportunityContactRole', url: expect.stringMatching(/^\/services\/data\/v64\.0\/sobjects\/OpportunityContactRole\/\w{18}$/) },
          ContactId: first,
          Role: 'Decision Maker',
          IsPrimary: true,
          Contact: { attributes: { type: 'Contact', url: `/services/data/v64.0/sobjects/Contact/${first}` }, Email: 'ada@fernhill.example', HubSpot_Contact_Id__c: '9001' },
        },
      ],
    });
    expect((platform!.OpportunityCompetitors as { records: Row[] }).records.map(({ attributes: _, ...r }) => r)).toEqual([{ CompetitorName: 'Globex', Strengths: 'price', Weaknesses: null }]);
    expect((platform!.OpportunityHistories as { records: Row[] }).records.map((r) => r.StageName)).toEqual(['Qualification', 'Prospecting']);

    // describe lists the child relationships a subquery can name.
    const describe = await conn.sobject('Opportunity').describe();
    expect(describe.childRelationships.map((r) => r.relationshipName)).toEqual(expect.arrayContaining(['OpportunityContactRoles', 'OpportunityCompetitors', 'OpportunityHistories']));
  });

  it('refuses an unknown relationship (INVALID_TYPE) and an unknown child field (INVALID_FIELD); queryAll brings a deleted opportunity back with its children', async () => {
    const unknown = await failure(conn.query('SELECT Id, (SELECT Id FROM Contacts) FROM Opportunity'));
    expect(unknown.errorCode).toBe('INVALID_TYPE');
    expect(unknown.message).toContain("Didn't understand relationship 'Contacts' in FROM part of query call.");
    const badField = await failure(conn.query('SELECT Id, (SELECT Nope FROM OpportunityCompetitors) FROM Opportunity'));
    expect(badField.errorCode).toBe('INVALID_FIELD');
    expect(badField.message).toContain("No such column 'Nope' on entity 'OpportunityCompetitor'");

    const hands = sandbox.salesforce;
    const id = hands.createOpportunity({ Name: 'Doomed deal' });
    hands.create('OpportunityCompetitor', { OpportunityId: id, CompetitorName: 'Initech' });
    await conn.sobject('Opportunity').destroy(id);
    const soql = `SELECT Id, IsDeleted, (SELECT CompetitorName FROM OpportunityCompetitors) FROM Opportunity WHERE Id = '${id}'`;
    expect((await conn.query(soql)).records).toEqual([]);
    const all = await conn.query<Row>(soql, { scanAll: true });
    expect(sandbox.requestLog.counts('salesforce').queryAll).toBe(1);
    expect(all.records).toHaveLength(1);
    expect(all.records[0]!.IsDeleted).toBe(true);
    expect((all.records[0]!.OpportunityCompetitors as { records: Row[] }).records.map((r) => r.CompetitorName)).toEqual(['Initech']);
  });
});

describe('FieldDefinition', () => {
  const soql =
    "SELECT QualifiedApiName, IsFieldHistoryTracked, EntityDefinition.QualifiedApiName FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Lead' AND QualifiedApiName = 'Status'";

  it('answers IsFieldHistoryTracked from the org’s tracking, as it is switched', async () => {
    const read = async () => (await conn.query<Row>(soql)).records.map(({ attributes: _, ...r }) => r);
    sandbox.salesforce.setFieldHistoryTracking('Lead', 'Status', false);
    expect(await read()).toEqual([
      {
        QualifiedApiName: 'Status',
        IsFieldHistoryTracked: false,
        EntityDefinition: { attributes: { type: 'EntityDefinition', url: '/services/data/v64.0/sobjects/EntityDefinition/Lead' }, QualifiedApiName: 'Lead' },
      },
    ]);
    sandbox.salesforce.setFieldHistoryTracking('Lead', 'Status', true);
    expect((await read())[0]!.IsFieldHistoryTracked).toBe(true);
    sandbox.salesforce.setFieldHistoryTracking('Lead', 'Status', false);
    expect((await read())[0]!.IsFieldHistoryTracked).toBe(false);
    // Every field of the entity, without the field filter.
    const all = await conn.query<Row>("SELECT QualifiedApiName FROM FieldDefinition WHERE EntityDefinitionId = 'Opportunity'");
    expect(all.records.map((r) => r.QualifiedApiName)).toEqual(expect.arrayContaining(['StageName', 'Loss_Reason__c', 'Competitor__c']));
    expect(all.records.map((r) => r.QualifiedApiName)).not.toContain('CurrencyIsoCode');
  });

  it('needs a filter on the entity, and takes neither OR nor !=', async () => {
    const unfiltered = await failure(conn.query("SELECT QualifiedApiName FROM FieldDefinition WHERE QualifiedApiName = 'Status'"));
    expect(unfiltered.errorCode).toBe('EXTERNAL_OBJECT_UNSUPPORTED_EXCEPTION');
    expect(unfiltered.message).toBe('FieldDefinition: a filter on a reified column is required.');
    const disjunction = await failure(conn.query("SELECT QualifiedApiName FROM FieldDefinition WHERE EntityDefinitionId = 'Lead' OR EntityDefinitionId = 'Contact'"));
    expect(disjunction.message).toBe('Disjunctions not supported');
    const unequal = await failure(conn.query("SELECT QualifiedApiName FROM FieldDefinition WHERE EntityDefinitionId = 'Lead' AND QualifiedApiName != 'Status'"));
    expect(unequal.message).toBe('Only equals comparisons permitted');
  });
});

describe('URI length', () => {
  it('refuses a query whose URI passes 16,384 bytes with 414 and Salesforce’s HTML page, before it counts as an API call', async () => {
    const ids = Array.from({ length: 700 }, (_, i) => `006${String(i).padStart(15, '0')}`);
    const long = `SELECT Id FROM Opportunity WHERE Id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
    expect(encodeURIComponent(long).length).toBeGreaterThan(16_384);
    const usedBefore = sandbox.salesforce.apiUsage().used;
    const error = await failure(conn.query(long));
    expect(error.errorCode).toBe('ERROR_HTTP_414');
    expect(error.message).toBe('<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>');
    expect(sandbox.salesforce.apiUsage().used).toBe(usedBefore);
    expect(sandbox.requestLog.statuses('salesforce')[414]).toBe(1);
    // Under the limit the same query runs.
    const fits = `SELECT Id FROM Opportunity WHERE Id IN (${ids
      .slice(0, 400)
      .map((id) => `'${id}'`)
      .join(', ')})`;
    expect((await conn.query(fits)).totalSize).toBe(0);
  });

  it('answers 431 when the URI fits but URI and headers together do not', async () => {
    const ids = Array.from({ length: 520 }, (_, i) => `006${String(i).padStart(15, '0')}`);
    const soql = `SELECT Id FROM Opportunity WHERE Id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
    const path = `/services/data/v${VERSION}/query?q=${encodeURIComponent(soql)}`;
    expect(path.length).toBeLessThan(16_384);
    const response = await fetch(`${sandbox.url}${path}`, {
      headers: { authorization: `Bearer ${sandbox.connectionInfo().salesforce.accessToken}`, 'x-padding': 'x'.repeat(16_384 - path.length) },
    });
    expect(response.status).toBe(431);
    expect(await response.text()).toBe('<h1>Bad Message 431</h1><pre>reason: Request Header Fields Too Large</pre>');
  });
});
