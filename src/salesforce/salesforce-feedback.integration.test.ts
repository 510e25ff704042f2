import { afterEach, describe, expect, it } from 'vitest';
import type { KeysetCursor, OpportunitySnapshot } from '../domain/feedback/types.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { connectSalesforce } from './connection.ts';
import { SalesforceFeedback } from './salesforce-feedback.ts';
import { IDS_PER_QUERY } from './soql.ts';

/**
 * The feedback's Salesforce reads (SalesforceFeedback) against the sandbox's emulated org through
 * jsforce: keyset paging, deleted opportunities, contact roles and competitors, currencies, Lead
 * Status history, conversions, id-list chunking and the calls a full read costs.
 */
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const FIELDS = { externalIdField: 'HubSpot_Contact_Id__c', lossReasonField: 'Loss_Reason__c', competitorField: 'Competitor__c', competitorFrom: 'either' as const };
const T0 = Date.parse('2026-03-02T09:00:00Z');
const SECOND = 1_000;
const DAY = 86_400_000;
const START: KeysetCursor = { modstamp: T0 - DAY, id: '' };

async function open(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox(options);
  const info = sandbox.connectionInfo().salesforce;
  const conn = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken }, apiVersion: '64.0' });
  return { s: sandbox, conn, feedback: (fields: Partial<ConstructorParameters<typeof SalesforceFeedback>[1]> = {}) => new SalesforceFeedback(conn, { ...FIELDS, ...fields }) };
}

async function allOpportunities(feedback: SalesforceFeedback, after: KeysetCursor, until: number, multiCurrency = false) {
  const pages: { opportunities: OpportunitySnapshot[]; cursor: KeysetCursor }[] = [];
  for await (const page of feedback.changedOpportunities({ after, until, multiCurrency })) pages.push(page);
  return pages;
}

