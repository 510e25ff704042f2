import type { MappingConfig } from '../config/mapping.ts';
import { type DealContent, dealFingerprint } from './deal.ts';
import type { DealWrite, Outcome } from './types.ts';

/** HubSpot's default lifecycle stages, earliest first: a contact is only ever moved later in this list. */
export const LIFECYCLE_ORDER = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] as const;

/**
 * The stage to write, or undefined when the contact must stay where it is: HubSpot refuses to move
 * a lifecycle stage backwards, and a stage that is not one of HubSpot's defaults (a portal's own)
 * has no known place in the order, so it is left alone.
 */
export function lifecycleForward(current: string | null | undefined, target: string): string | undefined {
  const order = LIFECYCLE_ORDER as readonly string[];
  const to = order.indexOf(target);
  if (to < 0) return undefined;
  if (!current) return target;
  const from = order.indexOf(current);
  return from >= 0 && from < to ? target : undefined;
}

/** The deal properties, contacts and companies of one opportunity's HubSpot deal. */
export function dealWrite(content: DealContent, mapping: Pick<MappingConfig, 'deal'>, companyOf: ReadonlyMap<string, string>): DealWrite {
  const deal = mapping.deal;
  const properties: Record<string, string> = {
    [deal.salesforce_id_property]: content.opportunityId,
    dealname: content.name,
    pipeline: deal.pipeline,
    dealstage: deal.stages[content.outcome],
    // Blank values clear what an earlier write set (a reopened deal loses its loss reason).
    amount: content.amount === null ? '' : String(content.amount),
    closedate: content.closeDate ? `${content.closeDate}T00:00:00.000Z` : '',
    closed_lost_reason: content.lossReason ?? '',
    [deal.competitor_property]: content.competitor ?? '',
  };
  // HubSpot's deal currency exists only where the portal has several currencies: sent only when Salesforce has one per record.
  if (content.currency) properties.deal_currency_code = content.currency;
  const companyIds = [...new Set(content.contactIds.map((c) => companyOf.get(c)).filter((c): c is string => c !== undefined))].sort();
  return { opportunityId: content.opportunityId, properties, contactIds: content.contactIds, companyIds };
}

/** What the deals of a page of opportunities need: created, updated, archived, or left as they are. */
export interface DealPlan {
  create: DealWrite[];
  update: DealWrite[];
  /** Opportunities deleted in Salesforce whose deal leadloop wrote: the deal is archived. */
  archive: string[];
  /** The fingerprint each written deal will carry, to store once the write succeeded. */
  fingerprints: Map<string, string>;
  skipped: { opportunityId: string; reason: 'unchanged' | 'unlinked' | 'connector-syncs-deals' | 'deleted-never-written' | 'currency-not-in-portal'; currency?: string }[];
}

/**
 * Plans the HubSpot deals of opportunities: one per opportunity that links to a HubSpot contact.
 * An opportunity whose deal the ledger says was written is updated, else created; nothing is
 * planned when the fingerprint of what the deal would carry equals the one last written (a rerun
 * writes nothing). A deleted opportunity's deal is archived. Where HubSpot's own Salesforce
 * connector already makes deals of opportunities, leadloop makes none. An opportunity in a
 * currency the portal has not set up gets no deal (its amount would be read in the wrong
 * currency): it is skipped with that reason, for a person to add the currency.
 */
export function planDeals(input: {
  contents: readonly DealContent[];
  written: ReadonlyMap<string, string>;
  companyOf: ReadonlyMap<string, string>;
  mapping: Pick<MappingConfig, 'deal'>;
  connectorSyncsDeals: boolean;
  /** The currencies the HubSpot portal has (deal_currency_code's options); undefined: not known, not checked. */
  portalCurrencies?: ReadonlySet<string>;
}): DealPlan {
  const plan: DealPlan = { create: [], update: [], archive: [], fingerprints: new Map(), skipped: [] };
  for (const content of input.contents) {
    const id = content.opportunityId;
    if (input.connectorSyncsDeals) {
      plan.skipped.push({ opportunityId: id, reason: 'connector-syncs-deals' });
      continue;
    }
    const last = input.written.get(id);
    if (content.archived) {
      if (last === undefined) plan.skipped.push({ opportunityId: id, reason: 'deleted-never-written' });
      else if (last === ARCHIVED) plan.skipped.push({ opportunityId: id, reason: 'unchanged' });
      else {
        plan.archive.push(id);
        plan.fingerprints.set(id, ARCHIVED);
      }
      continue;
    }
    if (content.contactIds.length === 0) {
      plan.skipped.push({ opportunityId: id, reason: 'unlinked' });
      continue;
    }
    if (content.currency && input.portalCurrencies && !input.portalCurrencies.has(content.currency)) {
      plan.skipped.push({ opportunityId: id, reason: 'currency-not-in-portal', currency: content.currency });
      continue;
    }
    const write = dealWrite(content, input.mapping, input.companyOf);
    const fingerprint = dealFingerprint(write);
    if (last === fingerprint) {
      plan.skipped.push({ opportunityId: id, reason: 'unchanged' });
      continue;
    }
    (last === undefined || last === ARCHIVED ? plan.create : plan.update).push(write);
    plan.fingerprints.set(id, fingerprint);
  }
  return plan;
}

