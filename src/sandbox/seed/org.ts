import { SeededRandom } from '../rng.ts';
import type { Org } from '../salesforce/org.ts';
import { TRADE_SHOWS } from './contacts.ts';
import { addDefaultMemberStatuses } from '../salesforce/campaign-members.ts';
import { rollUpCampaign } from '../salesforce/campaigns.ts';

/** The Copperleaf Software org's people: always present, so config files can name owners by email. */
export const SALES_USERS: { email: string; first: string; last: string; title: string; active?: boolean }[] = [
  { email: 'dana.whitfield@copperleaf.example', first: 'Dana', last: 'Whitfield', title: 'Enterprise AE, North America' },
  { email: 'marco.bellini@copperleaf.example', first: 'Marco', last: 'Bellini', title: 'Enterprise AE, EMEA' },
  { email: 'priya.raman@copperleaf.example', first: 'Priya', last: 'Raman', title: 'Mid-market AE' },
  { email: 'tom.okafor@copperleaf.example', first: 'Tom', last: 'Okafor', title: 'Mid-market AE' },
  { email: 'jenna.brooks@copperleaf.example', first: 'Jenna', last: 'Brooks', title: 'Mid-market AE' },
  { email: 'lukas.meyer@copperleaf.example', first: 'Lukas', last: 'Meyer', title: 'Mid-market AE, EMEA' },
  { email: 'sofia.alvarez@copperleaf.example', first: 'Sofia', last: 'Alvarez', title: 'Mid-market AE, EMEA' },
  { email: 'chloe.martin@copperleaf.example', first: 'Chloé', last: 'Martin', title: 'Mid-market AE, EMEA' },
  { email: 'ben.carter@copperleaf.example', first: 'Ben', last: 'Carter', title: 'SMB AE' },
  { email: 'aisha.khan@copperleaf.example', first: 'Aisha', last: 'Khan', title: 'SMB AE' },
  { email: 'kevin.oneil@copperleaf.example', first: 'Kevin', last: "O'Neil", title: 'SMB AE' },
  { email: 'rachel.stone@copperleaf.example', first: 'Rachel', last: 'Stone', title: 'Sales Manager' },
  { email: 'victor.hale@copperleaf.example', first: 'Victor', last: 'Hale', title: 'Brand Manager' },
  { email: 'greg.palmer@copperleaf.example', first: 'Greg', last: 'Palmer', title: 'Account Executive (left)', active: false },
  { email: 'leadloop.integration@copperleaf.example', first: 'leadloop', last: 'Integration', title: 'API user' },
];

export interface OrgDirectory {
  integrationUserId: string;
  inboundQueueId: string;
  partnerQueueId: string;
  userIdByEmail: Map<string, string>;
}

const DAY = 86_400_000;
const LOSS_REASONS = ['Price', 'Missing feature', 'Chose competitor', 'No budget', 'No decision', 'Timing'];
const COMPETITORS = ['Rivalytics', 'DataPeak', 'Tableau', 'Power BI'];

/**
 * Seeds the org. With no contacts: users and queues only. With HubSpot contacts: accounts for
 * many of their companies (Website written in the free-text ways people do), existing open Leads
 * for some emails (to adopt), Contacts for some (existing people), a few converted Leads,
 * Campaigns for the shows and webinars, and closed Opportunities with loss reasons and competitors.
 */
/**
 * `count` more Accounts, unrelated to any contact, owned by the AEs: an org the size of a large
 * customer's (a million accounts) for measuring the account pull. About one in ten has no
 * Website; the rest spell theirs as people do (scheme, www, a path, capitals).
 */
export function seedExtraAccounts(org: Org, count: number, seed: number, directory: OrgDirectory): void {
  const r = new SeededRandom(seed * 131 + 7);
  const owners = SALES_USERS.filter((u) => u.active !== false && /AE/.test(u.title)).map((u) => directory.userIdByEmail.get(u.email)!);
  const now = org.clock.now();
  for (let i = 0; i < count; i++) {
    const domain = `account-${i.toString(36)}.example`;
    const website = r.chance(0.1) ? null : r.pick([`https://www.${domain}/`, domain, `WWW.${domain.toUpperCase()}`, `http://${domain}/home`]);
    org.insertRaw('Account', { Name: `Account ${i}`, Website: website, OwnerId: r.pick(owners) }, now - r.int(1, 900 * 24 * 60) * 60_000);
  }
}

