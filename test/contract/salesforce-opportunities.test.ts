import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { fixture, missingFromShape } from '../support/fixtures.ts';

/**
 * What the won/lost feedback reads from Salesforce, driven through real jsforce against the
 * emulator: opportunities and their stage history, contact roles and competitors, lead conversion
 * (SOAP convertLead), lead status history, tasks and events, and paging past jsforce's maxFetch.
 * The Salesforce facts are in docs/salesforce-api.md#opportunities and the sections after it.
 */
const VERSION = '64.0';
const DAY = 86_400_000;
let sandbox: Sandbox;
let conn: Connection;
let dana: string;
let integrationUser: string;

function connect(s: Sandbox, extra: Record<string, unknown> = {}): Connection {
  const sf = s.connectionInfo().salesforce;
  return new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: VERSION, ...extra });
}

async function failure(promise: PromiseLike<unknown>): Promise<{ errorCode: string; message: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode: string; message: string };
  }
  throw new Error('expected the call to fail');
}

type ItemResult = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };
type ConvertResult = {
  accountId: string | null;
  contactId: string | null;
  leadId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
};
type Row = Record<string, unknown> & { Id: string };

const noAssign = { headers: { 'Sforce-Auto-Assign': 'FALSE' } } as never;
const rows = async (soql: string, c = conn) => (await c.query<Row>(soql)).records.map(({ attributes: _, ...r }) => r as Row);
const one = async (soql: string) => (await rows(soql))[0]!;
const created = async (sobject: string, fields: Record<string, unknown>, options?: never) => ((await conn.sobject(sobject).create(fields, options)) as { id: string }).id;
const convert = (request: Record<string, unknown> | Record<string, unknown>[]) => conn.soap.convertLead(request as never) as unknown as Promise<ConvertResult & ConvertResult[]>;
const raw = (s: Sandbox, path: string, init: RequestInit = {}) =>
  fetch(`${s.url}/services/data/v${VERSION}/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${s.connectionInfo().salesforce.accessToken}`, 'content-type': 'application/json', ...init.headers },
  });

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3 });
  conn = connect(sandbox);
  const users = sandbox.salesforce.records('User');
  dana = users.find((u) => u.Email === 'dana.whitfield@copperleaf.example')!.Id as string;
  integrationUser = users.find((u) => u.Username === 'leadloop.integration@copperleaf.example')!.Id as string;
});
afterAll(() => sandbox?.close());