/** The fingerprint the ledger keeps for a deal leadloop archived. */
export const ARCHIVED = 'archived';

/** One opportunity as a contact's summary reads it. */
export interface ContactOpportunity {
  opportunityId: string;
  outcome: Outcome['state'];
  amount: number | null;
  currency: string | null;
  lossReason: string | null;
  competitor: string | null;
  closedAt: number | null;
  deleted: boolean;
  /** Linked to the contact through its own lead, converted into this opportunity (link path converted-lead). */
  convertedLead?: boolean;
}

/** What the contact's outcome properties say. */
export interface ContactSummary {
  outcome: 'won' | 'lost' | '';
  amount: string;
  lossReason: string;
  competitor: string;
}

/**
 * A contact's outcome over every opportunity it is linked to (deleted ones left out): won when any
 * was won (the amount is the sum of the won amounts when they share a currency, else the latest
 * win's); lost when one was lost and none is won or still open (the latest loss's reason and
 * competitor); else nothing yet.
 */
export function contactSummary(opportunities: readonly ContactOpportunity[]): ContactSummary {
  const live = opportunities.filter((o) => !o.deleted);
  const latestFirst = (a: ContactOpportunity, b: ContactOpportunity) => (b.closedAt ?? 0) - (a.closedAt ?? 0) || (a.opportunityId < b.opportunityId ? 1 : -1);
  const won = live.filter((o) => o.outcome === 'won').toSorted(latestFirst);
  if (won.length > 0) {
    const currencies = new Set(won.map((o) => o.currency ?? ''));
    const amount = currencies.size === 1 ? won.reduce((sum, o) => sum + (o.amount ?? 0), 0) : (won[0]!.amount ?? 0);
    return { outcome: 'won', amount: String(amount), lossReason: '', competitor: '' };
  }
  const lost = live.filter((o) => o.outcome === 'lost').toSorted(latestFirst);
  if (lost.length > 0 && !live.some((o) => o.outcome === 'open')) {
    const latest = lost[0]!;
    return { outcome: 'lost', amount: latest.amount === null ? '' : String(latest.amount), lossReason: latest.lossReason ?? '', competitor: latest.competitor ?? '' };
  }
  return { outcome: '', amount: '', lossReason: '', competitor: '' };
}

/** What moves a contact's lifecycle stage: sales accepted it, it has an opportunity, one was won. */
export type LifecycleReason = 'accepted' | 'opportunity' | 'won';

/** Why a contact goes back to marketing: sales disqualified or recycled its lead, or lost every opportunity its converted lead led to. */
export type BackToMarketing = 'disqualified' | 'recycled' | 'lost';

/**
 * A converted lead's Status never changes again, so a contact whose lead sales converted goes
 * back to marketing by its opportunities: when it is linked through its converted lead, and every
 * opportunity it is linked to (deleted ones left out) is closed and none was won, it is given
 * back when the last of them was lost. Undefined: it is not (an opportunity open or won, or no
 * converted lead).
 */
export function lostAfterConversion(opportunities: readonly ContactOpportunity[]): { since: number } | undefined {
  const live = opportunities.filter((o) => !o.deleted);
  if (!live.some((o) => o.convertedLead) || !live.every((o) => o.outcome === 'lost')) return undefined;
  const closed = live.flatMap((o) => (o.closedAt === null ? [] : [o.closedAt]));
  return closed.length === live.length ? { since: Math.max(...closed) } : undefined;
}