export function seedOrg(org: Org, contacts: ReadonlyArray<{ id: string; properties: Record<string, string | null> }>, seed: number, known?: OrgDirectory): OrgDirectory {
  const directory = known ?? seedPeople(org);
  if (contacts.length === 0) return directory;
  const r = new SeededRandom(seed * 31 + 5);
  const owners = SALES_USERS.filter((u) => u.active !== false && /AE/.test(u.title)).map((u) => directory.userIdByEmail.get(u.email)!);
  const now = org.clock.now();

  const accountsByDomain = new Map<string, string>();
  for (const c of contacts) {
    const email = c.properties.email ?? '';
    const domain = /@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(email)?.[1]?.toLowerCase();
    if (!domain || /gmail|yahoo|hotmail|outlook|icloud|gmx|rivalytics|datapeak|\.ac\.uk$/.test(domain) || accountsByDomain.has(domain)) continue;
    if (!r.chance(0.3)) {
      accountsByDomain.set(domain, '');
      continue;
    }
    const website = r.pick([`https://www.${domain}/`, domain, `WWW.${domain.toUpperCase()}`, `http://${domain}/home`]);
    const account = org.insertRaw(
      'Account',
      { Name: c.properties.company ?? domain, Website: website, OwnerId: r.pick(owners), BillingCountry: c.properties.country ?? null },
      now - r.int(100, 900) * DAY,
    );
    accountsByDomain.set(domain, account.Id);
  }

  const campaigns = new Map<string, string>();
  for (const name of [...TRADE_SHOWS.map((s) => s.name), 'Modern BI webinar (Oct 2026)', 'Data quality in practice (Nov 2026)', 'Analytics for finance teams (Sep 2026)']) {
    campaigns.set(
      name,
      org.insertRaw('Campaign', {
        Name: name,
        Type: /webinar/i.test(name) ? 'Webinar' : 'Trade Show',
        Status: 'Completed',
        // What the show or webinar cost (fixed per name: the seed's random draws stay as they were).
        BudgetedCost: /webinar/i.test(name) ? 4_000 : 30_000 + 1_000 * (name.length % 15),
        ActualCost: /webinar/i.test(name) ? 3_500 : 28_000 + 1_500 * (name.length % 13),
        IsActive: true,
        OwnerId: directory.userIdByEmail.get('victor.hale@copperleaf.example'),
      }).Id,
    );
    addDefaultMemberStatuses(org, campaigns.get(name)!);
  }

  const seen = new Set<string>();
  for (const c of contacts) {
    const p = c.properties;
    const email = p.email ?? '';
    if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email) || seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    const roll = r.next();
    const base = { FirstName: p.firstname?.slice(0, 40) ?? null, LastName: (p.lastname || '[not provided]').slice(0, 80), Email: email.slice(0, 80), Title: p.jobtitle?.slice(0, 128) ?? null };
    const domain = email.split('@')[1]!.toLowerCase();
    const accountId = accountsByDomain.get(domain) || undefined;
    if (roll < 0.04) {
      // An open Lead sales already has for this person: leadloop must adopt it, not duplicate it.
      org.insertRaw('Lead', { ...base, Company: (p.company || '[not provided]').slice(0, 255), Status: 'Working - Contacted', LeadSource: 'Web', OwnerId: r.pick(owners) }, now - r.int(5, 200) * DAY);
    } else if (roll < 0.06 && accountId) {
      // An existing Contact at a customer account.
      org.insertRaw('Contact', { ...base, AccountId: accountId, OwnerId: org.get('Account', accountId)!.OwnerId }, now - r.int(30, 700) * DAY);
    } else if (roll < 0.065) {
      // A converted Lead: read-only from now on.
      const lead = org.insertRaw('Lead', { ...base, Company: (p.company || '[not provided]').slice(0, 255), LeadSource: 'Trade Show', OwnerId: r.pick(owners) }, now - r.int(60, 400) * DAY);
      const account = accountId ?? org.insertRaw('Account', { Name: p.company ?? domain, Website: domain, OwnerId: lead.OwnerId }).Id;
      const contact = org.insertRaw('Contact', { ...base, AccountId: account, OwnerId: lead.OwnerId });
      const won = r.chance(0.5);
      const opportunity = org.insertRaw('Opportunity', {
        Name: `${p.company ?? domain} — Copperleaf Analytics`,
        AccountId: account,
        OwnerId: lead.OwnerId,
        StageName: won ? 'Closed Won' : 'Closed Lost',
        CloseDate: new Date(now - r.int(1, 60) * DAY).toISOString().slice(0, 10),
        Amount: r.int(10, 400) * 1_000,
        IsClosed: true,
        IsWon: won,
        LeadSource: 'Trade Show',
        CampaignId: r.pick([...campaigns.values()]),
        Loss_Reason__c: won ? null : r.pick(LOSS_REASONS),
        Competitor__c: won ? null : r.pick(COMPETITORS),
      });
      org.insertRaw('OpportunityContactRole', { OpportunityId: opportunity.Id, ContactId: contact.Id, Role: 'Decision Maker', IsPrimary: true });
      Object.assign(lead, {
        IsConverted: true,
        Status: 'Closed - Converted',
        ConvertedDate: new Date(now - r.int(60, 120) * DAY).toISOString().slice(0, 10),
        ConvertedAccountId: account,
        ConvertedContactId: contact.Id,
        ConvertedOpportunityId: opportunity.Id,
      });
    }
  }
  // Leads were converted in place above, outside the org's own writes.
  org.invalidateIndexes();
  // The seeded opportunities went in raw: Campaign's roll-ups count them as the org would.
  for (const id of campaigns.values()) rollUpCampaign(org, id);
  return directory;
}

function seedPeople(org: Org): OrgDirectory {
  const userIdByEmail = new Map<string, string>();
  for (const u of SALES_USERS) {
    const user = org.insertRaw('User', { Username: u.email, Email: u.email, FirstName: u.first, LastName: u.last, Name: `${u.first} ${u.last}`, IsActive: u.active !== false, Title: u.title });
    userIdByEmail.set(u.email, user.Id);
  }
  const inbound = org.insertRaw('Group', { Name: 'Inbound Lead Queue', DeveloperName: 'Inbound_Lead_Queue', Type: 'Queue' });
  const partner = org.insertRaw('Group', { Name: 'Partner Leads', DeveloperName: 'Partner_Leads', Type: 'Queue' });
  return { integrationUserId: userIdByEmail.get('leadloop.integration@copperleaf.example')!, inboundQueueId: inbound.Id, partnerQueueId: partner.Id, userIdByEmail };
}