describe('Opportunity (jsforce)', () => {
  it('describes the standard stages as a restricted picklist, IsClosed and IsWon as read-only, and OpportunityStage gives each stage its meaning', async () => {
    const stages = fixture<{ stages: Record<string, unknown>[] }>('salesforce/opportunity_stages_default.json').stages;
    const described = await conn.sobject('Opportunity').describe();
    const field = (name: string) => described.fields.find((f) => f.name === name)!;
    expect(field('StageName')).toMatchObject({ type: 'picklist', nillable: false, createable: true, restrictedPicklist: true });
    expect(field('StageName').picklistValues!.map((p) => p.value)).toEqual(stages.map((s) => s.ApiName));
    for (const name of ['IsClosed', 'IsWon', 'ForecastCategory', 'ExpectedRevenue']) expect(field(name)).toMatchObject({ createable: false, updateable: false });
    expect(field('CloseDate')).toMatchObject({ type: 'date', nillable: false });
    expect(field('Loss_Reason__c')).toMatchObject({ type: 'picklist', custom: true, restrictedPicklist: true });
    expect(field('Competitor__c')).toMatchObject({ type: 'string', custom: true });
    expect(await rows('SELECT ApiName, SortOrder, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder')).toEqual(
      stages.map((s) => ({ ...s })),
    );
    const history = await conn.sobject('OpportunityHistory').describe();
    expect(history).toMatchObject({ createable: false, updateable: false, deletable: false, queryable: true });
  });

  it('refuses an opportunity without Name, StageName or CloseDate (REQUIRED_FIELD_MISSING), a stage that does not exist, and a value for IsWon', async () => {
    const response = await raw(sandbox, 'sobjects/Opportunity', { method: 'POST', body: JSON.stringify({ Amount: 5_000 }) });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toEqual([{ message: 'Required fields are missing: [Name, StageName, CloseDate]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name', 'StageName', 'CloseDate'] }]);
    expect(missingFromShape(fixture('salesforce/error_400_required_field.json'), body)).toEqual([]);
    expect(await failure(conn.sobject('Opportunity').create({ Name: 'No date', StageName: 'Prospecting' }))).toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [CloseDate]',
    });
    const [item] = (await conn.sobject('Opportunity').create([{ Name: 'No stage', CloseDate: '2026-12-31' }], { allOrNone: false } as never)) as unknown as ItemResult[];
    expect(item!.errors).toEqual([{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [StageName]', fields: ['StageName'] }]);
    expect(await failure(conn.sobject('Opportunity').create({ Name: 'Odd stage', StageName: 'Won', CloseDate: '2026-12-31' }))).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Stage: bad value for restricted picklist field: Won',
    });
    expect((await failure(conn.sobject('Opportunity').create({ Name: 'Forced', StageName: 'Prospecting', CloseDate: '2026-12-31', IsWon: true }))).errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('derives IsClosed, IsWon, Probability and the forecast category from the stage, and writes OpportunityHistory on create and on each stage, amount, close date or probability change', async () => {
    const accountId = await created('Account', { Name: 'Outcome Co' });
    const id = await created('Opportunity', { Name: 'Outcome Co — Analytics', AccountId: accountId, StageName: 'Qualification', CloseDate: '2026-12-31', Amount: 40_000 });
    const read = () => one(`SELECT StageName, IsClosed, IsWon, Probability, ForecastCategory, ForecastCategoryName, ExpectedRevenue FROM Opportunity WHERE Id = '${id}'`);
    expect(await read()).toMatchObject({ IsClosed: false, IsWon: false, Probability: 10, ForecastCategory: 'Pipeline', ForecastCategoryName: 'Pipeline', ExpectedRevenue: 4_000 });

    await conn.sobject('Opportunity').update({ Id: id, StageName: 'Negotiation/Review' });
    await conn.sobject('Opportunity').update({ Id: id, Name: 'Outcome Co — Analytics (renamed)' });
    await conn.sobject('Opportunity').update({ Id: id, Amount: 45_000, Probability: 95, CloseDate: '2026-11-30' });
    await conn.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
    expect(await read()).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100, ForecastCategory: 'Closed', ForecastCategoryName: 'Closed', ExpectedRevenue: 45_000 });

    const history = await rows(`SELECT StageName, Amount, CloseDate, Probability, ForecastCategory, CreatedById FROM OpportunityHistory WHERE OpportunityId = '${id}' ORDER BY CreatedDate, Id`);
    expect(history.map((h) => [h.StageName, h.Amount, h.CloseDate, h.Probability, h.ForecastCategory])).toEqual([
      ['Qualification', 40_000, '2026-12-31', 10, 'Pipeline'],
      ['Negotiation/Review', 40_000, '2026-12-31', 90, 'Pipeline'],
      ['Negotiation/Review', 45_000, '2026-11-30', 95, 'Pipeline'],
      ['Closed Won', 45_000, '2026-11-30', 100, 'Closed'],
    ]);
    expect(history.every((h) => h.CreatedById === integrationUser)).toBe(true);

    const lost = await created('Opportunity', { Name: 'Lost deal', AccountId: accountId, StageName: 'Proposal/Price Quote', CloseDate: '2026-12-31', Amount: 12_000 });
    await conn.sobject('Opportunity').update({ Id: lost, StageName: 'Closed Lost', Loss_Reason__c: 'Chose competitor', Competitor__c: 'Rivalytics' });
    expect(await one(`SELECT IsClosed, IsWon, Probability, ForecastCategory, Loss_Reason__c, Competitor__c FROM Opportunity WHERE Id = '${lost}'`)).toMatchObject({
      IsClosed: true,
      IsWon: false,
      Probability: 0,
      ForecastCategory: 'Omitted',
      Loss_Reason__c: 'Chose competitor',
      Competitor__c: 'Rivalytics',
    });
    expect((await failure(conn.sobject('Opportunity').update({ Id: lost, Loss_Reason__c: 'Bad luck' }))).errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    // The org writes history; nobody else can.
    expect(await failure(conn.sobject('OpportunityHistory').create({ OpportunityId: id }))).toMatchObject({
      errorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
      message: 'entity type cannot be inserted: Opportunity History',
    });
  });

  it('has no CurrencyIsoCode in a single-currency org (INVALID_FIELD), and a restricted one defaulting to the corporate currency when the org has several', async () => {
    const single = await failure(conn.query('SELECT Id, CurrencyIsoCode FROM Opportunity'));
    expect(single.errorCode).toBe('INVALID_FIELD');
    expect(single.message).toContain("No such column 'CurrencyIsoCode' on entity 'Opportunity'");
    expect((await conn.sobject('Opportunity').describe()).fields.map((f) => f.name)).not.toContain('CurrencyIsoCode');
    expect((await failure(conn.sobject('Opportunity').create({ Name: 'Euro', StageName: 'Prospecting', CloseDate: '2026-12-31', CurrencyIsoCode: 'EUR' }))).errorCode).toBe('INVALID_FIELD');

    const multi = await startSandbox({ seed: 3, salesforce: { currencies: ['EUR', 'USD', 'GBP'] } });
    try {
      const c = connect(multi);
      const field = (await c.sobject('Opportunity').describe()).fields.find((f) => f.name === 'CurrencyIsoCode')!;
      expect(field).toMatchObject({ type: 'picklist', restrictedPicklist: true, defaultValue: 'EUR' });
      expect(field.picklistValues!.map((p) => p.value)).toEqual(['EUR', 'USD', 'GBP']);
      const eur = ((await c.sobject('Opportunity').create({ Name: 'Euro deal', StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 1_000 })) as { id: string }).id;
      const usd = ((await c.sobject('Opportunity').create({ Name: 'Dollar deal', StageName: 'Prospecting', CloseDate: '2026-12-31', CurrencyIsoCode: 'USD' })) as { id: string }).id;
      expect((await rows(`SELECT Id, CurrencyIsoCode FROM Opportunity WHERE Id IN ('${eur}', '${usd}') ORDER BY Id`, c)).map((r) => r.CurrencyIsoCode)).toEqual(['EUR', 'USD']);
      expect(await failure(c.sobject('Opportunity').create({ Name: 'Yen deal', StageName: 'Prospecting', CloseDate: '2026-12-31', CurrencyIsoCode: 'JPY' }))).toMatchObject({
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: 'Opportunity Currency: bad value for restricted picklist field: JPY',
      });
    } finally {
      await multi.close();
    }
  });

  it('keeps contact roles (one primary per opportunity) and competitors, read by OpportunityId IN (...), a relationship filter, and queryAll after the opportunity is deleted', async () => {
    const accountId = await created('Account', { Name: 'Roles Co' });
    const [ana, ben] = [await created('Contact', { LastName: 'Ana', AccountId: accountId }), await created('Contact', { LastName: 'Ben', AccountId: accountId })];
    const won = await created('Opportunity', { Name: 'Roles won', AccountId: accountId, StageName: 'Value Proposition', CloseDate: '2026-12-31' });
    const lost = await created('Opportunity', { Name: 'Roles lost', AccountId: accountId, StageName: 'Value Proposition', CloseDate: '2026-12-31' });
    await created('OpportunityContactRole', { OpportunityId: won, ContactId: ana, Role: 'Decision Maker', IsPrimary: true });
    await created('OpportunityContactRole', { OpportunityId: won, ContactId: ben, Role: 'Evaluator', IsPrimary: true });
    await created('OpportunityContactRole', { OpportunityId: lost, ContactId: ana, Role: 'Economic Buyer' });
    await created('OpportunityCompetitor', { OpportunityId: won, CompetitorName: 'DataPeak', Strengths: 'Price', Weaknesses: 'Connectors' });
    await created('OpportunityCompetitor', { OpportunityId: lost, CompetitorName: 'Rivalytics', Strengths: 'Incumbent', Weaknesses: null });
    await conn.sobject('Opportunity').update({ Id: won, StageName: 'Closed Won' });

    // A 15-character id names the same record as its 18-character form.
    const ids = `('${won.slice(0, 15)}', '${lost}')`;
    expect(await rows(`SELECT OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole WHERE OpportunityId IN ${ids} ORDER BY OpportunityId, Role`)).toEqual([
      { OpportunityId: won, ContactId: ana, Role: 'Decision Maker', IsPrimary: false },
      { OpportunityId: won, ContactId: ben, Role: 'Evaluator', IsPrimary: true },
      { OpportunityId: lost, ContactId: ana, Role: 'Economic Buyer', IsPrimary: false },
    ]);
    expect(await rows(`SELECT OpportunityId, CompetitorName, Strengths, Weaknesses FROM OpportunityCompetitor WHERE OpportunityId IN ${ids} ORDER BY CompetitorName`)).toEqual([
      { OpportunityId: won, CompetitorName: 'DataPeak', Strengths: 'Price', Weaknesses: 'Connectors' },
      { OpportunityId: lost, CompetitorName: 'Rivalytics', Strengths: 'Incumbent', Weaknesses: null },
    ]);
    const winners = await rows(`SELECT ContactId, Opportunity.StageName FROM OpportunityContactRole WHERE Opportunity.IsWon = true AND OpportunityId IN ${ids} ORDER BY ContactId`);
    expect(winners.map((r) => [r.ContactId, (r.Opportunity as { StageName: string }).StageName])).toEqual([
      [ana, 'Closed Won'],
      [ben, 'Closed Won'],
    ]);

    const notAnId = await failure(conn.query(`SELECT Id FROM OpportunityCompetitor WHERE OpportunityId IN ('${won}', 'Rivalytics')`));
    expect(notAnId.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(notAnId.message).toContain('invalid ID field: Rivalytics');
    expect((await failure(conn.query("SELECT Id FROM OpportunityContactRole WHERE Opportunity.Bogus__c = 'x'"))).errorCode).toBe('INVALID_FIELD');

    await conn.sobject('Opportunity').destroy(lost);
    expect(await rows(`SELECT Id FROM OpportunityCompetitor WHERE OpportunityId = '${lost}'`)).toEqual([]);
    const binned = (await conn.query<Row>(`SELECT Id, IsDeleted FROM OpportunityContactRole WHERE OpportunityId = '${lost}'`, { scanAll: true })).records;
    expect(binned.map((r) => r.IsDeleted)).toEqual([true]);
  });
});

describe('Lead conversion (jsforce conn.soap.convertLead)', () => {
  let n = 0;
  const newLead = async (extra: Record<string, unknown> = {}, options: never = noAssign) => {
    n += 1;
    return created('Lead', { FirstName: 'Ada', LastName: `Convert ${n}`, Company: `Convert Co ${n}`, Email: `ada${n}@convert.example`, OwnerId: dana, ...extra }, options);
  };

  it('creates an Account, a Contact and an Opportunity from the lead, moves its tasks, and the converted lead can no longer be updated', async () => {
    const lead = await newLead({ LeadSource: 'Trade Show', Website: 'convert.example', Title: 'Head of Data', Phone: '+44 20 1' });
    const summit = sandbox.salesforce.insert('Campaign', { Name: 'Data Summit', OwnerId: dana });
    const webinar = sandbox.salesforce.insert('Campaign', { Name: 'Modern BI webinar', OwnerId: dana });
    sandbox.salesforce.insert('CampaignMember', { CampaignId: summit, LeadId: lead, Status: 'Responded' });
    sandbox.salesforce.insert('CampaignMember', { CampaignId: webinar, LeadId: lead, Status: 'Registered' });
    const task = await created('Task', { Subject: 'Call Ada', WhoId: lead, OwnerId: dana });
    sandbox.requestLog.reset();

    const result = await convert({ leadId: lead, convertedStatus: 'Closed - Converted' });

    expect(result).toMatchObject({ leadId: lead, success: true, errors: [] });
    expect([result.accountId?.slice(0, 3), result.contactId?.slice(0, 3), result.opportunityId?.slice(0, 3)]).toEqual(['001', '003', '006']);
    expect(sandbox.requestLog.counts('salesforce')).toEqual({ 'soap.convertLead': 1 });
    expect(await one(`SELECT IsConverted, Status, ConvertedDate, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE Id = '${lead}'`)).toEqual({
      IsConverted: true,
      Status: 'Closed - Converted',
      ConvertedDate: new Date().toISOString().slice(0, 10),
      ConvertedAccountId: result.accountId,
      ConvertedContactId: result.contactId,
      ConvertedOpportunityId: result.opportunityId,
    });
    expect(await one(`SELECT Name, Website, OwnerId FROM Account WHERE Id = '${result.accountId}'`)).toEqual({ Name: 'Convert Co 1', Website: 'convert.example', OwnerId: dana });
    expect(await one(`SELECT FirstName, LastName, Email, Title, Phone, LeadSource, AccountId, OwnerId FROM Contact WHERE Id = '${result.contactId}'`)).toEqual({
      FirstName: 'Ada',
      LastName: 'Convert 1',
      Email: 'ada1@convert.example',
      Title: 'Head of Data',
      Phone: '+44 20 1',
      LeadSource: 'Trade Show',
      AccountId: result.accountId,
      OwnerId: dana,
    });
    const opportunity = await one(`SELECT Name, StageName, IsClosed, Probability, CloseDate, LeadSource, CampaignId, AccountId, OwnerId FROM Opportunity WHERE Id = '${result.opportunityId}'`);
    // Named after the company when no opportunityName is given; the lead's most recent campaign is its primary campaign source.
    expect(opportunity).toMatchObject({ Name: 'Convert Co 1', StageName: 'Prospecting', IsClosed: false, Probability: 10, LeadSource: 'Trade Show', CampaignId: webinar, AccountId: result.accountId });
    expect(opportunity.CloseDate).toMatch(/^\d{4}-(03-31|06-30|09-30|12-31)$/);
    expect(await rows(`SELECT ContactId, IsPrimary FROM OpportunityContactRole WHERE OpportunityId = '${result.opportunityId}'`)).toEqual([{ ContactId: result.contactId, IsPrimary: true }]);
    expect(await rows(`SELECT StageName FROM OpportunityHistory WHERE OpportunityId = '${result.opportunityId}'`)).toEqual([{ StageName: 'Prospecting' }]);
    expect(await one(`SELECT WhoId, WhatId FROM Task WHERE Id = '${task}'`)).toEqual({ WhoId: result.contactId, WhatId: result.opportunityId });

    // Converted leads are read-only, whichever way the update comes.
    expect(await failure(conn.sobject('Lead').update({ Id: lead, Title: 'CTO' }))).toMatchObject({ errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead' });
    const [item] = (await conn.sobject('Lead').update([{ Id: lead, Title: 'CTO' }], { allOrNone: false } as never)) as unknown as ItemResult[];
    expect(item!.errors).toEqual([{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] }]);
    const again = await convert({ leadId: lead, convertedStatus: 'Closed - Converted' });
    expect(again).toMatchObject({ success: false, leadId: null, errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' }] });
  });

  it('answers the Partner WSDL LeadConvertResult, merges into an existing account and contact (empty fields only), and can skip the opportunity', async () => {
    const accountId = await created('Account', { Name: 'Existing Co', Website: 'existing.example' });
    const contactId = await created('Contact', { LastName: 'Existing', AccountId: accountId, Title: 'Analyst', LeadSource: 'Web' });
    const lead = await newLead({ Title: 'Head of Data', Phone: '+49 30 2', LeadSource: 'Webinar', Industry: 'Finance' });
    const token = sandbox.connectionInfo().salesforce.accessToken;
    const response = await fetch(`${sandbox.url}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: '""' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header xmlns="urn:partner.soap.sforce.com"><SessionHeader><sessionId>${token}</sessionId></SessionHeader></soapenv:Header>` +
        `<soapenv:Body xmlns="urn:partner.soap.sforce.com"><convertLead><leadConverts><accountId>${accountId}</accountId><contactId>${contactId}</contactId><convertedStatus>Closed - Converted</convertedStatus>` +
        `<doNotCreateOpportunity>true</doNotCreateOpportunity><leadId>${lead}</leadId><overwriteLeadSource>true</overwriteLeadSource><ownerId xsi:nil="true"/></leadConverts></convertLead></soapenv:Body></soapenv:Envelope>`,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      `<soapenv:Body><convertLeadResponse><result><accountId>${accountId}</accountId><contactId>${contactId}</contactId><leadId>${lead}</leadId><opportunityId xsi:nil="true"/><success>true</success></result></convertLeadResponse></soapenv:Body>`,
    );
    // Existing data stands; empty fields are filled from the lead; LeadSource is overwritten because overwriteLeadSource was set.
    expect(await one(`SELECT Title, Phone, LeadSource FROM Contact WHERE Id = '${contactId}'`)).toEqual({ Title: 'Analyst', Phone: '+49 30 2', LeadSource: 'Webinar' });
    expect(await one(`SELECT Website, Industry FROM Account WHERE Id = '${accountId}'`)).toEqual({ Website: 'existing.example', Industry: 'Finance' });
    expect(await one(`SELECT ConvertedOpportunityId FROM Lead WHERE Id = '${lead}'`)).toEqual({ ConvertedOpportunityId: null });
  });

  it('refuses, each request on its own: a queue-owned lead without an owner, a status that does not convert, a contact of another account; nothing of a refused request is left', async () => {
    const queued = await newLead({}, {} as never); // no Sforce-Auto-Assign: the assignment rule gives it to the Inbound Lead Queue
    const open = await newLead();
    const otherAccount = await created('Account', { Name: 'Other Co' });
    const strayContact = await created('Contact', { LastName: 'Stray', AccountId: await created('Account', { Name: 'Stray Co' }) });
    const accounts = sandbox.salesforce.records('Account').length;

    const results = await convert([
      { leadId: queued, convertedStatus: 'Closed - Converted' },
      { leadId: open, convertedStatus: 'Closed - Not Converted' },
      { leadId: open, convertedStatus: 'Closed - Converted', accountId: otherAccount, contactId: strayContact },
      { leadId: 'not-an-id', convertedStatus: 'Closed - Converted' },
      // Refused once its Account and Contact exist: they are rolled back with it.
      { leadId: open, convertedStatus: 'Closed - Converted', opportunityName: 'x'.repeat(121) },
    ]);

    expect(results.map((r) => [r.success, r.errors[0]?.statusCode, r.errors[0]?.fields])).toEqual([
      [false, 'INVALID_CROSS_REFERENCE_KEY', ['OwnerId']],
      [false, 'INVALID_STATUS', ['Status']],
      [false, 'INVALID_CROSS_REFERENCE_KEY', ['contactId']],
      [false, 'MALFORMED_ID', ['leadId']],
      [false, 'STRING_TOO_LONG', ['Name']],
    ]);
    expect(results[0]!.errors[0]!.message).toBe('Converted objects can only be owned by users.  If the lead is not owned by a user, you must specify a user for the Owner field.');
    expect(results[1]!.errors[0]!.message).toBe('invalid convertedStatus: Closed - Not Converted');
    expect(sandbox.salesforce.records('Account')).toHaveLength(accounts);
    expect(await one(`SELECT IsConverted FROM Lead WHERE Id = '${open}'`)).toEqual({ IsConverted: false });
    // Naming a user as owner converts the queue's lead.
    const owned = await convert({ leadId: queued, convertedStatus: 'Closed - Converted', ownerId: dana, opportunityName: 'Queue Co — pilot' });
    expect(owned.success).toBe(true);
    expect(await one(`SELECT Name, OwnerId FROM Opportunity WHERE Id = '${owned.opportunityId}'`)).toEqual({ Name: 'Queue Co — pilot', OwnerId: dana });
  });
});

describe('Lead Status history (LeadHistory)', () => {
  it('writes LeadHistory rows only while field history tracking is on for Lead.Status, from the moment it was turned on', async () => {
    const lead = await created('Lead', { LastName: 'Tracked', Company: 'History Co', OwnerId: dana }, noAssign);
    await conn.sobject('Lead').update({ Id: lead, Status: 'Working - Contacted' });
    const history = (id: string) => rows(`SELECT Field, OldValue, NewValue, CreatedById FROM LeadHistory WHERE LeadId = '${id}' ORDER BY CreatedDate, Id`);
    expect(await history(lead)).toEqual([]);

    sandbox.salesforce.setFieldHistoryTracking('Lead', 'Status', true);
    try {
      await conn.sobject('Lead').update({ Id: lead, Title: 'Not tracked' });
      await conn.sobject('Lead').update({ Id: lead, Status: 'Closed - Not Converted' });
      expect(await history(lead)).toEqual([{ Field: 'Status', OldValue: 'Working - Contacted', NewValue: 'Closed - Not Converted', CreatedById: integrationUser }]);
      const later = await created('Lead', { LastName: 'Tracked later', Company: 'History Co', OwnerId: dana }, noAssign);
      sandbox.salesforce.convertLead(later, { doNotCreateOpportunity: true });
      expect(await history(later)).toEqual([
        { Field: 'created', OldValue: null, NewValue: null, CreatedById: integrationUser },
        { Field: 'Status', OldValue: 'Open - Not Contacted', NewValue: 'Closed - Converted', CreatedById: integrationUser },
      ]);
    } finally {
      sandbox.salesforce.setFieldHistoryTracking('Lead', 'Status', false);
    }
    await conn.sobject('Lead').update({ Id: lead, Status: 'Working - Contacted' });
    expect(await history(lead)).toHaveLength(1);
    expect(await failure(conn.sobject('LeadHistory').create({ LeadId: lead, Field: 'Status' }))).toMatchObject({ errorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' });
  });
});

describe('Task and Event (jsforce)', () => {
  it('sets IsClosed and CompletedDateTime when a task is saved completed; CompletedDateTime does not exist before API 59.0', async () => {
    const task = await created('Task', { Subject: 'Send the proposal', OwnerId: dana });
    const read = () => one(`SELECT Status, IsClosed, CompletedDateTime FROM Task WHERE Id = '${task}'`);
    expect(await read()).toEqual({ Status: 'Not Started', IsClosed: false, CompletedDateTime: null });
    const before = Date.now() - 1_000;
    await conn.sobject('Task').update({ Id: task, Status: 'Completed' });
    const done = await read();
    expect(done).toMatchObject({ Status: 'Completed', IsClosed: true });
    expect(done.CompletedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    expect(Date.parse(String(done.CompletedDateTime).replace('+0000', 'Z'))).toBeGreaterThanOrEqual(before);
    expect((await failure(conn.sobject('Task').update({ Id: task, CompletedDateTime: '2026-01-01T00:00:00Z' }))).errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');

    const v58 = connect(sandbox, { version: '58.0' });
    expect((await failure(v58.query(`SELECT Id, CompletedDateTime FROM Task WHERE Id = '${task}'`))).errorCode).toBe('INVALID_FIELD');
    expect((await v58.sobject('Task').describe()).fields.map((f) => f.name)).not.toContain('CompletedDateTime');
    expect((await rows(`SELECT IsClosed FROM Task WHERE Id = '${task}'`, v58))[0]).toEqual({ IsClosed: true });
  });

  it('keeps an event’s start, end and duration consistent and finds it by WhoId and WhatId', async () => {
    const contact = await created('Contact', { LastName: 'Event guest' });
    const opportunity = await created('Opportunity', { Name: 'Event deal', StageName: 'Needs Analysis', CloseDate: '2026-12-31' });
    const event = await created('Event', { Subject: 'Demo', WhoId: contact, WhatId: opportunity, OwnerId: dana, StartDateTime: '2026-12-01T15:00:00Z', DurationInMinutes: 45 });
    const read = () =>
      one(
        `SELECT WhoId, WhatId, OwnerId, Subject, StartDateTime, EndDateTime, ActivityDateTime, ActivityDate, DurationInMinutes, IsAllDayEvent FROM Event WHERE WhatId = '${opportunity}' AND WhoId = '${contact}'`,
      );
    expect(await read()).toEqual({
      WhoId: contact,
      WhatId: opportunity,
      OwnerId: dana,
      Subject: 'Demo',
      StartDateTime: '2026-12-01T15:00:00.000+0000',
      EndDateTime: '2026-12-01T15:45:00.000+0000',
      ActivityDateTime: '2026-12-01T15:00:00.000+0000',
      ActivityDate: '2026-12-01',
      DurationInMinutes: 45,
      IsAllDayEvent: false,
    });
    await conn.sobject('Event').update({ Id: event, EndDateTime: '2026-12-01T16:00:00.000+0000' });
    expect(await read()).toMatchObject({ DurationInMinutes: 60 });
    await conn.sobject('Event').update({ Id: event, StartDateTime: '2026-12-02T09:00:00Z' });
    expect(await read()).toMatchObject({ EndDateTime: '2026-12-02T10:00:00.000+0000', ActivityDate: '2026-12-02', DurationInMinutes: 60 });
    expect(await failure(conn.sobject('Event').create({ Subject: 'Open-ended', OwnerId: dana, StartDateTime: '2026-12-01T15:00:00Z' }))).toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [DurationInMinutes]',
    });
  });
});

describe('reading 12,000 opportunities (paging)', () => {
  const N = 12_000;
  const base = Date.parse('2026-06-01T08:00:00Z');
  const soql = "SELECT Id, SystemModstamp FROM Opportunity WHERE Name LIKE 'Paging %' ORDER BY SystemModstamp, Id";
  let expected: string[];

  beforeAll(() => {
    // Seven distinct SystemModstamps, not in id order: ORDER BY SystemModstamp, Id is not creation order.
    const made: { id: string; at: number }[] = [];
    for (let i = 0; i < N; i++) {
      const at = base + ((i * 3) % 7) * 1_000;
      made.push({ id: sandbox.salesforce.org.insertRaw('Opportunity', { Name: `Paging ${i}`, StageName: 'Prospecting', CloseDate: '2026-12-31', OwnerId: dana }, at).Id, at });
    }
    expected = made.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)).map((m) => m.id);
  });

  it('stops at jsforce’s default maxFetch of 10,000 with autoFetch, goes on with queryMore, and takes all 12,000 with a larger maxFetch, 2,000 a page', async () => {
    sandbox.requestLog.reset();
    const capped = await conn.query<Row>(soql, { autoFetch: true });
    expect(capped).toMatchObject({ totalSize: N, done: false });
    expect(capped.records).toHaveLength(10_000);
    expect(capped.nextRecordsUrl).toMatch(/\/services\/data\/v64\.0\/query\/01g\w+-10000$/);
    expect(sandbox.requestLog.counts('salesforce')).toEqual({ query: 1, 'query.more': 4 });
    const rest = await conn.queryMore<Row>(capped.nextRecordsUrl!, { autoFetch: true } as never);
    expect(rest).toMatchObject({ totalSize: N, done: true });
    expect([...capped.records, ...rest.records].map((r) => r.Id)).toEqual(expected);

    const all = await conn.query<Row>(soql, { autoFetch: true, maxFetch: 20_000 });
    expect(all).toMatchObject({ totalSize: N, done: true });
    expect(all.records.map((r) => r.Id)).toEqual(expected);

    // The last page, fetched as jsforce does (the locator's last path segment under /query/), is shaped like the documented one.
    const first = await conn.query<Row>(soql);
    const lastUrl = first.nextRecordsUrl!.replace(/-2000$/, '-10000');
    expect(lastUrl.startsWith(`${sandbox.url}/services/data/v64.0/query/01g`)).toBe(true);
    const last = await fetch(lastUrl, { headers: { authorization: `Bearer ${sandbox.connectionInfo().salesforce.accessToken}` } }).then((r) => r.json());
    expect(missingFromShape(fixture('salesforce/query_last_page.json'), last)).toEqual([]);
    expect(last).toMatchObject({ totalSize: N, done: true });
    expect(last).not.toHaveProperty('nextRecordsUrl');
  });

  it('honours Sforce-Query-Options batchSize between 200 and 2,000', async () => {
    expect((await conn.query<Row>(soql, { headers: { 'Sforce-Query-Options': 'batchSize=500' } } as never)).records).toHaveLength(500);
    expect((await conn.query<Row>(soql, { headers: { 'Sforce-Query-Options': 'batchSize=50' } } as never)).records).toHaveLength(200);
    expect((await conn.query<Row>(soql, { headers: { 'Sforce-Query-Options': 'batchSize=5000' } } as never)).records).toHaveLength(2_000);
  });

  it('pages by (SystemModstamp, Id) with > and >= filters and LIMIT, visiting every row once', async () => {
    const seen: string[] = [];
    let after = '';
    for (let pages = 0; pages < 10; pages++) {
      const page = await conn.query<Row>(`SELECT Id, SystemModstamp FROM Opportunity WHERE Name LIKE 'Paging %'${after} ORDER BY SystemModstamp, Id LIMIT 5000`, { autoFetch: true, maxFetch: 5_000 });
      if (page.records.length === 0) break;
      seen.push(...page.records.map((r) => r.Id));
      const last = page.records.at(-1)!;
      // Unquoted datetime literal; an id compared by its characters, as ORDER BY Id sorts.
      const stamp = String(last.SystemModstamp).replace('.000+0000', 'Z');
      after = ` AND SystemModstamp >= ${stamp} AND (SystemModstamp > ${stamp} OR Id > '${last.Id}')`;
    }
    expect(seen).toEqual(expected);
  });
});

describe('the sandbox’s hands for a sales simulator', () => {
  it('creates, moves and closes an opportunity at given times and as given users, with the history the org would write', async () => {
    const t0 = Date.parse('2026-03-02T09:00:00Z');
    const accountId = sandbox.salesforce.create('Account', { Name: 'Simulated Co', OwnerId: dana }, { userId: dana, at: t0 });
    const id = sandbox.salesforce.createOpportunity({ Name: 'Simulated deal', AccountId: accountId, Amount: 20_000 }, { userId: dana, at: t0 });
    sandbox.salesforce.edit('Opportunity', id, { StageName: 'Proposal/Price Quote' }, { userId: dana, at: t0 + 7 * DAY });
    sandbox.salesforce.closeOpportunity(id, false, { userId: dana, at: t0 + 30 * DAY, fields: { Loss_Reason__c: 'Price', Competitor__c: 'Rivalytics' } });
    expect(() => sandbox.salesforce.closeOpportunity(id, false, { fields: { Loss_Reason__c: 'Bad luck' } })).toThrow('bad value for restricted picklist field');

    expect(await one(`SELECT StageName, IsClosed, IsWon, CloseDate, Loss_Reason__c, Competitor__c, OwnerId, CreatedDate, SystemModstamp FROM Opportunity WHERE Id = '${id}'`)).toEqual({
      StageName: 'Closed Lost',
      IsClosed: true,
      IsWon: false,
      CloseDate: '2026-04-01',
      Loss_Reason__c: 'Price',
      Competitor__c: 'Rivalytics',
      OwnerId: dana,
      CreatedDate: '2026-03-02T09:00:00.000+0000',
      SystemModstamp: '2026-04-01T09:00:00.000+0000',
    });
    expect(await rows(`SELECT StageName, CreatedDate, CreatedById FROM OpportunityHistory WHERE OpportunityId = '${id}' ORDER BY CreatedDate`)).toEqual([
      { StageName: 'Prospecting', CreatedDate: '2026-03-02T09:00:00.000+0000', CreatedById: dana },
      { StageName: 'Proposal/Price Quote', CreatedDate: '2026-03-09T09:00:00.000+0000', CreatedById: dana },
      { StageName: 'Closed Lost', CreatedDate: '2026-04-01T09:00:00.000+0000', CreatedById: dana },
    ]);
    expect(await rows(`SELECT Id FROM Opportunity WHERE SystemModstamp >= 2026-04-01T09:00:00Z AND SystemModstamp < 2026-04-02T00:00:00Z AND IsWon = false`)).toEqual([{ Id: id }]);
  });
});