const byKeyset = (a: { modstamp: number; id: string }, b: { modstamp: number; id: string }) => a.modstamp - b.modstamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('SalesforceFeedback', () => {
  it('pages 10,500 opportunities with ties on SystemModstamp by (SystemModstamp, Id), past jsforce’s maxFetch: each once, in order, each page with the cursor after its last row', async () => {
    const { s, feedback } = await open({ salesforce: { queryBatchSize: 2_000 } });
    const expected: { modstamp: number; id: string }[] = [];
    // Seven opportunities a second: every page boundary can fall inside a tie.
    for (let i = 0; i < 10_500; i++) {
      const at = T0 + Math.floor(i / 7) * SECOND;
      expected.push({ modstamp: at, id: s.salesforce.createOpportunity({ Name: `Deal ${i}` }, { at }) });
    }
    expected.sort(byKeyset);
    const until = T0 + 1_500 * SECOND;
    const reader = feedback();
    const pages = await allOpportunities(reader, START, until);
    expect(pages.map((p) => p.opportunities.length)).toEqual([2_000, 2_000, 2_000, 2_000, 2_000, 500]);
    const read = pages.flatMap((p) => p.opportunities.map((o) => ({ modstamp: o.systemModstamp, id: o.opportunityId })));
    expect(read).toEqual(expected);
    for (const page of pages) {
      const last = page.opportunities.at(-1)!;
      expect(page.cursor).toEqual({ modstamp: last.systemModstamp, id: last.opportunityId });
    }
    // One query and its queryMore pages; the three capability calls before it.
    expect(s.requestLog.counts('salesforce')).toMatchObject({ queryAll: 1, 'query.more': 5 });

    // From a cursor inside a tie: exactly the rest, none again.
    const cut = 4_003; // 4,003 = 571 × 7 + 6: the last row but one of its second
    const resumed = (await allOpportunities(reader, { modstamp: expected[cut]!.modstamp, id: expected[cut]!.id }, until)).flatMap((p) => p.opportunities.map((o) => o.opportunityId));
    expect(resumed).toEqual(expected.slice(cut + 1).map((e) => e.id));
    // From a time with no id yet: that second's rows included; `until` is inclusive and bounds the read.
    const window = (await allOpportunities(reader, { modstamp: T0 + 10 * SECOND, id: '' }, T0 + 11 * SECOND)).flatMap((p) => p.opportunities.map((o) => o.opportunityId));
    expect(window).toEqual(expected.slice(70, 84).map((e) => e.id));
  }, 30_000);

  it('reads an opportunity with its account’s website, contact roles (external ID and email), competitors, loss reason and campaign, and a deleted one with isDeleted', async () => {
    const { s, feedback } = await open();
    const hands = s.salesforce;
    const account = hands.create('Account', { Name: 'Fernhill Labs', Website: 'https://www.fernhill.example' }, { at: T0 });
    const ada = hands.create('Contact', { LastName: 'Okafor', AccountId: account, Email: 'ada@fernhill.example', HubSpot_Contact_Id__c: '9001' }, { at: T0 });
    const bo = hands.create('Contact', { LastName: 'Lind', AccountId: account, Email: 'bo@fernhill.example' }, { at: T0 });
    const campaign = hands.create('Campaign', { Name: 'Spring Expo', Type: 'Trade Show' }, { at: T0 });
    const lost = hands.createOpportunity({ Name: 'Fernhill platform', AccountId: account, CampaignId: campaign, Amount: 42_000 }, { at: T0 });
    hands.create('OpportunityContactRole', { OpportunityId: lost, ContactId: ada, Role: 'Decision Maker', IsPrimary: true }, { at: T0 });
    hands.create('OpportunityContactRole', { OpportunityId: lost, ContactId: bo, Role: 'Evaluator' }, { at: T0 });
    hands.create('OpportunityCompetitor', { OpportunityId: lost, CompetitorName: 'Globex', Strengths: 'price', Weaknesses: 'support' }, { at: T0 });
    hands.closeOpportunity(lost, false, { at: T0 + DAY, fields: { Loss_Reason__c: 'Chose competitor', Competitor__c: 'Globex' } });
    const deleted = hands.createOpportunity({ Name: 'Fernhill pilot', AccountId: account }, { at: T0 + DAY });
    hands.create('OpportunityContactRole', { OpportunityId: deleted, ContactId: ada, IsPrimary: true }, { at: T0 + DAY });
    s.salesforce.org.delete('Opportunity', deleted, T0 + 2 * DAY);

    const read = (await allOpportunities(feedback(), START, T0 + 3 * DAY)).flatMap((p) => p.opportunities);
    expect(read.map((o) => o.opportunityId)).toEqual([lost, deleted]);
    const [first, second] = read as [OpportunitySnapshot, OpportunitySnapshot];
    expect(first).toEqual({
      opportunityId: lost,
      name: 'Fernhill platform',
      accountId: account,
      accountWebsite: 'https://www.fernhill.example',
      stage: 'Closed Lost',
      isClosed: true,
      isWon: false,
      amount: 42_000,
      currency: null,
      closeDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      lossReason: 'Chose competitor',
      competitorField: 'Globex',
      competitors: [{ competitorName: 'Globex', strengths: 'price', weaknesses: 'support' }],
      campaignId: campaign,
      contactRoles: expect.arrayContaining([
        { contactId: ada, role: 'Decision Maker', isPrimary: true, externalId: '9001', email: 'ada@fernhill.example' },
        { contactId: bo, role: 'Evaluator', isPrimary: false, externalId: null, email: 'bo@fernhill.example' },
      ]),
      isDeleted: false,
      systemModstamp: T0 + DAY,
      createdDate: T0,
    });
    expect(first.contactRoles).toHaveLength(2);
    expect(second).toMatchObject({ opportunityId: deleted, isDeleted: true, systemModstamp: T0 + 2 * DAY, competitors: [], contactRoles: [{ contactId: ada, isPrimary: true }] });

    // competitor_from decides what is read: the field alone, or the OpportunityCompetitor rows alone.
    const fieldOnly = (await allOpportunities(feedback({ competitorFrom: 'field' }), START, T0 + 3 * DAY))[0]!.opportunities[0]!;
    expect([fieldOnly.competitorField, fieldOnly.competitors]).toEqual(['Globex', []]);
    const rowsOnly = (await allOpportunities(feedback({ competitorFrom: 'opportunity_competitor' }), START, T0 + 3 * DAY))[0]!.opportunities[0]!;
    expect([rowsOnly.competitorField, rowsOnly.competitors.map((c) => c.competitorName)]).toEqual([null, ['Globex']]);
    // A field the org does not have reads as null instead of failing the query.
    const missing = feedback({ lossReasonField: 'Why_Lost__c', competitorField: 'Rival__c' });
    expect(await missing.capabilities()).toMatchObject({ lossReasonField: false, competitorField: false });
    expect((await allOpportunities(missing, START, T0 + 3 * DAY))[0]!.opportunities[0]).toMatchObject({ lossReason: null, competitorField: null });

    // Stage history oldest first, each stage's meaning from OpportunityStage; campaigns by id.
    const history = await feedback().stageHistory([lost, deleted]);
    expect(history.get(lost)?.map((h) => [h.stage, h.at, h.isClosed, h.isWon])).toEqual([
      ['Prospecting', T0, false, false],
      ['Closed Lost', T0 + DAY, true, false],
    ]);
    expect(history.get(deleted)?.map((h) => h.stage)).toEqual(['Prospecting']);
    expect(await feedback().campaigns([campaign])).toEqual(new Map([[campaign, { name: 'Spring Expo', type: 'Trade Show' }]]));
  });

  it('reads CurrencyIsoCode only in a multi-currency org', async () => {
    const multi = await open({ salesforce: { currencies: ['EUR', 'USD'] } });
    const id = multi.s.salesforce.createOpportunity({ Name: 'Dollar deal', CurrencyIsoCode: 'USD', Amount: 10 }, { at: T0 });
    const euro = multi.s.salesforce.createOpportunity({ Name: 'Euro deal', Amount: 20 }, { at: T0 + SECOND });
    const reader = multi.feedback();
    expect((await reader.capabilities()).multiCurrency).toBe(true);
    const read = (await allOpportunities(reader, START, T0 + DAY, true)).flatMap((p) => p.opportunities);
    expect(read.map((o) => [o.opportunityId, o.currency, o.amount])).toEqual([
      [id, 'USD', 10],
      [euro, 'EUR', 20],
    ]);
    await multi.s.close();
    sandbox = undefined;

    const single = await open();
    single.s.salesforce.createOpportunity({ Name: 'Plain deal', Amount: 30 }, { at: T0 });
    const plain = single.feedback();
    expect((await plain.capabilities()).multiCurrency).toBe(false);
    expect((await allOpportunities(plain, START, T0 + DAY, false))[0]!.opportunities[0]).toMatchObject({ currency: null, amount: 30 });
  });

  it('pulls leads with our external ID, and their Status history only from when tracking was turned on', async () => {
    const { s, feedback } = await open();
    const hands = s.salesforce;
    const ours = hands.create('Lead', { LastName: 'Ours', Company: 'Acme', HubSpot_Contact_Id__c: '501' }, { at: T0 });
    hands.create('Lead', { LastName: 'Theirs', Company: 'Acme' }, { at: T0 });
    const reader = feedback({ disqualifiedReasonField: 'Disqualified_Reason__c' });
    expect(await reader.capabilities()).toEqual({ statusHistoryTracked: false, multiCurrency: false, lossReasonField: true, competitorField: true, disqualifiedReasonField: true });
    hands.edit('Lead', ours, { Status: 'Working - Contacted' }, { at: T0 + DAY });
    hands.setFieldHistoryTracking('Lead', 'Status', true);
    expect((await reader.capabilities()).statusHistoryTracked).toBe(true);
    hands.edit('Lead', ours, { Status: 'Closed - Not Converted' }, { at: T0 + 2 * DAY });

    const pages = [];
    for await (const page of reader.changedLeads({ after: START, until: T0 + 3 * DAY })) pages.push(page);
    expect(pages.flatMap((p) => p.leads)).toEqual([{ leadId: ours, contactId: '501', status: 'Closed - Not Converted', systemModstamp: T0 + 2 * DAY, isConverted: false, disqualifiedReason: null }]);
    expect(pages.at(-1)!.cursor).toEqual({ modstamp: T0 + 2 * DAY, id: ours });
    // Only the change made while Status was tracked: none for the earlier one.
    expect(await reader.leadStatusHistory([ours])).toEqual([{ leadId: ours, oldValue: 'Working - Contacted', newValue: 'Closed - Not Converted', createdDate: T0 + 2 * DAY }]);
    // Without the field named, it is neither asked of the org nor read.
    const plain = feedback();
    expect((await plain.capabilities()).disqualifiedReasonField).toBe(false);
    for await (const page of plain.changedLeads({ after: START, until: T0 + 3 * DAY })) expect(page.leads[0]).not.toHaveProperty('disqualifiedReason');
  });

  it('finds the leads converted into opportunities, and reads a 1,500-id list in one composite call of five 300-id queries (1,501 ids: two calls), no URI too long', async () => {
    const { s, feedback } = await open();
    const hands = s.salesforce;
    const lead = hands.create('Lead', { LastName: 'Convertible', Company: 'Brightwater', HubSpot_Contact_Id__c: '777' }, { at: T0 });
    const { opportunityId } = hands.convertLead(lead, { at: T0 + DAY });
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `006${String(i).padStart(12, '0')}AAA`);
    const reader = feedback();
    const calls = () => s.requestLog.total('salesforce');
    const composites = () => s.requestLog.counts('salesforce').composite ?? 0;
    let before = calls();
    const found = await reader.convertedLeads([...filler(1_499), opportunityId!]);
    expect(found).toEqual(new Map([[opportunityId, [{ leadId: lead, externalId: '777' }]]]));
    expect([calls() - before, composites()]).toEqual([1, 1]);
    expect(IDS_PER_QUERY).toBe(300);
    // A sixth list needs a second call (a plain query: one query alone needs no composite envelope).
    before = calls();
    const again = await reader.convertedLeads([...filler(1_500), opportunityId!]);
    expect(again.get(opportunityId!)).toEqual([{ leadId: lead, externalId: '777' }]);
    expect([calls() - before, composites()]).toEqual([2, 2]);
    expect(s.requestLog.statuses('salesforce')[414]).toBeUndefined();
    // The same id twice is asked once.
    before = calls();
    expect((await reader.convertedLeads([opportunityId!, opportunityId!])).get(opportunityId!)).toHaveLength(1);
    expect(calls() - before).toBe(1);
  });

  it('reads the whole feedback of 1,000 opportunities and 1,000 leads in 10 Salesforce calls', async () => {
    const { s, feedback } = await open({ salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
    const hands = s.salesforce;
    const account = hands.create('Account', { Name: 'Volume Co', Website: 'volume.example' }, { at: T0 });
    const contact = hands.create('Contact', { LastName: 'Buyer', AccountId: account, Email: 'buyer@volume.example', HubSpot_Contact_Id__c: '42' }, { at: T0 });
    const campaigns = Array.from({ length: 20 }, (_, i) => hands.create('Campaign', { Name: `Show ${i}`, Type: 'Trade Show' }, { at: T0 }));
    for (let i = 0; i < 1_000; i++) {
      const id = hands.createOpportunity({ Name: `Deal ${i}`, AccountId: account, CampaignId: campaigns[i % 20] }, { at: T0 + i * SECOND });
      hands.create('OpportunityContactRole', { OpportunityId: id, ContactId: contact, IsPrimary: true }, { at: T0 + i * SECOND });
      if (i % 3 === 0) hands.closeOpportunity(id, i % 2 === 0, { at: T0 + DAY + i * SECOND, fields: { Loss_Reason__c: i % 2 === 0 ? null : 'Price' } });
    }
    for (let i = 0; i < 1_000; i++) {
      const id = hands.create('Lead', { LastName: `Lead ${i}`, Company: 'Volume Co', HubSpot_Contact_Id__c: String(10_000 + i) }, { at: T0 + i * SECOND });
      if (i % 2 === 0) hands.edit('Lead', id, { Status: 'Working - Contacted' }, { at: T0 + DAY + i * SECOND });
    }
    s.requestLog.reset();

    const reader = feedback({ disqualifiedReasonField: 'Disqualified_Reason__c' });
    const capabilities = await reader.capabilities();
    const opportunities = (await allOpportunities(reader, START, T0 + 3 * DAY, capabilities.multiCurrency)).flatMap((p) => p.opportunities);
    const ids = opportunities.map((o) => o.opportunityId);
    const history = await reader.stageHistory(ids);
    const converted = await reader.convertedLeads(ids);
    const named = await reader.campaigns([...new Set(opportunities.map((o) => o.campaignId!))]);
    const leads = [];
    for await (const page of reader.changedLeads({ after: START, until: T0 + 3 * DAY })) leads.push(...page.leads);
    const statusRows = await reader.leadStatusHistory(leads.map((l) => l.leadId));

    expect(opportunities).toHaveLength(1_000);
    expect(opportunities.every((o) => o.contactRoles.length === 1 && o.contactRoles[0]!.externalId === '42')).toBe(true);
    expect([...history.values()].reduce((n, rows) => n + rows.length, 0)).toBe(1_000 + 334);
    expect(converted.size).toBe(0);
    expect(named.size).toBe(20);
    expect(leads).toHaveLength(1_000);
    expect(statusRows).toHaveLength(500);
    // 3 for capabilities (FieldDefinition, describe of Opportunity and Lead) + 1 opportunities page (queryAll, contact roles
    // and competitors as subqueries) + OpportunityStage and 1 composite of four OpportunityHistory lists + 1 composite of
    // four converted-lead lists + 1 campaigns query + 1 leads page + 1 composite of four LeadHistory lists.
    expect(s.requestLog.counts('salesforce')).toEqual({ query: 4, 'sobjects.describe': 2, queryAll: 1, composite: 3 });
    expect(s.requestLog.total('salesforce')).toBe(10);
  }, 30_000);
});
