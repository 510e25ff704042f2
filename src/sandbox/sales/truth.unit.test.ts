import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../rng.ts';
import type { LeadFacts } from './plan.ts';
import { SALES_PROFILE } from './profile.ts';
import { type AccountPools, emailDomain, planSideDeal } from './side-deals.ts';
import { domainOf, type LeadTruth, type LinkRecords, linkOf, type OpportunityTruth, totalsBySource } from './truth.ts';

const leadRow = (contactId: string | null, email: string, extra: Record<string, unknown> = {}) => ({ Id: `lead-${contactId ?? email}`, HubSpot_Contact_Id__c: contactId, Email: email, ...extra });
const records = (over: Partial<LinkRecords> = {}): LinkRecords => ({
  leads: [
    leadRow('1', 'ann@acme.example'),
    leadRow('2', 'bob@acme.example', { Website: 'https://www.bobs.example/about' }),
    leadRow(null, 'eve@acme.example'),
    leadRow('3', 'cy@other.example', { ConvertedOpportunityId: 'opp-conv' }),
  ],
  contacts: [
    { Id: 'c-ann', Email: ' ANN@acme.example ' },
    { Id: 'c-ext', Email: 'nobody@x.example', HubSpot_Contact_Id__c: '99' },
    { Id: 'c-colleague', Email: 'carla@acme.example' },
  ],
  accounts: [
    { Id: 'acc-acme', Website: 'WWW.ACME.EXAMPLE' },
    { Id: 'acc-bobs', Website: 'bobs.example' },
    { Id: 'acc-none', Website: 'https://elsewhere.example/' },
    { Id: 'acc-blank', Website: null },
  ],
  contactRoles: [],
  ...over,
});
const role = (opportunityId: string, contactId: string, isPrimary = false) => ({ OpportunityId: opportunityId, ContactId: contactId, IsPrimary: isPrimary });

describe('domainOf', () => {
  it('normalises websites and emails as leadloop documents', () => {
    expect(domainOf('https://www.Acme.com/about?x=1')).toBe('acme.com');
    expect(domainOf('WWW.ACME.COM')).toBe('acme.com');
    expect(domainOf('http://acme.com:8080/')).toBe('acme.com');
    expect(domainOf('ann@Acme.com')).toBe('acme.com');
    expect(domainOf('localhost')).toBeUndefined();
    expect(domainOf(null)).toBeUndefined();
    expect(emailDomain('ann@Acme.com')).toBe('acme.com');
    expect(emailDomain('ann@')).toBeUndefined();
  });
});

describe('linkOf', () => {
  it('links a converted opportunity to its lead whatever else there is', () => {
    expect(linkOf({ opportunityId: 'opp-conv', accountId: 'acc-acme' }, records({ contactRoles: [role('opp-conv', 'c-ann', true)] }))).toEqual({ link: 'converted-lead', contactIds: ['3'] });
  });

  it("links by contact roles: a contact's external ID, else its email matched to a handed-off lead", () => {
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-none' }, records({ contactRoles: [role('o', 'c-ann')] }))).toEqual({ link: 'contact-role-email', contactIds: ['1'] });
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-none' }, records({ contactRoles: [role('o', 'c-ann'), role('o', 'c-ext', true)] }))).toEqual({
      link: 'contact-role-external-id',
      contactIds: ['1', '99'],
    });
  });

  it("falls back on the account's domain against handed-off leads' email and website domains, else none", () => {
    // A colleague's role finds nobody by email: the account's domain links every handed-off lead there (not the lead without an external ID).
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-acme' }, records({ contactRoles: [role('o', 'c-colleague', true)] }))).toEqual({ link: 'account-domain', contactIds: ['1', '2'] });
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-bobs' }, records())).toEqual({ link: 'account-domain', contactIds: ['2'] });
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-none' }, records())).toEqual({ link: 'none', contactIds: [] });
    expect(linkOf({ opportunityId: 'o', accountId: 'acc-blank' }, records())).toEqual({ link: 'none', contactIds: [] });
  });
});

