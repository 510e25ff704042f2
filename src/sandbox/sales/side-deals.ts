/**
 * Opportunities leadloop never handed off: sales opens them on accounts it already had, so the
 * feedback job must find their people another way or list them as unlinked. Each is spawned by a
 * handed-off lead (the person or company it is about) and is one of four kinds:
 * - `contact-role-email`: a Contact sales entered for the same person (the lead's email), in a
 *   contact role — leadloop links it by the role's email;
 * - `account-domain`: on the Account whose website is the lead's email domain (or, when the org
 *   has none, another handed-off lead's), a colleague (same domain, another email) in a contact
 *   role — linked by the account's domain;
 * - `account-domain-no-roles`: such an account, no contact roles at all — linked by domain;
 * - `no-link`: an account at no handed-off domain, no contact roles — unlinked.
 * A kind whose account does not exist falls back to `no-link`. Pure, as plan.ts.
 */
import type { SeededRandom } from '../rng.ts';
import { currencyOf, DAY, type LeadFacts, type OpportunityStep, planOpportunity } from './plan.ts';
import type { SalesTeamProfile, SideDealKind } from './profile.ts';

export interface AccountRef {
  id: string;
  name: string;
}

/** The accounts the org had before the simulation: by their website's domain, those at a handed-off lead's domain, and those at none. */
export interface AccountPools {
  byDomain: ReadonlyMap<string, AccountRef>;
  matched: readonly (AccountRef & { domain: string })[];
  unmatched: readonly AccountRef[];
}

export interface NewContact {
  FirstName: string;
  LastName: string;
  Email: string;
}

export interface SideDealPlan {
  kind: SideDealKind;
  /** The lead that spawned it (its HubSpot contact id). */
  spawnedBy: string;
  create: {
    at: number;
    userId: string;
    /** An existing account, or one sales creates for it. */
    account: AccountRef | { create: { Name: string; Website: string | null } };
    name: string;
    amount: number;
    currency: string | null;
    /** The contact in its (primary) contact role, created on its account; none for the kinds without roles. */
    contactRole: { contact: NewContact; role: string } | null;
  };
  steps: OpportunityStep[];
}

const COLLEAGUES: [string, string][] = [
  ['Morgan', 'Reyes'],
  ['Sam', 'Lindqvist'],
  ['Alex', 'Novak'],
  ['Robin', 'Achebe'],
  ['Jordan', 'Takahashi'],
  ['Casey', 'Moreau'],
];

/** The domain of an email address, lower-cased; undefined for a malformed one. */
export function emailDomain(email: string | null | undefined): string | undefined {
  const match = /^[^@\s]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i.exec(email?.trim() ?? '');
  return match?.[1]?.toLowerCase();
}

export function planSideDeal(r: SeededRandom, profile: SalesTeamProfile, lead: LeadFacts, input: { pools: AccountPools; userId: string; days: number; currencies?: readonly string[] }): SideDealPlan {
  const end = lead.createdAt + input.days * DAY;
  const at = lead.createdAt + r.next() * 0.6 * input.days * DAY;
  const domain = emailDomain(lead.email);
  const atDomain = domain ? input.pools.byDomain.get(domain) : undefined;
  let kind = r.weighted(profile.sideDeals.kinds);
  const matched = atDomain && domain ? { ...atDomain, domain } : input.pools.matched.length > 0 ? r.pick(input.pools.matched) : undefined;
  if ((kind === 'account-domain' || kind === 'account-domain-no-roles') && !matched) kind = 'no-link';
  if (kind === 'contact-role-email' && !domain) kind = 'no-link';

  const other = (): SideDealPlan['create']['account'] =>
    input.pools.unmatched.length > 0 ? r.pick(input.pools.unmatched) : { create: { Name: `Northwind Outfitters ${lead.contactId}`, Website: `northwind-${lead.contactId}.example` } };
  const account = kind === 'no-link' ? other() : kind === 'contact-role-email' ? (atDomain ?? other()) : { id: matched!.id, name: matched!.name };
  let contactRole: SideDealPlan['create']['contactRole'] = null;
  if (kind === 'contact-role-email') {
    const [first, last] = (lead.email ?? '').split('@')[0]!.split('.');
    contactRole = { contact: { FirstName: cap(first || 'Pat'), LastName: cap(last || 'Unknown'), Email: lead.email!.trim() }, role: 'Decision Maker' };
  } else if (kind === 'account-domain') {
    const [first, last] = r.pick(COLLEAGUES);
    contactRole = { contact: { FirstName: first, LastName: last, Email: `${first}.${last}.${lead.contactId}@${matched!.domain}`.toLowerCase() }, role: 'Evaluator' };
  }
  const name = 'create' in account ? account.create.Name : account.name;
  const amount = Math.round((10_000 + r.next() * 90_000) / 500) * 500;
  return {
    kind,
    spawnedBy: lead.contactId,
    create: { at, userId: input.userId, account, name: `${name} — expansion`, amount, currency: currencyOf(r, profile, input.currencies), contactRole },
    steps: at > end ? [] : planOpportunity(r, profile, { start: at, end, userId: input.userId, winP: 0.35 }),
  };
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
