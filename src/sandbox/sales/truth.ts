/**
 * The truth of a sales simulation: what the team did, as the feedback job's tests compare it with
 * what the job found. Lead and opportunity facts are recorded as the runner carries steps out;
 * the contacts an opportunity links to are worked out at the end from the org's records, by the
 * rules leadloop documents (converted lead; else contact roles by external ID, then email; else
 * the account website's domain against the handed-off leads' email and website domains; else
 * none) — written here independently of leadloop's own code.
 */
import type { SideDealKind } from './profile.ts';

export type LinkPath = 'converted-lead' | 'contact-role-external-id' | 'contact-role-email' | 'account-domain' | 'none';

export interface LeadTruth {
  /** The HubSpot contact id (the lead's external ID). */
  contactId: string;
  leadId: string;
  createdAt: number;
  rating: string | null;
  leadSource: string | null;
  detail: string | null;
  /** A rep took it from the queue (or from a non-rep owner) and became its owner. */
  pickedUp: { at: number; by: string } | null;
  /** The first touch: a completed call or email Task, or a meeting Event. */
  touched: { at: number; by: string; channel: 'call' | 'email' | 'meeting' } | null;
  /** Each status change sales made, in order (conversion is `converted`, status Closed - Converted). */
  statuses: { status: string; class: 'accepted' | 'disqualified' | 'recycled' | 'converted'; at: number; reason: string | null }[];
  accepted: boolean;
  disqualified: boolean;
  recycled: boolean;
  converted: { at: number; accountId: string; contactId: string; opportunityId: string | null } | null;
  /** Opportunities it is the converted lead of, and side deals it spawned. */
  opportunityIds: string[];
  /** A step could not be carried out (the lead was deleted or converted by someone else): the story stopped there. */
  interrupted: string | null;
}

export interface OpportunityTruth {
  opportunityId: string;
  name: string;
  accountId: string;
  /** `converted-lead`: created by converting a handed-off lead; otherwise a side deal of that kind. */
  origin: 'converted-lead' | SideDealKind;
  /** The handed-off lead it came from (converted) or was spawned by (side deal). */
  fromContactId: string;
  createdAt: number;
  /** How leadloop should link it, and the HubSpot contact ids it should find (sorted); `none` and [] when unlinked. */
  link: LinkPath;
  contactIds: string[];
  state: 'open' | 'won' | 'lost';
  /** Times it went from open to closed; reopened when it was opened again after a close. */
  timesClosed: number;
  reopened: boolean;
  closedAt: number | null;
  amount: number | null;
  /** CurrencyIsoCode in a multi-currency org; null in a single-currency one. */
  currency: string | null;
  /** Only when lost. */
  lossReason: string | null;
  /** Who beat us (only when lost): Competitor__c, else the only OpportunityCompetitor row. */
  competitor: string | null;
  /** Every competitor met as the records show it at the end (OpportunityCompetitor rows and Competitor__c), sorted. */
  competitorsMet: string[];
  hasContactRoles: boolean;
  deleted: boolean;
  /** The lead's LeadSource for a converted one; null for a side deal. */
  leadSource: string | null;
  /** Primary Campaign Source at the end (a converted lead's latest campaign, when leadloop made it a member of one). */
  campaignId: string | null;
}

export interface SourceTotals {
  leads: number;
  touched: number;
  accepted: number;
  disqualified: number;
  recycled: number;
  converted: number;
  /** Opportunities of converted leads of this source (side deals are not counted); won/lost/open leave deleted ones out. */
  opportunities: number;
  won: number;
  lost: number;
  open: number;
  deleted: number;
  /** Won amounts by currency (`corporate` in a single-currency org). */
  wonAmount: Record<string, number>;
}

export interface SalesTruth {
  seed: number;
  days: number;
  /** Where the clock stood when the simulation ended. */
  endedAt: number;
  leads: LeadTruth[];
  opportunities: OpportunityTruth[];
  /** By the lead's LeadSource (`(none)` when it has none). */
  bySource: Record<string, SourceTotals>;
  /** Side deals whose story stopped because a step could not be carried out (their opportunity deleted by someone else...). */
  sideDealProblems: string[];
}

