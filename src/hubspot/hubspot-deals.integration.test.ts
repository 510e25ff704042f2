import { afterEach, describe, expect, it } from 'vitest';
import type { DealWrite } from '../domain/feedback/types.ts';
import type { DealPropertySpec } from '../domain/setup.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { createHubSpotClient } from './client.ts';
import { HubSpotDeals } from './hubspot-deals.ts';

/**
 * The deal side of the won/lost feedback against the HubSpot emulator, through the real
 * @hubspot/api-client: calls are counted in the sandbox's request log.
 */
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const PROPERTY = 'leadloop_opportunity_id';
const GROUP = { name: 'leadloop', label: 'leadloop' };
const DEAL_PROPERTIES: DealPropertySpec[] = [
  { name: PROPERTY, label: 'Salesforce opportunity id (leadloop)', type: 'string', fieldType: 'text', hasUniqueValue: true },
  { name: 'leadloop_competitor', label: 'Competitor (leadloop)', type: 'string', fieldType: 'text' },
];
// HubSpot-defined association type ids (docs/hubspot-api.md#associations).
const DEAL_TO_CONTACT = 3;
const PRIMARY_DEAL_TO_COMPANY = 5;
const DEAL_TO_COMPANY = 341;

async function open(contacts = 300) {
  const s = await startSandbox({ contacts, hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0 } });
  sandbox = s;
  const client = createHubSpotClient({ accessToken: s.connectionInfo().hubspot.accessToken, baseUrl: s.url });
  const deals = new HubSpotDeals(client, { opportunityIdProperty: PROPERTY });
  await deals.ensureDealProperties(GROUP, DEAL_PROPERTIES);
  s.requestLog.reset();
  return { s, deals };
}

const opp = (n: number) => `006A0000${String(n).padStart(7, '0')}`;
const contact = (n: number) => String(1001 + n);

function dealWrite(n: number, companyIds: string[], extra: Partial<DealWrite> = {}): DealWrite {
  return {
    opportunityId: opp(n),
    properties: { dealname: `Opportunity ${n}`, pipeline: 'default', dealstage: 'qualifiedtobuy', amount: String(1000 + n) },
    contactIds: [contact(n)],
    companyIds,
    ...extra,
  };
}

describe('HubSpotDeals: deal properties and pipelines', () => {
  it('creates the unique opportunity-id property with hasUniqueValue and the competitor property, once', async () => {
    const s = await startSandbox({ hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0 } });
    sandbox = s;
    const deals = new HubSpotDeals(createHubSpotClient({ accessToken: s.connectionInfo().hubspot.accessToken, baseUrl: s.url }), { opportunityIdProperty: PROPERTY });
    expect((await deals.dealPropertyTypes()).has(PROPERTY)).toBe(false);
    expect(await deals.ensureDealProperties(GROUP, DEAL_PROPERTIES)).toEqual([PROPERTY, 'leadloop_competitor']);
    const properties = await deals.dealProperties();
    expect(properties.get(PROPERTY)).toEqual({ type: 'string', hasUniqueValue: true, options: [] });
    expect(properties.get('leadloop_competitor')).toEqual({ type: 'string', hasUniqueValue: false, options: [] });
    expect((await deals.dealPropertyTypes()).get('amount')).toBe('number');
    // The portal enforces it: a second deal with a value another holds is refused.
    s.hubspot.createDeal({ dealname: 'One', pipeline: 'default', dealstage: 'qualifiedtobuy', [PROPERTY]: '006A' });
    expect(() => s.hubspot.createDeal({ dealname: 'Two', pipeline: 'default', dealstage: 'qualifiedtobuy', [PROPERTY]: '006A' })).toThrow(/409/);
    s.requestLog.reset();
    expect(await deals.ensureDealProperties(GROUP, DEAL_PROPERTIES)).toEqual([]);
    // Present already: one read, nothing created.
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.properties.list': 1 });
  });

  it("reads the default pipeline's stages by internal id, closed and probability; an unknown pipeline is undefined", async () => {
    const { deals } = await open(1);
    const pipeline = await deals.pipelineStages('default');
    expect(pipeline?.pipeline).toBe('Sales Pipeline');
    expect(pipeline?.stages.map((st) => [st.id, st.isClosed, st.probability])).toEqual([
      ['appointmentscheduled', false, 0.2],
      ['qualifiedtobuy', false, 0.4],
      ['presentationscheduled', false, 0.6],
      ['decisionmakerboughtin', false, 0.8],
      ['contractsent', false, 0.9],
      ['closedwon', true, 1],
      ['closedlost', true, 0],
    ]);
    expect(pipeline?.stages[5]?.label).toBe('Closed Won');
    expect(await deals.pipelineStages('75431234')).toBeUndefined();
  });

  it("finds a deal HubSpot's Salesforce connector synced (hs_salesforceopportunityid), in one search", async () => {
    const { s, deals } = await open(1);
    const ours = s.hubspot.createDeal({ dealname: 'Ours', pipeline: 'default', dealstage: 'qualifiedtobuy' });
    expect(await deals.connectorSyncedDeal()).toBeUndefined();
    s.hubspot.updateDeal(ours.id, { hs_salesforceopportunityid: '006Dn00000AbCdEIAZ' });
    const synced = await deals.connectorSyncedDeal();
    expect(synced?.id).toBe(ours.id);
    expect(synced?.properties.hs_salesforceopportunityid).toBe('006Dn00000AbCdEIAZ');
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.search': 2 });
  });
});