describe('planSideDeal', () => {
  const lead: LeadFacts = { leadId: 'L', contactId: '1', createdAt: 0, ownerId: 'U', rating: 'Warm', leadSource: 'Web', detail: null, company: 'Acme', email: 'ann.lee@acme.example' };
  const pools: AccountPools = {
    byDomain: new Map([['acme.example', { id: 'acc-acme', name: 'Acme' }]]),
    matched: [{ id: 'acc-acme', name: 'Acme', domain: 'acme.example' }],
    unmatched: [{ id: 'acc-none', name: 'Elsewhere' }],
  };
  const plans = (p: AccountPools, l = lead) => Array.from({ length: 300 }, (_, i) => planSideDeal(new SeededRandom(i + 1), SALES_PROFILE, l, { pools: p, userId: 'U', days: 90 }));

  it('makes each kind of side deal, with a contact role only for the kinds that have one', () => {
    const all = plans(pools);
    expect(new Set(all.map((p) => p.kind))).toEqual(new Set(['contact-role-email', 'account-domain', 'account-domain-no-roles', 'no-link']));
    for (const p of all) {
      expect(p.create.at).toBeLessThanOrEqual(0.6 * 90 * 86_400_000);
      if (p.kind === 'contact-role-email') expect(p.create.contactRole?.contact.Email).toBe('ann.lee@acme.example');
      if (p.kind === 'account-domain') {
        expect(p.create.account).toEqual({ id: 'acc-acme', name: 'Acme' });
        expect(p.create.contactRole?.contact.Email).toMatch(/@acme\.example$/);
        expect(p.create.contactRole?.contact.Email).not.toBe('ann.lee@acme.example');
      }
      if (p.kind === 'account-domain-no-roles' || p.kind === 'no-link') expect(p.create.contactRole).toBeNull();
      if (p.kind === 'no-link') expect(p.create.account).toEqual({ id: 'acc-none', name: 'Elsewhere' });
    }
  });

  it('falls back to no link when the org has no account at a handed-off domain, and creates an account when it has none at all', () => {
    const bare = plans({ byDomain: new Map(), matched: [], unmatched: [] }, { ...lead, email: null });
    expect(new Set(bare.map((p) => p.kind))).toEqual(new Set(['no-link']));
    for (const p of bare) expect(p.create.account).toHaveProperty('create');
  });
});

describe('totalsBySource', () => {
  it('counts leads and their converted opportunities per LeadSource, leaving deleted ones out of won, lost and open', () => {
    const base: LeadTruth = {
      contactId: '1',
      leadId: 'L1',
      createdAt: 0,
      rating: 'Hot',
      leadSource: 'Trade Show',
      detail: null,
      pickedUp: null,
      touched: { at: 1, by: 'U', channel: 'call' },
      statuses: [],
      accepted: true,
      disqualified: false,
      recycled: false,
      converted: { at: 2, accountId: 'A', contactId: 'C', opportunityId: 'O1' },
      opportunityIds: ['O1'],
      interrupted: null,
    };
    const opp = (id: string, over: Partial<OpportunityTruth>): OpportunityTruth => ({
      opportunityId: id,
      name: id,
      accountId: 'A',
      origin: 'converted-lead',
      fromContactId: '1',
      createdAt: 2,
      link: 'converted-lead',
      contactIds: ['1'],
      state: 'won',
      timesClosed: 1,
      reopened: false,
      closedAt: 3,
      amount: 1000,
      currency: 'EUR',
      lossReason: null,
      competitor: null,
      competitorsMet: [],
      hasContactRoles: true,
      deleted: false,
      leadSource: 'Trade Show',
      campaignId: null,
      ...over,
    });
    const leads = [
      base,
      { ...base, contactId: '2', converted: { ...base.converted!, opportunityId: 'O2' } },
      { ...base, contactId: '3', converted: null, accepted: false, disqualified: true },
      { ...base, contactId: '4', leadSource: null, touched: null, converted: null, accepted: false },
    ];
    const totals = totalsBySource(leads, [opp('O1', {}), opp('O2', { deleted: true }), opp('S', { origin: 'no-link', leadSource: null })]);
    expect(totals['Trade Show']).toEqual({
      leads: 3,
      touched: 3,
      accepted: 2,
      disqualified: 1,
      recycled: 0,
      converted: 2,
      opportunities: 2,
      won: 1,
      lost: 0,
      open: 0,
      deleted: 1,
      wonAmount: { EUR: 1000 },
    });
    expect(totals['(none)']).toMatchObject({ leads: 1, touched: 0, won: 0 });
  });
});