/**
 * Whether a contact stands given back to marketing, why and since when: its latest Lead Status
 * change disqualified or recycled it, or the opportunities of its converted lead were all lost
 * (lostAfterConversion); the later of the two where both hold. A contact that qualifies again is
 * handed off again once mapping.yaml's cool-down has passed since then.
 */
export function backToMarketingOf(input: {
  latestStatus?: { class: 'accepted' | 'disqualified' | 'recycled' | 'open'; changedAt: number };
  opportunities: readonly ContactOpportunity[];
}): { since: number; class: BackToMarketing } | undefined {
  const status = input.latestStatus;
  const byStatus = status && (status.class === 'disqualified' || status.class === 'recycled') ? { since: status.changedAt, class: status.class } : undefined;
  const lost = lostAfterConversion(input.opportunities);
  const byLoss = lost ? { since: lost.since, class: 'lost' as const } : undefined;
  if (byStatus && byLoss) return byLoss.since > byStatus.since ? byLoss : byStatus;
  return byStatus ?? byLoss;
}

// A contact that bought stays where it is, whatever becomes of a later lead.
const BOUGHT = new Set(['customer', 'evangelist']);

/**
 * The contact property writes of the feedback: each contact's outcome properties, and its
 * lifecycle stage moved forward for the furthest reason it has — only what differs from what
 * HubSpot holds now, so a rerun writes nothing. Lifecycle is left alone where HubSpot's own
 * connector moves it. A contact going back to marketing gets mapping.yaml's `back_to_marketing`
 * stage and HubSpot lead status; HubSpot refuses to move a stage backwards unless it is cleared
 * first, in a request of its own, so those contacts are listed in `clearFirst`.
 */
export function planContactWrites(input: {
  contacts: readonly { contactId: string; summary?: ContactSummary; lifecycle?: LifecycleReason; backToMarketing?: BackToMarketing }[];
  current: ReadonlyMap<string, Record<string, string | null>>;
  mapping: Pick<MappingConfig, 'hubspot_writeback' | 'lifecycle_stage' | 'back_to_marketing'>;
  connectorSetsLifecycle: boolean;
}): { writes: { contactId: string; properties: Record<string, string> }[]; clearFirst: string[] } {
  const w = input.mapping.hubspot_writeback;
  const writes: { contactId: string; properties: Record<string, string> }[] = [];
  const clearFirst: string[] = [];
  const order = LIFECYCLE_ORDER as readonly string[];
  for (const contact of input.contacts) {
    const now = input.current.get(contact.contactId);
    // A contact HubSpot no longer has (deleted, merged away) is not written.
    if (!now) continue;
    const wanted: Record<string, string> = {};
    if (contact.summary) {
      wanted[w.outcome] = contact.summary.outcome;
      wanted[w.outcome_amount] = contact.summary.amount;
      wanted[w.loss_reason] = contact.summary.lossReason;
      wanted[w.competitor] = contact.summary.competitor;
    }
    const stage = now.lifecyclestage ?? '';
    if (contact.backToMarketing && !BOUGHT.has(stage)) {
      const back = input.mapping.back_to_marketing;
      wanted.hs_lead_status = back.lead_status[contact.backToMarketing];
      if (!input.connectorSetsLifecycle && stage !== back.lifecycle_stage) {
        wanted.lifecyclestage = back.lifecycle_stage;
        // Later in HubSpot's order, or a stage of the portal's own: cleared first.
        if (stage && !(order.indexOf(stage) >= 0 && order.indexOf(stage) < order.indexOf(back.lifecycle_stage))) clearFirst.push(contact.contactId);
      }
    } else if (contact.lifecycle && !input.connectorSetsLifecycle) {
      const next = lifecycleForward(now.lifecyclestage, input.mapping.lifecycle_stage[contact.lifecycle]);
      if (next) wanted.lifecyclestage = next;
    }
    const changed = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => (now[name] ?? '') !== value));
    if (Object.keys(changed).length > 0) writes.push({ contactId: contact.contactId, properties: changed });
  }
  return { writes: writes.toSorted((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0)), clearFirst: clearFirst.sort() };
}

/** The properties a contact's feedback write compares against (read from HubSpot before planning). */
export function contactPropertiesRead(mapping: Pick<MappingConfig, 'hubspot_writeback'>): string[] {
  const w = mapping.hubspot_writeback;
  return ['lifecyclestage', 'hs_lead_status', w.outcome, w.outcome_amount, w.loss_reason, w.competitor];
}
