import { describe, expect, it } from 'vitest';
import type { DealContent } from './deal.ts';
import { ARCHIVED, backToMarketingOf, type ContactOpportunity, contactSummary, dealWrite, lifecycleForward, lostAfterConversion, planContactWrites, planDeals } from './plan-hubspot.ts';

const mapping = {
  deal: {
    salesforce_id_property: 'sf_opportunity_id',
    pipeline: 'default',
    stages: { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' },
    competitor_property: 'leadloop_competitor',
  },
  hubspot_writeback: {
    score: 's',
    grade: 'g',
    owner: 'o',
    salesforce_id: 'sf',
    outcome: 'leadloop_outcome',
    outcome_amount: 'leadloop_outcome_amount',
    loss_reason: 'leadloop_loss_reason',
    competitor: 'leadloop_competitor',
  },
  lifecycle_stage: { accepted: 'salesqualifiedlead', opportunity: 'opportunity', won: 'customer' },
  back_to_marketing: { lifecycle_stage: 'lead', lead_status: { disqualified: 'UNQUALIFIED', recycled: 'BAD_TIMING', lost: 'BAD_TIMING' }, cool_down: '30d', reopen_status: 'Open - Not Contacted' },
};

const content = (over: Partial<DealContent> = {}): DealContent => ({
  opportunityId: '006A',
  name: 'Globex — platform',
  outcome: 'won',
  amount: 50_000,
  currency: null,
  closeDate: '2026-11-30',
  lossReason: null,
  competitor: null,
  contactIds: ['5101'],
  archived: false,
  ...over,
});

describe('lifecycleForward', () => {
  it('moves only later in HubSpot order, from empty to anything, and leaves unknown stages alone', () => {
    expect(lifecycleForward('marketingqualifiedlead', 'salesqualifiedlead')).toBe('salesqualifiedlead');
    expect(lifecycleForward(null, 'opportunity')).toBe('opportunity');
    expect(lifecycleForward('customer', 'opportunity')).toBeUndefined();
    expect(lifecycleForward('opportunity', 'opportunity')).toBeUndefined();
    expect(lifecycleForward('1234567', 'customer')).toBeUndefined();
    expect(lifecycleForward('lead', 'portal_own_stage')).toBeUndefined();
  });
});

describe('dealWrite', () => {
  it('maps the outcome to the configured stage, the close date to midnight UTC, and companies of the contacts once', () => {
    const write = dealWrite(
      content({ outcome: 'lost', lossReason: 'Price', competitor: 'Initech', contactIds: ['5101', '5102'], currency: 'EUR' }),
      mapping,
      new Map([
        ['5101', '9001'],
        ['5102', '9001'],
      ]),
    );
    expect(write).toEqual({
      opportunityId: '006A',
      properties: {
        sf_opportunity_id: '006A',
        dealname: 'Globex — platform',
        pipeline: 'default',
        dealstage: 'closedlost',
        amount: '50000',
        closedate: '2026-11-30T00:00:00.000Z',
        closed_lost_reason: 'Price',
        leadloop_competitor: 'Initech',
        deal_currency_code: 'EUR',
      },
      contactIds: ['5101', '5102'],
      companyIds: ['9001'],
    });
    expect(dealWrite(content({ amount: null, closeDate: null }), mapping, new Map()).properties).toMatchObject({ amount: '', closedate: '', closed_lost_reason: '' });
  });
});

describe('planDeals', () => {
  const plan = (contents: DealContent[], written = new Map<string, string>(), connectorSyncsDeals = false) => planDeals({ contents, written, companyOf: new Map(), mapping, connectorSyncsDeals });

  it('creates a deal not written before, and writes nothing when its fingerprint is the one last written', () => {
    const first = plan([content()]);
    expect(first.create.map((d) => d.opportunityId)).toEqual(['006A']);
    expect(first.update).toEqual([]);
    const again = plan([content()], first.fingerprints);
    expect(again.create).toEqual([]);
    expect(again.update).toEqual([]);
    expect(again.skipped).toEqual([{ opportunityId: '006A', reason: 'unchanged' }]);
  });

  it('updates a written deal whose content changed (reopened: back to the open stage)', () => {
    const first = plan([content()]);
    const reopened = plan([content({ outcome: 'open' })], first.fingerprints);
    expect(reopened.update.map((d) => d.properties.dealstage)).toEqual(['appointmentscheduled']);
    expect(reopened.fingerprints.get('006A')).not.toBe(first.fingerprints.get('006A'));
  });

  it('archives the deal of a deleted opportunity once, and never creates one for it', () => {
    const first = plan([content()]);
    const deleted = plan([content({ archived: true })], first.fingerprints);
    expect(deleted.archive).toEqual(['006A']);
    expect(deleted.fingerprints.get('006A')).toBe(ARCHIVED);
    expect(plan([content({ archived: true })], deleted.fingerprints).archive).toEqual([]);
    expect(plan([content({ archived: true })]).skipped).toEqual([{ opportunityId: '006A', reason: 'deleted-never-written' }]);
    // Restored from the recycle bin: a new deal.
    expect(plan([content()], deleted.fingerprints).create.map((d) => d.opportunityId)).toEqual(['006A']);
  });

  it('makes no deal in a currency the portal has not set up, and says which', () => {
    const planned = planDeals({ contents: [content({ currency: 'EUR' })], written: new Map(), companyOf: new Map(), mapping, connectorSyncsDeals: false, portalCurrencies: new Set(['USD']) });
    expect(planned.create).toEqual([]);
    expect(planned.skipped).toEqual([{ opportunityId: '006A', reason: 'currency-not-in-portal', currency: 'EUR' }]);
    const known = planDeals({ contents: [content({ currency: 'EUR' })], written: new Map(), companyOf: new Map(), mapping, connectorSyncsDeals: false, portalCurrencies: new Set(['USD', 'EUR']) });
    expect(known.create.map((d) => d.properties.deal_currency_code)).toEqual(['EUR']);
  });

  it('makes no deal for an opportunity linked to nobody, nor any where the connector syncs deals', () => {
    expect(plan([content({ contactIds: [] })]).skipped).toEqual([{ opportunityId: '006A', reason: 'unlinked' }]);
    const beside = plan([content()], new Map(), true);
    expect(beside.create).toEqual([]);
    expect(beside.skipped).toEqual([{ opportunityId: '006A', reason: 'connector-syncs-deals' }]);
  });
});

describe('contactSummary', () => {
  const opp = (over: Partial<ContactOpportunity>): ContactOpportunity => ({
    opportunityId: '006A',
    outcome: 'open',
    amount: null,
    currency: null,
    lossReason: null,
    competitor: null,
    closedAt: null,
    deleted: false,
    ...over,
  });

  it('is won with the sum of wins in one currency, else the latest win', () => {
    expect(contactSummary([opp({ outcome: 'won', amount: 10, closedAt: 1 }), opp({ opportunityId: '006B', outcome: 'won', amount: 5, closedAt: 2 })])).toEqual({
      outcome: 'won',
      amount: '15',
      lossReason: '',
      competitor: '',
    });
    expect(contactSummary([opp({ outcome: 'won', amount: 10, currency: 'EUR', closedAt: 1 }), opp({ opportunityId: '006B', outcome: 'won', amount: 5, currency: 'USD', closedAt: 2 })]).amount).toBe(
      '5',
    );
  });

  it('is lost only when nothing is won or still open, with the latest loss; deleted ones count for nothing', () => {
    const lost = opp({ outcome: 'lost', amount: 7, lossReason: 'Price', competitor: 'Initech', closedAt: 5 });
    expect(contactSummary([lost])).toEqual({ outcome: 'lost', amount: '7', lossReason: 'Price', competitor: 'Initech' });
    expect(contactSummary([lost, opp({ opportunityId: '006B' })]).outcome).toBe('');
    expect(contactSummary([lost, opp({ opportunityId: '006B', outcome: 'won', amount: 1, deleted: true })]).outcome).toBe('lost');
  });
});

describe('planContactWrites', () => {
  const current = new Map<string, Record<string, string | null>>([
    ['5101', { lifecyclestage: 'marketingqualifiedlead', leadloop_outcome: null }],
    ['5102', { lifecyclestage: 'customer', leadloop_outcome: 'won', leadloop_outcome_amount: '15', leadloop_loss_reason: '', leadloop_competitor: '' }],
  ]);

  it('writes only what differs, moves lifecycle forward only, and skips contacts HubSpot no longer has', () => {
    const won = { outcome: 'won' as const, amount: '15', lossReason: '', competitor: '' };
    const writes = planContactWrites({
      contacts: [
        { contactId: '5102', summary: won, lifecycle: 'won' },
        { contactId: '5101', lifecycle: 'accepted' },
        { contactId: '5999', lifecycle: 'won' },
      ],
      current,
      mapping,
      connectorSetsLifecycle: false,
    });
    expect(writes).toEqual({ writes: [{ contactId: '5101', properties: { lifecyclestage: 'salesqualifiedlead' } }], clearFirst: [] });
  });

  it('sends a disqualified or recycled contact back to marketing: stage cleared first when it moves back, lead status set; a customer stays', () => {
    const now = new Map<string, Record<string, string | null>>([
      ['6001', { lifecyclestage: 'salesqualifiedlead', hs_lead_status: 'IN_PROGRESS' }],
      ['6002', { lifecyclestage: 'subscriber', hs_lead_status: null }],
      ['6003', { lifecyclestage: 'customer', hs_lead_status: 'OPEN_DEAL' }],
      ['6004', { lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING' }],
    ]);
    const plan = planContactWrites({
      contacts: [
        { contactId: '6001', backToMarketing: 'disqualified' },
        { contactId: '6002', backToMarketing: 'recycled' },
        { contactId: '6003', backToMarketing: 'disqualified' },
        { contactId: '6004', backToMarketing: 'recycled' },
      ],
      current: now,
      mapping,
      connectorSetsLifecycle: false,
    });
    expect(plan).toEqual({
      writes: [
        { contactId: '6001', properties: { hs_lead_status: 'UNQUALIFIED', lifecyclestage: 'lead' } },
        { contactId: '6002', properties: { hs_lead_status: 'BAD_TIMING', lifecyclestage: 'lead' } },
      ],
      clearFirst: ['6001'],
    });
  });

  it('leaves lifecycle to the connector when it moves it', () => {
    expect(planContactWrites({ contacts: [{ contactId: '5101', lifecycle: 'accepted' }], current, mapping, connectorSetsLifecycle: true })).toEqual({ writes: [], clearFirst: [] });
  });
});

describe('back to marketing after a conversion', () => {
  const DAY = 86_400_000;
  const opp = (id: string, outcome: 'open' | 'won' | 'lost', closedAt: number | null, extra: Partial<ContactOpportunity> = {}): ContactOpportunity => ({
    opportunityId: id,
    outcome,
    amount: null,
    currency: null,
    lossReason: null,
    competitor: null,
    closedAt,
    deleted: false,
    ...extra,
  });

  it('gives a contact back when every opportunity it is linked to, its converted lead among them, was lost, since the last loss', () => {
    expect(lostAfterConversion([opp('006A', 'lost', 10 * DAY, { convertedLead: true }), opp('006B', 'lost', 12 * DAY)])).toEqual({ since: 12 * DAY });
    // One still open, or won: not back.
    expect(lostAfterConversion([opp('006A', 'lost', 10 * DAY, { convertedLead: true }), opp('006B', 'open', null)])).toBeUndefined();
    expect(lostAfterConversion([opp('006A', 'lost', 10 * DAY, { convertedLead: true }), opp('006B', 'won', 11 * DAY)])).toBeUndefined();
    // No converted lead of its own (linked by contact role or domain only): its lead's Status decides.
    expect(lostAfterConversion([opp('006A', 'lost', 10 * DAY)])).toBeUndefined();
    // A deleted opportunity counts nowhere.
    expect(lostAfterConversion([opp('006A', 'lost', 10 * DAY, { convertedLead: true }), opp('006B', 'open', null, { deleted: true })])).toEqual({ since: 10 * DAY });
  });

  it('takes the later of a disqualifying or recycling Lead Status and the loss', () => {
    const lost = [opp('006A', 'lost', 10 * DAY, { convertedLead: true })];
    expect(backToMarketingOf({ opportunities: lost })).toEqual({ since: 10 * DAY, class: 'lost' });
    expect(backToMarketingOf({ latestStatus: { class: 'recycled', changedAt: 20 * DAY }, opportunities: lost })).toEqual({ since: 20 * DAY, class: 'recycled' });
    expect(backToMarketingOf({ latestStatus: { class: 'accepted', changedAt: 5 * DAY }, opportunities: lost })).toEqual({ since: 10 * DAY, class: 'lost' });
    expect(backToMarketingOf({ latestStatus: { class: 'disqualified', changedAt: 5 * DAY }, opportunities: [] })).toEqual({ since: 5 * DAY, class: 'disqualified' });
    expect(backToMarketingOf({ latestStatus: { class: 'accepted', changedAt: 5 * DAY }, opportunities: [] })).toBeUndefined();
  });

  it('writes the lost lead status and moves the stage back (cleared first) like a recycled lead', () => {
    const plan = planContactWrites({
      contacts: [{ contactId: '7', backToMarketing: 'lost' }],
      current: new Map([['7', { lifecyclestage: 'opportunity', hs_lead_status: null }]]),
      mapping,
      connectorSetsLifecycle: false,
    });
    expect(plan).toEqual({ writes: [{ contactId: '7', properties: { hs_lead_status: 'BAD_TIMING', lifecyclestage: 'lead' } }], clearFirst: ['7'] });
  });
});
