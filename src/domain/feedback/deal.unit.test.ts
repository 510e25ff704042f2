import { describe, expect, it } from 'vitest';
import { dealContent, dealFingerprint } from './deal.ts';
import { dealWrite } from './plan-hubspot.ts';
import { outcomeOf } from './outcome.ts';
import { opportunityRecord } from './record.ts';
import { opportunity } from './test-fixtures.ts';
import type { OpportunityLinks } from './types.ts';

const links: OpportunityLinks = {
  kind: 'linked',
  path: 'converted-lead',
  contacts: [
    { contactId: '5102', path: 'converted-lead' },
    { contactId: '5101', path: 'converted-lead' },
  ],
};
const won = opportunity({ isClosed: true, isWon: true, currency: 'EUR', amount: 50_000 });
const mapping = {
  deal: {
    salesforce_id_property: 'leadloop_salesforce_opportunity_id',
    pipeline: 'default',
    stages: { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' },
    competitor_property: 'leadloop_competitor',
  },
};
const fingerprintOf = (o = won, l = links, companies: ReadonlyMap<string, string> = new Map()) => dealFingerprint(dealWrite(dealContent(o, outcomeOf(o, []), l), mapping, companies));

describe('the HubSpot deal of an opportunity', () => {
  it('carries the outcome, amount, currency, close date, loss reason, competitor and contacts (sorted)', () => {
    expect(dealContent(won, outcomeOf(won, []), links)).toEqual({
      opportunityId: won.opportunityId,
      name: 'Globex — platform',
      outcome: 'won',
      amount: 50_000,
      currency: 'EUR',
      closeDate: '2026-12-31',
      lossReason: null,
      competitor: null,
      contactIds: ['5101', '5102'],
      archived: false,
    });
    expect(dealContent(won, outcomeOf(won, []), { kind: 'unlinked' }).contactIds).toEqual([]);
  });

  it('has the same fingerprint when nothing it carries changed, whatever the order of the contacts', () => {
    const reordered: OpportunityLinks = { kind: 'linked', path: 'converted-lead', contacts: links.kind === 'linked' ? links.contacts.toReversed() : [] };
    expect(fingerprintOf()).toBe(fingerprintOf(won, reordered));
    // Fields the deal does not carry (a stage name within the same outcome, SystemModstamp) change nothing.
    expect(fingerprintOf(opportunity({ ...won, stage: 'Closed Won (renewal)', systemModstamp: 1 }))).toBe(fingerprintOf());
    expect(fingerprintOf()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('changes with anything the deal carries', () => {
    const base = fingerprintOf();
    const variants = [
      fingerprintOf(opportunity({ ...won, amount: 50_001 })),
      fingerprintOf(opportunity({ ...won, currency: 'USD' })),
      fingerprintOf(opportunity({ ...won, closeDate: '2027-01-01' })),
      fingerprintOf(opportunity({ ...won, isWon: false, lossReason: 'Price' })),
      fingerprintOf(won, links, new Map([['5101', '9001']])),
      fingerprintOf(opportunity({ ...won, name: 'Globex — renewal' })),
      fingerprintOf(won, { kind: 'linked', path: 'converted-lead', contacts: [{ contactId: '5101', path: 'converted-lead' }] }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('opportunityRecord', () => {
  it('links, attributes and reads the outcome of one opportunity', () => {
    const record = opportunityRecord(
      won,
      [],
      { convertedLeads: new Map([[won.opportunityId, [{ leadId: '00Q1', externalId: '5101' }]]]), handedOffByEmail: new Map(), handedOffByDomain: new Map() },
      new Map([['5101', { contactId: '5101', handedOffAt: 1, source: 'trade_show', campaign: 'Summit' }]]),
    );
    expect(record).toMatchObject({ links: { kind: 'linked', path: 'converted-lead' }, attribution: { source: 'trade_show', campaign: 'Summit' }, outcome: { state: 'won', currency: 'EUR' } });
  });
});