/** A website or email domain, normalised as leadloop documents it ("https://www.Acme.com/x" → acme.com). */
export function domainOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  let text = value.trim().toLowerCase();
  text = text.slice(text.lastIndexOf('@') + 1);
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#]/, 1)[0] ?? '';
  text = text
    .replace(/:\d+$/, '')
    .replace(/^www\d?\./, '')
    .replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(text) ? text : undefined;
}

const emailOf = (value: unknown): string | undefined => {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return /^[^@\s]+@[^@\s]+$/.test(text) ? text : undefined;
};

type Row = Record<string, unknown>;

/** The org's records linking reads; contact roles include those deleted with their opportunity. */
export interface LinkRecords {
  leads: readonly Row[];
  contacts: readonly Row[];
  accounts: readonly Row[];
  contactRoles: readonly Row[];
}

/** How leadloop should link each opportunity to handed-off contacts (see the file's comment). */
export function linkOf(opportunity: { opportunityId: string; accountId: string }, records: LinkRecords, externalIdField = 'HubSpot_Contact_Id__c'): { link: LinkPath; contactIds: string[] } {
  const handedOff = records.leads.filter((l) => typeof l[externalIdField] === 'string' && l[externalIdField] !== '');
  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();
  const converted = handedOff.filter((l) => l.ConvertedOpportunityId === opportunity.opportunityId).map((l) => String(l[externalIdField]));
  if (converted.length > 0) return { link: 'converted-lead', contactIds: sorted(converted) };

  const found = new Map<string, LinkPath>();
  const roles = records.contactRoles.filter((r) => r.OpportunityId === opportunity.opportunityId).toSorted((a, b) => Number(b.IsPrimary === true) - Number(a.IsPrimary === true));
  for (const role of roles) {
    const contact = records.contacts.find((c) => c.Id === role.ContactId);
    const external = contact?.[externalIdField];
    if (typeof external === 'string' && external !== '') {
      if (!found.has(external)) found.set(external, 'contact-role-external-id');
      continue;
    }
    const email = emailOf(contact?.Email);
    for (const lead of handedOff) {
      const id = String(lead[externalIdField]);
      if (email && emailOf(lead.Email) === email && !found.has(id)) found.set(id, 'contact-role-email');
    }
  }
  if (found.size > 0) {
    const path = [...found.values()].includes('contact-role-external-id') ? 'contact-role-external-id' : 'contact-role-email';
    return { link: path, contactIds: sorted(found.keys()) };
  }

  const account = records.accounts.find((a) => a.Id === opportunity.accountId);
  const domain = domainOf(account?.Website);
  const byDomain = domain ? handedOff.filter((l) => domainOf(l.Email) === domain || domainOf(l.Website) === domain).map((l) => String(l[externalIdField])) : [];
  if (byDomain.length > 0) return { link: 'account-domain', contactIds: sorted(byDomain) };
  return { link: 'none', contactIds: [] };
}

const emptyTotals = (): SourceTotals => ({ leads: 0, touched: 0, accepted: 0, disqualified: 0, recycled: 0, converted: 0, opportunities: 0, won: 0, lost: 0, open: 0, deleted: 0, wonAmount: {} });

/** Totals per LeadSource of the handed-off leads and their converted opportunities. */
export function totalsBySource(leads: readonly LeadTruth[], opportunities: readonly OpportunityTruth[]): Record<string, SourceTotals> {
  const out: Record<string, SourceTotals> = {};
  const byId = new Map(opportunities.map((o) => [o.opportunityId, o]));
  for (const lead of leads) {
    const key = lead.leadSource ?? '(none)';
    const t = out[key] ?? emptyTotals();
    out[key] = t;
    t.leads += 1;
    if (lead.touched) t.touched += 1;
    if (lead.accepted) t.accepted += 1;
    if (lead.disqualified) t.disqualified += 1;
    if (lead.recycled) t.recycled += 1;
    if (!lead.converted?.opportunityId) continue;
    t.converted += 1;
    const o = byId.get(lead.converted.opportunityId);
    if (!o) continue;
    t.opportunities += 1;
    if (o.deleted) t.deleted += 1;
    else t[o.state] += 1;
    if (!o.deleted && o.state === 'won') {
      const currency = o.currency ?? 'corporate';
      t.wonAmount[currency] = (t.wonAmount[currency] ?? 0) + (o.amount ?? 0);
    }
  }
  return out;
}
