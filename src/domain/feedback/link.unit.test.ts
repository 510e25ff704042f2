import { describe, expect, it } from 'vitest';
import { emailKey } from './contact-keys.ts';
import { linkOpportunity } from './link.ts';
import { opportunity } from './test-fixtures.ts';
import type { ContactRole, LinkEvidence } from './types.ts';

const role = (overrides: Partial<ContactRole>): ContactRole => ({ contactId: '003000000000001AAA', role: 'Decision Maker', isPrimary: false, externalId: null, email: null, ...overrides });
const key = (email: string) => emailKey(email)!;
const evidence = (overrides: Partial<LinkEvidence> = {}): LinkEvidence => ({ convertedLeads: new Map(), handedOffByEmail: new Map(), handedOffByDomain: new Map(), ...overrides });
const opp = opportunity();

describe('linkOpportunity', () => {
  it("links the converted lead's external ID first, and stops there", () => {
    const withRoles = opportunity({ contactRoles: [role({ externalId: '7001', isPrimary: true })] });
    const links = linkOpportunity(
      withRoles,
      evidence({
        convertedLeads: new Map([[withRoles.opportunityId, [{ leadId: '00Q1', externalId: '5101' }]]]),
        handedOffByDomain: new Map([['globex.example', ['5101', '5102']]]),
      }),
    );
    expect(links).toEqual({ kind: 'linked', path: 'converted-lead', contacts: [{ contactId: '5101', path: 'converted-lead' }] });
  });

  it('links every contact role: by its external ID, else its email matched to a handed-off contact', () => {
    const withRoles = opportunity({
      contactRoles: [
        role({ contactId: '003A', email: 'Ann@Globex.example ' }),
        role({ contactId: '003B', externalId: '7001', isPrimary: true, email: 'bob@globex.example' }),
        role({ contactId: '003C', email: 'nobody@globex.example' }),
      ],
    });
    const links = linkOpportunity(withRoles, evidence({ handedOffByEmail: new Map([[key('ann@globex.example'), ['5201', '5202']]]) }));
    expect(links).toEqual({
      kind: 'linked',
      path: 'contact-role-external-id',
      contacts: [
        { contactId: '7001', path: 'contact-role-external-id' },
        { contactId: '5201', path: 'contact-role-email' },
        { contactId: '5202', path: 'contact-role-email' },
      ],
    });
  });

  it('says contact-role-email when only emails matched', () => {
    const withRoles = opportunity({ contactRoles: [role({ email: 'ann@globex.example' })] });
    expect(linkOpportunity(withRoles, evidence({ handedOffByEmail: new Map([[key('ann@globex.example'), ['5201']]]) }))).toMatchObject({ kind: 'linked', path: 'contact-role-email' });
  });

  it("falls back on the contacts handed off at the account's website domain", () => {
    const withRoles = opportunity({ contactRoles: [role({ email: 'stranger@globex.example' })] });
    expect(linkOpportunity(withRoles, evidence({ handedOffByDomain: new Map([['globex.example', ['5301', '5302']]]) }))).toEqual({
      kind: 'linked',
      path: 'account-domain',
      contacts: [
        { contactId: '5301', path: 'account-domain' },
        { contactId: '5302', path: 'account-domain' },
      ],
    });
  });

  it('is unlinked when nothing matches, the account has no website, or a converted lead carries no external ID', () => {
    expect(linkOpportunity(opp, evidence())).toEqual({ kind: 'unlinked' });
    expect(linkOpportunity(opportunity({ accountWebsite: null }), evidence({ handedOffByDomain: new Map([['globex.example', ['5301']]]) }))).toEqual({ kind: 'unlinked' });
    expect(linkOpportunity(opportunity({ accountWebsite: null }), evidence({ convertedLeads: new Map([[opp.opportunityId, [{ leadId: '00Q1', externalId: null }]]]) }))).toEqual({
      kind: 'unlinked',
    });
  });

  it('never links an erased contact, and tries the next path when it was the only one', () => {
    const links = linkOpportunity(
      opp,
      evidence({
        convertedLeads: new Map([[opp.opportunityId, [{ leadId: '00Q1', externalId: '5101' }]]]),
        handedOffByDomain: new Map([['globex.example', ['5101', '5102']]]),
        erased: new Set(['5101']),
      }),
    );
    expect(links).toEqual({ kind: 'linked', path: 'account-domain', contacts: [{ contactId: '5102', path: 'account-domain' }] });
  });

  it('links one contact to several opportunities, and a deleted opportunity like any other', () => {
    const second = opportunity({ opportunityId: '006000000000002AAA', isDeleted: true });
    const ev = evidence({
      convertedLeads: new Map([
        [opp.opportunityId, [{ leadId: '00Q1', externalId: '5101' }]],
        [second.opportunityId, [{ leadId: '00Q2', externalId: '5101' }]],
      ]),
    });
    expect(linkOpportunity(opp, ev)).toMatchObject({ contacts: [{ contactId: '5101' }] });
    expect(linkOpportunity(second, ev)).toMatchObject({ contacts: [{ contactId: '5101' }] });
  });

  it('lists a contact once though two roles or two converted leads name it', () => {
    const withRoles = opportunity({ contactRoles: [role({ externalId: '7001' }), role({ contactId: '003B', externalId: '7001' })] });
    expect(linkOpportunity(withRoles, evidence())).toMatchObject({ contacts: [{ contactId: '7001' }] });
  });
});
