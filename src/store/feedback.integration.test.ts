import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../../test/support/postgres.ts';
import { contactKeys, emailKey, opportunityRecord } from '../domain/feedback/index.ts';
import type { EarliestHandoff, LeadStatusChange, LinkEvidence, OpportunitySnapshot, StageChange } from '../domain/feedback/types.ts';
import type { HandoffRecord } from '../domain/handoff/types.ts';
import { openLedger, type Ledger } from './ledger.ts';
import { LedgerStore } from './ledger-store.ts';

// The feedback's ledger (migration 0006 and the store operations behind FeedbackLedgerPort), on
// embedded PGlite and on PostgreSQL alike.

const t = (iso: string) => Date.parse(iso);
const handoff = (contactId: string, iso: string, source: string | null, campaign: string | null, handoffKey = 'first'): HandoffRecord => ({
  contactId,
  handoffKey,
  handedOffAt: t(iso),
  object: 'Lead',
  salesforceId: `00Q-${contactId}-${handoffKey}`,
  outcome: 'created',
  ownerKind: 'user',
  ownerId: '005000000000001AAA',
  grade: 'hot',
  score: 80,
  reason: 'immediate_source',
  source,
  campaign,
});
const snapshot = (id: string, overrides: Partial<OpportunitySnapshot> = {}): OpportunitySnapshot => ({
  opportunityId: id,
  name: `Opportunity ${id}`,
  accountId: '001000000000001AAA',
  accountWebsite: 'globex.example',
  stage: 'Prospecting',
  isClosed: false,
  isWon: false,
  amount: 120_000.5,
  currency: 'USD',
  closeDate: '2026-12-31',
  lossReason: null,
  competitorField: null,
  competitors: [],
  campaignId: null,
  contactRoles: [],
  isDeleted: false,
  systemModstamp: t('2026-11-20T10:00:00Z'),
  createdDate: t('2026-11-01T10:00:00Z'),
  ...overrides,
});
const stage = (name: string, iso: string, closed: 'open' | 'won' | 'lost' = 'open'): StageChange => ({
  stage: name,
  at: t(iso),
  isClosed: closed !== 'open',
  isWon: closed === 'won',
  amount: 120_000.5,
  closeDate: '2026-12-31',
});
const noEvidence: LinkEvidence = { convertedLeads: new Map(), handedOffByEmail: new Map(), handedOffByDomain: new Map() };
const converted = (oppId: string, ...contactIds: string[]): LinkEvidence => ({ ...noEvidence, convertedLeads: new Map([[oppId, contactIds.map((c, i) => ({ leadId: `00Q${i}`, externalId: c }))]]) });
const AT = t('2026-11-21T06:00:00Z');
const campaigns = new Map([['701A', { name: 'Web Summit 2026', type: 'Trade Show' }]]);

function feedbackContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  let store: LedgerStore;
  let handoffs: Map<string, EarliestHandoff>;
  beforeAll(async () => {
    ledger = await open();
    store = new LedgerStore(ledger.db);
    await store.recordHandoffs([
      handoff('5101', '2026-10-01T09:00:00Z', 'trade_show', 'Web Summit 2026'),
      handoff('5101', '2026-11-02T09:00:00Z', 'webinar', 'Pipeline webinar', 'requalified-2026-11'),
      handoff('5102', '2026-09-15T09:00:00Z', 'webinar', 'Pipeline webinar'),
      handoff('5103', '2026-08-01T09:00:00Z', 'paid_ads', null),
    ]);
    handoffs = await store.earliestHandoffs(['5101', '5102', '5103', '9999']);
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it("reads each contact's earliest hand-off with the source and campaign it carried", () => {
    expect([...handoffs.keys()].sort()).toEqual(['5101', '5102', '5103']);
    expect(handoffs.get('5101')).toEqual({ contactId: '5101', handedOffAt: t('2026-10-01T09:00:00Z'), source: 'trade_show', campaign: 'Web Summit 2026' });
    expect(handoffs.get('5103')).toMatchObject({ source: 'paid_ads', campaign: null });
  });

  it('finds handed-off contacts by email key and by domain (email or website), and lists those whose keys it lacks', async () => {
    expect(await store.contactsMissingKeys({ limit: 10 })).toEqual(['5101', '5102', '5103']);
    await store.recordContactKeys(
      [
        contactKeys('5101', { email: 'Ann@Globex.example', website: null }),
        contactKeys('5102', { email: 'bob@gmail.example', website: 'https://www.globex.example' }),
        contactKeys('5103', { email: 'ann@globex.example', website: 'initech.example' }),
        // Never handed off: never found.
        contactKeys('7777', { email: 'ann@globex.example', website: 'globex.example' }),
      ],
      AT,
    );
    expect(await store.contactsMissingKeys({ limit: 10 })).toEqual([]);
    const byEmail = await store.handedOffByEmailKey([emailKey('ann@globex.example')!, emailKey('nobody@globex.example')!]);
    expect(byEmail).toEqual(new Map([[emailKey('ann@globex.example')!, ['5101', '5103']]]));
    expect(await store.handedOffByDomain(['globex.example', 'initech.example', 'hooli.example'])).toEqual(
      new Map([
        ['globex.example', ['5101', '5102', '5103']],
        ['initech.example', ['5103']],
      ]),
    );
    // A contact's keys are replaced, not added to.
    await store.recordContactKeys([contactKeys('5103', { email: 'ann@initech.example', website: null })], AT);
    expect((await store.handedOffByEmailKey([emailKey('ann@globex.example')!])).get(emailKey('ann@globex.example')!)).toEqual(['5101']);
    expect(await store.handedOffByDomain([])).toEqual(new Map());
  });

  it('records lead status changes once: a rerun, or an approximated change whose status did not move, inserts nothing', async () => {
    const change = (status: string, iso: string, cls: LeadStatusChange['class'], approximated = false, reason: string | null = null): LeadStatusChange => ({
      leadId: '00Q-5101',
      contactId: '5101',
      status,
      class: cls,
      changedAt: t(iso),
      approximated,
      reason,
    });
    const tracked = [change('Open - Not Contacted', '2026-10-01T09:00:00Z', 'open'), change('Working - Contacted', '2026-10-02T09:00:00Z', 'accepted')];
    expect(await store.recordLeadStatusChanges(tracked)).toBe(2);
    expect(await store.recordLeadStatusChanges(tracked)).toBe(0);
    // History tracking switched off: each pull sees the current status at the latest SystemModstamp.
    expect(await store.recordLeadStatusChanges([change('Working - Contacted', '2026-10-05T09:00:00Z', 'accepted', true)])).toBe(0);
    expect(await store.recordLeadStatusChanges([change('Closed - Not Converted', '2026-10-09T09:00:00Z', 'disqualified', true, 'No budget')])).toBe(1);
    expect(await store.recordLeadStatusChanges([change('Closed - Not Converted', '2026-10-12T09:00:00Z', 'disqualified', true, 'No budget')])).toBe(0);
    // Another lead in the same call, and one with no contact.
    expect(
      await store.recordLeadStatusChanges([
        { ...change('Recycled', '2026-10-12T09:00:00Z', 'recycled', true), leadId: '00Q-5102', contactId: '5102' },
        { ...change('Qualified', '2026-10-12T09:00:00Z', 'accepted'), leadId: '00Q-x', contactId: null },
      ]),
    ).toBe(2);
    expect(await store.recordLeadStatusChanges([])).toBe(0);
    const rows = await ledger.db
      .selectFrom('lead_status_changes')
      .select(['lead_id', 'status', 'status_class', 'approximated', 'reason', 'changed_at'])
      .where('lead_id', '=', '00Q-5101')
      .orderBy('changed_at')
      .execute();
    expect(rows.map((r) => [r.status_class, r.approximated, r.reason])).toEqual([
      ['open', false, null],
      ['accepted', false, null],
      ['disqualified', true, 'No budget'],
    ]);
    expect(new Date(rows[2]!.changed_at).getTime()).toBe(t('2026-10-09T09:00:00Z'));
  });

  it('records opportunities with outcome, attribution, stage history and links; several contacts per opportunity and several opportunities per contact', async () => {
    const a = snapshot('006A', { campaignId: '701A' });
    const b = snapshot('006B', { isClosed: true, isWon: true, stage: 'Closed Won', amount: 88_500, currency: 'EUR', closeDate: '2026-11-19' });
    const historyB = [stage('Prospecting', '2026-11-01T10:00:00Z'), stage('Closed Won', '2026-11-19T16:00:00Z', 'won')];
    const records = [
      opportunityRecord(a, [stage('Prospecting', '2026-11-01T10:00:00Z')], converted('006A', '5101', '5102'), handoffs, campaigns),
      opportunityRecord(b, historyB, converted('006B', '5101'), handoffs),
    ];
    await store.recordOpportunities(records, AT);
    await store.recordOpportunities(records, AT + 1); // a rerun: the same end state
    const rows = await ledger.db.selectFrom('opportunities').selectAll().orderBy('opportunity_id').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      opportunity_id: '006A',
      outcome: 'open',
      campaign_id: '701A',
      attributed_campaign: 'Web Summit 2026',
      attributed_source: 'webinar',
      link_path: 'converted-lead',
      deleted_at: null,
      deal_fingerprint: null,
    });
    expect(rows[1]).toMatchObject({
      opportunity_id: '006B',
      outcome: 'won',
      is_won: true,
      currency: 'EUR',
      attributed_source: 'trade_show',
      attributed_campaign: 'Web Summit 2026',
      times_closed: 1,
      reopened: false,
    });
    expect(Number(rows[0]!.amount)).toBe(120_000.5);
    expect(Number(rows[1]!.amount)).toBe(88_500);
    expect(new Date(rows[1]!.closed_at!).getTime()).toBe(t('2026-11-19T16:00:00Z'));
    const closeDate = await ledger.db
      .selectFrom('opportunities')
      .select((eb) => eb.fn<string>('to_char', [eb.ref('close_date'), eb.val('YYYY-MM-DD')]).as('d'))
      .where('opportunity_id', '=', '006B')
      .executeTakeFirstOrThrow();
    expect(closeDate.d).toBe('2026-11-19');
    const links = await ledger.db.selectFrom('opportunity_contacts').select(['opportunity_id', 'hubspot_contact_id', 'link_path']).orderBy('opportunity_id').orderBy('hubspot_contact_id').execute();
    expect(links).toEqual([
      { opportunity_id: '006A', hubspot_contact_id: '5101', link_path: 'converted-lead' },
      { opportunity_id: '006A', hubspot_contact_id: '5102', link_path: 'converted-lead' },
      { opportunity_id: '006B', hubspot_contact_id: '5101', link_path: 'converted-lead' },
    ]);
    expect(await ledger.db.selectFrom('opportunity_stage_history').select('stage').where('opportunity_id', '=', '006B').orderBy('changed_at').execute()).toEqual([
      { stage: 'Prospecting' },
      { stage: 'Closed Won' },
    ]);
  });

  it('replaces links on each pull, adds history, keeps a reopened and re-closed opportunity current, and ignores an older snapshot', async () => {
    const later = t('2026-11-26T10:00:00Z');
    const history = [
      stage('Prospecting', '2026-11-01T10:00:00Z'),
      stage('Closed Won', '2026-11-19T16:00:00Z', 'won'),
      stage('Negotiation/Review', '2026-11-22T09:00:00Z'),
      stage('Closed Lost', '2026-11-25T09:00:00Z', 'lost'),
    ];
    const relost = snapshot('006B', { isClosed: true, isWon: false, stage: 'Closed Lost', lossReason: 'Price', competitorField: 'Initech', systemModstamp: later });
    const evidence: LinkEvidence = { ...noEvidence, handedOffByEmail: new Map([[emailKey('ann@globex.example')!, ['5101']]]) };
    await store.recordOpportunities(
      [opportunityRecord({ ...relost, contactRoles: [{ contactId: '003A', role: null, isPrimary: true, externalId: '5103', email: null }] }, history, evidence, handoffs)],
      AT,
    );
    const row = await ledger.db.selectFrom('opportunities').selectAll().where('opportunity_id', '=', '006B').executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      outcome: 'lost',
      reopened: true,
      times_closed: 2,
      loss_reason: 'Price',
      competitor: 'Initech',
      competitors_met: ['Initech'],
      link_path: 'contact-role-external-id',
      attributed_source: 'paid_ads',
    });
    expect(await ledger.db.selectFrom('opportunity_contacts').select('hubspot_contact_id').where('opportunity_id', '=', '006B').execute()).toEqual([{ hubspot_contact_id: '5103' }]);
    expect(await ledger.db.selectFrom('opportunity_stage_history').select('stage').where('opportunity_id', '=', '006B').execute()).toHaveLength(4);
    // A slow pull that read the opportunity before this one changes nothing.
    await store.recordOpportunities([opportunityRecord(snapshot('006B', { isClosed: true, isWon: true }), [], converted('006B', '5102'), handoffs)], AT);
    expect(await ledger.db.selectFrom('opportunities').select('outcome').where('opportunity_id', '=', '006B').executeTakeFirstOrThrow()).toEqual({ outcome: 'lost' });
    expect(await ledger.db.selectFrom('opportunity_contacts').select('hubspot_contact_id').where('opportunity_id', '=', '006B').execute()).toEqual([{ hubspot_contact_id: '5103' }]);
  });

  it('records an opportunity that links to nobody and lists it; deleted ones are marked once and restored ones unmarked', async () => {
    await store.recordOpportunities([opportunityRecord(snapshot('006C', { accountWebsite: 'hooli.example' }), [], noEvidence, handoffs)], AT);
    expect(await store.unlinkedOpportunities({ limit: 10 })).toEqual([{ opportunityId: '006C', name: 'Opportunity 006C', accountId: '001000000000001AAA', outcome: 'open', deleted: false }]);
    expect(await store.unlinkedOpportunities({ limit: 10, after: '006C' })).toEqual([]);
    expect(await ledger.db.selectFrom('opportunity_contacts').selectAll().where('opportunity_id', '=', '006C').execute()).toEqual([]);

    expect(await store.markOpportunitiesDeleted(['006C', '006A', 'never-seen'], AT)).toBe(2);
    expect(await store.markOpportunitiesDeleted(['006C'], AT + 60_000)).toBe(0);
    const deletedAt = await ledger.db.selectFrom('opportunities').select(['opportunity_id', 'deleted_at']).where('deleted_at', 'is not', null).orderBy('opportunity_id').execute();
    expect(deletedAt.map((r) => [r.opportunity_id, new Date(r.deleted_at!).getTime()])).toEqual([
      ['006A', AT],
      ['006C', AT],
    ]);
    // Seen deleted again by a later pull (IsDeleted, ALL ROWS): the first time stands. Restored: unmarked.
    const modstamp = t('2026-11-27T10:00:00Z');
    await store.recordOpportunities([opportunityRecord(snapshot('006C', { isDeleted: true, systemModstamp: modstamp }), [], noEvidence, handoffs)], AT + 120_000);
    expect(new Date((await ledger.db.selectFrom('opportunities').select('deleted_at').where('opportunity_id', '=', '006C').executeTakeFirstOrThrow()).deleted_at!).getTime()).toBe(AT);
    await store.recordOpportunities([opportunityRecord(snapshot('006A', { campaignId: '701A', systemModstamp: modstamp }), [], converted('006A', '5101', '5102'), handoffs, campaigns)], AT + 180_000);
    expect((await ledger.db.selectFrom('opportunities').select('deleted_at').where('opportunity_id', '=', '006A').executeTakeFirstOrThrow()).deleted_at).toBeNull();
    expect(await store.unlinkedOpportunities({ limit: 10 })).toEqual([{ opportunityId: '006C', name: 'Opportunity 006C', accountId: '001000000000001AAA', outcome: 'open', deleted: true }]);
  });

  it('keeps the fingerprint of the deal last written, untouched by later pulls', async () => {
    const record = opportunityRecord(snapshot('006A', { campaignId: '701A', systemModstamp: t('2026-11-28T10:00:00Z') }), [], converted('006A', '5101', '5102'), handoffs, campaigns);
    const fingerprint = 'fp-006A-v1';
    expect(await store.dealFingerprints(['006A', '006B'])).toEqual(new Map());
    await store.setDealFingerprints(new Map([['006A', fingerprint]]));
    await store.recordOpportunities([record], AT);
    expect(await store.dealFingerprints(['006A', '006B', '006A'])).toEqual(new Map([['006A', fingerprint]]));
    await store.setDealFingerprints(new Map());
    expect(await store.dealFingerprints([])).toEqual(new Map());
  });

  it("moves a merged-away contact's status changes and opportunity links to the survivor, and drops its keys", async () => {
    await store.recordContactKeys([contactKeys('6001', { email: 'old@globex.example', website: null })], AT);
    await store.recordLeadStatusChanges([{ leadId: '00Q-6001', contactId: '6001', status: 'Qualified', class: 'accepted', changedAt: AT, approximated: false, reason: null }]);
    await store.recordOpportunities(
      [opportunityRecord(snapshot('006D'), [], converted('006D', '6001', '5102'), handoffs), opportunityRecord(snapshot('006E'), [], converted('006E', '6001'), handoffs)],
      AT,
    );
    expect(await store.rekeyFeedback('6001', '5102')).toEqual({ moved: true });
    const links = await ledger.db
      .selectFrom('opportunity_contacts')
      .select(['opportunity_id', 'hubspot_contact_id'])
      .where('opportunity_id', 'in', ['006D', '006E'])
      .orderBy('opportunity_id')
      .execute();
    expect(links).toEqual([
      { opportunity_id: '006D', hubspot_contact_id: '5102' },
      { opportunity_id: '006E', hubspot_contact_id: '5102' },
    ]);
    expect(await ledger.db.selectFrom('lead_status_changes').select('hubspot_contact_id').where('lead_id', '=', '00Q-6001').execute()).toEqual([{ hubspot_contact_id: '5102' }]);
    expect(await ledger.db.selectFrom('contact_keys').select('hubspot_contact_id').where('hubspot_contact_id', '=', '6001').execute()).toEqual([]);
    expect(await store.rekeyFeedback('6001', '5102')).toEqual({ moved: false });
    expect(await store.rekeyFeedback('5102', '5102')).toEqual({ moved: false });
  });

  it("a privacy purge erases the contact's keys and its id everywhere, and keeps the figures", async () => {
    const purged = await store.purgeContact('5101');
    expect(purged).toEqual({ decisions: 0, handoffs: 2, leadStatusChanges: 3, opportunityLinks: 1, contactKeys: 1 });
    for (const table of ['handoffs', 'lead_status_changes', 'opportunity_contacts', 'contact_keys'] as const) {
      expect(await ledger.db.selectFrom(table).select('hubspot_contact_id').where('hubspot_contact_id', '=', '5101').execute()).toEqual([]);
    }
    expect(await ledger.db.selectFrom('lead_status_changes').selectAll().where('lead_id', '=', '00Q-5101').execute()).toEqual([]);
    // One token for the person across tables: their hand-off, status changes and opportunities still count together.
    const [h] = await ledger.db.selectFrom('handoffs').select('hubspot_contact_id').where('hubspot_contact_id', 'like', 'erased:%').execute();
    const statuses = await ledger.db.selectFrom('lead_status_changes').select(['hubspot_contact_id', 'lead_id', 'status_class']).where('hubspot_contact_id', '=', h!.hubspot_contact_id).execute();
    expect(statuses.map((s) => s.status_class).sort()).toEqual(['accepted', 'disqualified', 'open']);
    expect(new Set(statuses.map((s) => s.lead_id)).size).toBe(1);
    expect(statuses[0]!.lead_id).toMatch(/^erased:[0-9a-f]{32}$/);
    expect(await ledger.db.selectFrom('opportunity_contacts').select('opportunity_id').where('hubspot_contact_id', '=', h!.hubspot_contact_id).execute()).toEqual([{ opportunity_id: '006A' }]);
    expect(await ledger.db.selectFrom('opportunities').select(['attributed_source', 'attributed_campaign']).where('opportunity_id', '=', '006A').executeTakeFirstOrThrow()).toEqual({
      attributed_source: 'webinar',
      attributed_campaign: 'Web Summit 2026',
    });
    expect(await store.handedOffByEmailKey([emailKey('ann@globex.example')!])).toEqual(new Map());
    expect(await store.handedOffByDomain(['globex.example'])).toEqual(new Map([['globex.example', ['5102']]]));
    expect(await store.earliestHandoffs(['5101'])).toEqual(new Map());
    expect(await store.contactsMissingKeys({ limit: 10 })).toEqual([]);
    // Twice: nothing left to erase.
    expect(await store.purgeContact('5101')).toEqual({ decisions: 0, handoffs: 0, leadStatusChanges: 0, opportunityLinks: 0, contactKeys: 0 });
  });
}

describe('feedback ledger on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-feedback-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  feedbackContract(() => openLedger({ dataDir: dir }));
});

const pgUp = await postgresAnswers();
if (!pgUp) console.warn(`PostgreSQL at ${TEST_DATABASE_URL} does not answer: feedback ledger tests run on PGlite alone`);

describe.skipIf(!pgUp)('feedback ledger on PostgreSQL', () => {
  const schema = uniqueSchema('feedback');
  afterAll(() => dropSchema(schema));
  feedbackContract(() => openLedger({ databaseUrl: TEST_DATABASE_URL, schema }));
});
