import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeOpportunity, sourceOfCampaignType } from './attribute.ts';
import { tallyOutcomes } from './tally.ts';
import type { EarliestHandoff, OpportunityLinks } from './types.ts';

const t = (iso: string) => Date.parse(iso);
const handoffs = new Map<string, EarliestHandoff>([
  ['5101', { contactId: '5101', handedOffAt: t('2026-10-01T09:00:00Z'), source: 'trade_show', campaign: 'SaaStr Europa 2026' }],
  ['5102', { contactId: '5102', handedOffAt: t('2026-09-15T09:00:00Z'), source: 'webinar', campaign: 'Pipeline webinar' }],
  ['5103', { contactId: '5103', handedOffAt: t('2026-08-01T09:00:00Z'), source: 'paid_ads', campaign: null }],
]);
const linked = (...ids: string[]): OpportunityLinks => ({ kind: 'linked', path: 'contact-role-email', contacts: ids.map((contactId) => ({ contactId, path: 'contact-role-email' as const })) });

describe('attributeOpportunity', () => {
  it('counts for the Primary Campaign Source (by name when known) and the earliest hand-off’s source', () => {
    const campaigns = new Map([['701A', { name: 'Web Summit 2026', type: 'Trade Show' }]]);
    expect(attributeOpportunity({ campaignId: '701A' }, linked('5101', '5102'), handoffs, campaigns)).toEqual({
      source: 'webinar',
      sourceVia: 'earliest-handoff',
      campaign: 'Web Summit 2026',
      campaignId: '701A',
      campaignVia: 'primary-campaign-source',
      handoff: { contactId: '5102', handedOffAt: t('2026-09-15T09:00:00Z') },
    });
    expect(attributeOpportunity({ campaignId: '701B' }, linked('5101'), handoffs, campaigns)).toMatchObject({ campaign: '701B', campaignId: '701B' });
  });

  it('without a primary campaign, counts for the earliest hand-off among its linked contacts', () => {
    expect(attributeOpportunity({ campaignId: null }, linked('5101', '5102'), handoffs)).toMatchObject({
      source: 'webinar',
      campaign: 'Pipeline webinar',
      campaignVia: 'earliest-handoff',
      handoff: { contactId: '5102' },
    });
    // The earliest hand-off had no campaign: no campaign, though a later one has.
    expect(attributeOpportunity({ campaignId: null }, linked('5101', '5103'), handoffs)).toMatchObject({ source: 'paid_ads', campaign: null, campaignVia: 'none' });
  });

  it("takes the campaign's type as source when no linked contact was handed off", () => {
    const campaigns = new Map([['701A', { name: 'Web Summit 2026', type: 'Trade Show' }]]);
    expect(attributeOpportunity({ campaignId: '701A' }, { kind: 'unlinked' }, handoffs, campaigns)).toEqual({
      source: 'Trade Show',
      sourceVia: 'campaign-type',
      campaign: 'Web Summit 2026',
      campaignId: '701A',
      campaignVia: 'primary-campaign-source',
      handoff: null,
    });
    expect(attributeOpportunity({ campaignId: null }, { kind: 'unlinked' }, handoffs)).toEqual({
      source: null,
      sourceVia: 'none',
      campaign: null,
      campaignId: null,
      campaignVia: 'none',
      handoff: null,
    });
    expect(attributeOpportunity({ campaignId: null }, linked('9999'), handoffs)).toMatchObject({ source: null, handoff: null });
  });

  it('breaks a tie between hand-offs at the same moment by contact id, whatever the order', () => {
    const same = new Map<string, EarliestHandoff>([
      ['b', { contactId: 'b', handedOffAt: 1, source: 'webinar', campaign: null }],
      ['a', { contactId: 'a', handedOffAt: 1, source: 'trade_show', campaign: null }],
    ]);
    expect(attributeOpportunity({ campaignId: null }, linked('b', 'a'), same).source).toBe('trade_show');
    expect(attributeOpportunity({ campaignId: null }, linked('a', 'b'), same).source).toBe('trade_show');
  });

  it('counts each opportunity exactly once per dimension, however its contacts and their opportunities overlap (property)', () => {
    const contactIds = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const sources = ['trade_show', 'webinar', 'paid_ads', null];
    const arbHandoffs = fc.dictionary(
      fc.constantFrom(...contactIds),
      fc.record({ handedOffAt: fc.integer({ min: 0, max: 100 }), source: fc.constantFrom(...sources), campaign: fc.constantFrom('Show A', 'Webinar B', null) }),
    );
    const arbOpp = fc.record({
      campaignId: fc.constantFrom(null, '701A', '701B'),
      contacts: fc.uniqueArray(fc.constantFrom(...contactIds), { maxLength: 5 }),
      state: fc.constantFrom('open', 'won', 'lost'),
      deleted: fc.boolean(),
      amount: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    });
    fc.assert(
      fc.property(arbHandoffs, fc.array(arbOpp, { maxLength: 30 }), (raw, opps) => {
        const hs = new Map(Object.entries(raw).map(([id, h]) => [id, { contactId: id, ...h }]));
        const campaigns = new Map([['701A', { name: 'Summit', type: 'Trade Show' }]]);
        const attributed = opps.map((o, i) => {
          const links: OpportunityLinks = o.contacts.length ? linked(...o.contacts) : { kind: 'unlinked' };
          const a = attributeOpportunity({ campaignId: o.campaignId }, links, hs, campaigns);
          // The order contacts are listed in never changes the answer.
          expect(attributeOpportunity({ campaignId: o.campaignId }, o.contacts.length ? linked(...o.contacts.toReversed()) : links, hs, campaigns)).toEqual(a);
          // A primary campaign always decides the campaign; the hand-off used is one of the linked contacts'.
          if (o.campaignId) expect(a.campaignId).toBe(o.campaignId);
          if (a.handoff) expect(o.contacts).toContain(a.handoff.contactId);
          return { opportunityId: `006-${i}`, outcome: { state: o.state, amount: o.amount, currency: null, deleted: o.deleted }, attribution: a };
        });
        const { bySource, byCampaign } = tallyOutcomes(attributed);
        const live = opps.filter((o) => !o.deleted).length;
        const sum = (m: Map<string, { opportunities: number }>) => [...m.values()].reduce((n, f) => n + f.opportunities, 0);
        expect(sum(bySource)).toBe(live);
        expect(sum(byCampaign)).toBe(live);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sourceOfCampaignType', () => {
  const fields = [{ salesforce: 'LeadSource', values: { trade_show: 'Trade Show', event: 'Trade Show', webinar: 'Webinar' } }];
  it('speaks the hand-offs’ source words: the first lead_source value mapped to that LeadSource, any case', () => {
    expect(sourceOfCampaignType('Trade Show', fields)).toBe('trade_show');
    expect(sourceOfCampaignType('webinar ', fields)).toBe('webinar');
    expect(sourceOfCampaignType('Partners', fields)).toBe('Partners');
    expect(sourceOfCampaignType(null, fields)).toBeNull();
    expect(sourceOfCampaignType('Trade Show', [])).toBe('Trade Show');
  });
});