describe('HubSpotDeals: the DealSink', () => {
  it('reads primary companies 100 contacts a call; a contact with only an unlabelled company or none has none', async () => {
    const { s, deals } = await open(250);
    const a = s.hubspot.createCompany({ name: 'A' });
    const b = s.hubspot.createCompany({ name: 'B' });
    for (let n = 0; n < 200; n++) s.hubspot.associate('contacts', contact(n), 'companies', n % 2 === 0 ? a.id : b.id, { primary: true });
    // Contact 0 also has B unlabelled; contact 200 only unlabelled A.
    s.hubspot.associate('contacts', contact(0), 'companies', b.id);
    s.hubspot.associate('contacts', contact(200), 'companies', a.id);
    const ids = Array.from({ length: 250 }, (_, n) => contact(n));
    const primary = await deals.primaryCompanies(ids);
    expect(primary.size).toBe(200);
    expect(primary.get(contact(0))).toBe(a.id);
    expect(primary.get(contact(1))).toBe(b.id);
    expect(primary.has(contact(200))).toBe(false);
    expect(primary.has(contact(249))).toBe(false);
    expect(s.requestLog.counts('hubspot')).toEqual({ 'associations.v4.batch.read': 3 });
  });

  it('creates 250 deals in 3 calls with their contact and company associations inline; created again after a lost answer they come back as existing, nothing duplicated', async () => {
    const { s, deals } = await open(300);
    const a = s.hubspot.createCompany({ name: 'A' });
    const b = s.hubspot.createCompany({ name: 'B' });
    const writes = Array.from({ length: 250 }, (_, n) => dealWrite(n, n % 5 === 0 ? [a.id, b.id] : [a.id]));
    const first = await deals.createDeals(writes);
    expect(first.created.size).toBe(250);
    expect(first.existing.size).toBe(0);
    expect(first.rejections).toEqual([]);
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.create': 3 });
    expect(s.hubspot.deals()).toHaveLength(250);

    const id0 = first.created.get(opp(0))!;
    expect(s.hubspot.getDeal(id0)?.properties).toMatchObject({ [PROPERTY]: opp(0), dealname: 'Opportunity 0', dealstage: 'qualifiedtobuy', amount: '1000' });
    expect(s.hubspot.associations('deals', id0, 'contacts')).toEqual([{ id: contact(0), typeIds: [DEAL_TO_CONTACT] }]);
    // The first company is the deal's primary company (which includes the unlabelled type), the second unlabelled.
    expect(s.hubspot.associations('deals', id0, 'companies')).toEqual([
      { id: a.id, typeIds: [PRIMARY_DEAL_TO_COMPANY, DEAL_TO_COMPANY] },
      { id: b.id, typeIds: [DEAL_TO_COMPANY] },
    ]);
    expect(s.hubspot.associations('contacts', contact(7), 'deals')).toEqual([{ id: first.created.get(opp(7)), typeIds: [4] }]);
    // Every deal carries its own opportunity id.
    for (const [opportunityId, dealId] of first.created) expect(s.hubspot.getDeal(dealId)?.properties[PROPERTY]).toBe(opportunityId);

    // The answer was lost: the job runs again with the same 250 and 50 new ones.
    s.requestLog.reset();
    const again = await deals.createDeals([...writes, ...Array.from({ length: 50 }, (_, i) => dealWrite(250 + i, [b.id]))]);
    expect(again.existing).toEqual(first.created);
    expect(again.created.size).toBe(50);
    expect([...again.created.keys()].sort()).toEqual(Array.from({ length: 50 }, (_, i) => opp(250 + i)));
    expect(again.rejections).toEqual([]);
    expect(s.hubspot.deals()).toHaveLength(300);
    expect(new Set(s.hubspot.deals().map((d) => d.properties[PROPERTY])).size).toBe(300);
    // 3 creates (each answered 207: the held ones refused, the new ones created) and 3 reads by the unique property.
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.create': 3, 'deals.batch.read': 3 });
    // The existing deals kept their associations, nothing doubled.
    expect(s.hubspot.associations('deals', id0, 'contacts')).toEqual([{ id: contact(0), typeIds: [DEAL_TO_CONTACT] }]);
  });

  it('rejects a deal HubSpot refuses for itself and creates the rest; an association to a contact that is gone is dropped', async () => {
    const { s, deals } = await open(20);
    s.hubspot.deleteContact(contact(3));
    const writes = Array.from({ length: 10 }, (_, n) => dealWrite(n, []));
    writes[5] = dealWrite(5, [], { properties: { dealname: 'Bad stage', pipeline: 'default', dealstage: 'Closed Won' } });
    writes[3] = dealWrite(3, [], { contactIds: [contact(3), contact(13)] });
    const result = await deals.createDeals(writes);
    expect(result.rejections).toEqual([{ system: 'hubspot', recordKey: opp(5), code: 'INVALID_OPTION', fields: ['dealstage'] }]);
    expect(result.created.size).toBe(9);
    expect(s.hubspot.associations('deals', result.created.get(opp(3))!, 'contacts')).toEqual([{ id: contact(13), typeIds: [DEAL_TO_CONTACT] }]);
    // One 207 with both refused, then the deal without the missing contact sent again.
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.create': 2 });
  });

  it('updates deals by the unique property (stage, amount), adds a newly linked contact, and reports opportunities without a deal as missing', async () => {
    const { s, deals } = await open(300);
    const a = s.hubspot.createCompany({ name: 'A' });
    const writes = Array.from({ length: 150 }, (_, n) => dealWrite(n, [a.id]));
    const { created } = await deals.createDeals(writes);
    s.requestLog.reset();

    const updates = writes.map((w, n) => ({
      ...w,
      properties: { ...w.properties, dealstage: n % 2 === 0 ? 'closedwon' : 'closedlost', amount: String(5000 + n), leadloop_competitor: n % 2 === 0 ? '' : 'Acme' },
      // Opportunity 7 now also has contact 207 (a new contact role).
      contactIds: n === 7 ? [contact(7), contact(207)] : w.contactIds,
    }));
    const result = await deals.updateDeals([...updates, dealWrite(900, [a.id]), dealWrite(901, [])]);
    expect(result.updated).toEqual(created);
    expect(result.missing.sort()).toEqual([opp(900), opp(901)]);
    expect(result.rejections).toEqual([]);
    expect(s.hubspot.getDeal(created.get(opp(0))!)?.properties).toMatchObject({ dealstage: 'closedwon', amount: '5000', hs_is_closed_won: 'true' });
    expect(s.hubspot.getDeal(created.get(opp(1))!)?.properties).toMatchObject({
      dealstage: 'closedlost',
      amount: '5001',
      hs_is_closed: 'true',
      hs_is_closed_won: 'false',
      leadloop_competitor: 'Acme',
    });
    expect(s.hubspot.associations('deals', created.get(opp(7))!, 'contacts')).toEqual([
      { id: contact(7), typeIds: [DEAL_TO_CONTACT] },
      { id: contact(207), typeIds: [DEAL_TO_CONTACT] },
    ]);
    // Associating again keeps the primary company primary.
    expect(s.hubspot.associations('deals', created.get(opp(7))!, 'companies')).toEqual([{ id: a.id, typeIds: [PRIMARY_DEAL_TO_COMPANY, DEAL_TO_COMPANY] }]);
    expect(s.hubspot.deals()).toHaveLength(150);
    // 152 updates: 2 calls; associations for the 150 updated deals: 151 contact pairs (2 calls), 150 company pairs (2 calls).
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.update': 2, 'associations.v4.batch.associate-default': 4 });
  });

  it('rejects an update HubSpot refuses for itself and writes the others', async () => {
    const { s, deals } = await open(10);
    const writes = Array.from({ length: 4 }, (_, n) => dealWrite(n, []));
    await deals.createDeals(writes);
    writes[2] = { ...writes[2]!, properties: { dealstage: 'Closed Lost' } };
    writes[1] = { ...writes[1]!, properties: { dealstage: 'closedlost' } };
    s.requestLog.reset();
    const result = await deals.updateDeals(writes);
    expect(result.rejections).toEqual([{ system: 'hubspot', recordKey: opp(2), code: 'INVALID_OPTION', fields: ['dealstage'] }]);
    expect([...result.updated.keys()].sort()).toEqual([opp(0), opp(1), opp(3)]);
    expect(s.hubspot.deals().find((d) => d.properties[PROPERTY] === opp(1))?.properties.dealstage).toBe('closedlost');
    expect(s.requestLog.total('hubspot', 'deals.batch.update')).toBe(1);
  });

  it('archives deals by opportunity id; ones already gone or never created count as archived', async () => {
    const { s, deals } = await open(20);
    const { created } = await deals.createDeals(Array.from({ length: 12 }, (_, n) => dealWrite(n, [])));
    s.requestLog.reset();
    const ids = Array.from({ length: 10 }, (_, n) => opp(n));
    const result = await deals.archiveDeals([...ids, opp(99)]);
    expect(result).toEqual({ archived: [...ids, opp(99)], rejections: [] });
    expect(
      s.hubspot
        .deals()
        .map((d) => d.properties[PROPERTY])
        .sort(),
    ).toEqual([opp(10), opp(11)]);
    expect(s.hubspot.getDeal(created.get(opp(0))!)).toBeUndefined();
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.read': 1, 'deals.batch.archive': 1 });
    s.requestLog.reset();
    expect((await deals.archiveDeals(ids)).archived).toEqual(ids);
    // Nothing left to archive: the read finds none and no archive call is sent.
    expect(s.requestLog.counts('hubspot')).toEqual({ 'deals.batch.read': 1 });
    // An archived deal's opportunity id is free again: a new deal for it is created, not reported as existing.
    const recreated = await deals.createDeals([dealWrite(0, [])]);
    expect(recreated.created.has(opp(0))).toBe(true);
    expect(recreated.existing.size).toBe(0);
  });

  it('costs 10 calls per 1,000 deals created and 30 per 1,000 updated (one contact and one company each)', async () => {
    const { s, deals } = await open(1000);
    const companies = Array.from({ length: 10 }, (_, i) => s.hubspot.createCompany({ name: `Co ${i}` }).id);
    const writes = Array.from({ length: 1000 }, (_, n) => dealWrite(n, [companies[n % 10]!]));
    s.requestLog.reset();
    const { created } = await deals.createDeals(writes);
    expect(created.size).toBe(1000);
    const createCalls = s.requestLog.total('hubspot');
    s.requestLog.reset();
    const { updated } = await deals.updateDeals(writes.map((w) => ({ ...w, properties: { ...w.properties, dealstage: 'closedwon' } })));
    expect(updated.size).toBe(1000);
    const updateCalls = s.requestLog.total('hubspot');
    expect({ createCalls, updateCalls }).toEqual({ createCalls: 10, updateCalls: 30 });
  });

  it('creates each deal once when answers are lost: retried until it goes through, every opportunity ends as created or existing', async () => {
    // Seeded: a quarter of the calls are carried out and never answered (the client times out).
    const s = await startSandbox({ contacts: 300, seed: 7, faults: { hubspot: { lostAnswerRate: 0.25 } }, hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0 } });
    sandbox = s;
    const deals = new HubSpotDeals(createHubSpotClient({ accessToken: s.connectionInfo().hubspot.accessToken, baseUrl: s.url, timeoutMs: 200 }), { opportunityIdProperty: PROPERTY });
    const failures: string[] = [];
    const retried = async <T>(work: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          return await work();
        } catch (error) {
          failures.push((error as { code?: string }).code ?? String(error));
        }
      }
      throw new Error('never went through');
    };
    await retried(() => deals.ensureDealProperties(GROUP, DEAL_PROPERTIES));
    const company = s.hubspot.createCompany({ name: 'A' });
    const writes = Array.from({ length: 250 }, (_, n) => dealWrite(n, [company.id]));
    const result = await retried(() => deals.createDeals(writes));
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['UNAVAILABLE']));
    expect(result.rejections).toEqual([]);
    // Each opportunity once: created by the attempt that went through, or found as written by an earlier one.
    expect(new Set([...result.created.keys(), ...result.existing.keys()])).toEqual(new Set(writes.map((w) => w.opportunityId)));
    expect(result.created.size + result.existing.size).toBe(250);
    expect(result.existing.size).toBeGreaterThan(0);
    const live = s.hubspot.deals();
    expect(live).toHaveLength(250);
    expect(new Set(live.map((d) => d.properties[PROPERTY])).size).toBe(250);
    for (const [opportunityId, dealId] of [...result.created, ...result.existing]) expect(s.hubspot.getDeal(dealId)?.properties[PROPERTY]).toBe(opportunityId);
    // The associations were made with each deal, once.
    for (const d of live) expect(s.hubspot.associations('deals', d.id, 'companies')).toEqual([{ id: company.id, typeIds: [PRIMARY_DEAL_TO_COMPANY, DEAL_TO_COMPANY] }]);
  });
});
