import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxClock } from '../clock.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../server.ts';
import { DAY, HOUR } from './plan.ts';
import { expectedWinPerLead, SALES_PROFILE } from './profile.ts';
import { SalesSimulation, simulateSales } from './runner.ts';
import type { SalesTruth } from './truth.ts';

/**
 * A sandbox with a few hundred leads pushed as leadloop pushes them (the emulator's create hand,
 * the external ID, LeadSource, the show, Rating, score, a queue or a rep as owner), worked by the
 * simulated sales team for a quarter.
 */
const START = Date.UTC(2026, 9, 5, 8);
const LEADS = 360;
const SEED = 11;
const SOURCES: Record<string, string> = {
  trade_show: 'Trade Show',
  event: 'Trade Show',
  demo_request: 'Demo Request',
  web_form: 'Web',
  webinar: 'Webinar',
  content_download: 'Content',
  paid_ads: 'Advertisement',
  referral: 'Partner Referral',
  other: 'Other',
};
const RATINGS = ['Hot', 'Warm', 'Cold'] as const;
const ENTITIES = ['Lead', 'Contact', 'Account', 'Opportunity', 'OpportunityHistory', 'OpportunityContactRole', 'OpportunityCompetitor', 'Task', 'Event', 'LeadHistory'];

async function sandboxWithLeads(options: Partial<SandboxOptions> & { tracking?: boolean } = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({
    seed: 5,
    contacts: 500,
    clock: createSandboxClock({ start: START, frozen: true }),
    salesforce: { currencies: ['USD', 'EUR', 'GBP'], ...(options.tracking ? { fieldHistoryTracking: ['Lead.Status'] } : {}) },
  });
  const sf = sandbox.salesforce;
  const users = sf.records('User');
  const userId = (email: string) => String(users.find((u) => u.Email === email)!.Id);
  const queue = String(sf.records('Group').find((g) => g.DeveloperName === 'Inbound_Lead_Queue')!.Id);
  const integration = userId('leadloop.integration@copperleaf.example');
  const owners = [queue, queue, userId('priya.raman@copperleaf.example'), userId('kevin.oneil@copperleaf.example'), userId('dana.whitfield@copperleaf.example'), queue];
  const taken = new Set(sf.records('Lead').map((l) => String(l.Email).toLowerCase()));
  const contacts = sandbox.hubspot.store.all().filter((c) => /^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/i.test(c.properties.email ?? '') && !taken.has(c.properties.email!.toLowerCase()));
  const campaigns = new Map(sf.records('Campaign').map((c) => [c.Name, String(c.Id)]));
  contacts.slice(0, LEADS).forEach((c, i) => {
    const p = c.properties;
    const rating = RATINGS[i % 3]!;
    const leadId = sf.create(
      'Lead',
      {
        HubSpot_Contact_Id__c: c.id,
        FirstName: p.firstname,
        LastName: p.lastname || '[not provided]',
        Company: (p.company || '[not provided]').slice(0, 255),
        Email: p.email,
        Website: p.website,
        LeadSource: SOURCES[p.lead_source ?? ''] ?? 'Other',
        Lead_Source_Detail__c: p.lead_source_detail ?? null,
        Rating: rating,
        Lead_Score__c: rating === 'Hot' ? 85 : rating === 'Warm' ? 60 : 35,
        Status: 'Open - Not Contacted',
        OwnerId: owners[i % owners.length],
      },
      { userId: integration, at: START + i * 10 * 60_000 },
    );
    // leadloop makes the lead a member of its show's or webinar's campaign.
    const campaignId = campaigns.get(p.lead_source_detail);
    if (campaignId) sf.create('CampaignMember', { CampaignId: campaignId, LeadId: leadId, Status: 'Responded' }, { userId: integration, at: START + i * 10 * 60_000 });
  });
  return sandbox;
}

const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const dump = (s: Sandbox) => Object.fromEntries(ENTITIES.map((e) => [e, [...s.salesforce.org.table(e).values()]]));
const time = (v: unknown) => Date.parse(String(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

let sandbox: Sandbox;
let truth: SalesTruth;
/** Every time the simulator set the sandbox clock to, in order. */
const clockSets: number[] = [];

beforeAll(async () => {
  sandbox = await sandboxWithLeads({ tracking: true });
  const clock = sandbox.clock;
  const spy = {
    now: () => clock.now(),
    advance: (ms: number) => clock.advance(ms),
    set: (ms: number) => {
      clockSets.push(ms);
      clock.set(ms);
    },
  };
  truth = simulateSales(sandbox.salesforce, { seed: SEED, clock: spy });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('simulateSales', () => {
  it('is deterministic: the same seed and leads give the same truth and the same records; another seed another story; history tracking changes no story', async () => {
    const again = await sandboxWithLeads({ tracking: true });
    const untracked = await sandboxWithLeads();
    const other = await sandboxWithLeads();
    try {
      expect(simulateSales(again.salesforce, { seed: SEED })).toEqual(truth);
      expect(dump(again)).toEqual(dump(sandbox));
      const plain = simulateSales(untracked.salesforce, { seed: SEED });
      expect(plain.leads).toEqual(truth.leads);
      expect(plain.opportunities).toEqual(truth.opportunities);
      // History rows only where Lead.Status is tracked.
      expect(untracked.salesforce.records('LeadHistory')).toHaveLength(0);
      const otherTruth = simulateSales(other.salesforce, { seed: SEED + 1 });
      expect(otherTruth.leads.map((l) => l.touched?.at)).not.toEqual(truth.leads.map((l) => l.touched?.at));
    } finally {
      await Promise.all([again.close(), untracked.close(), other.close()]);
    }
  });

  it('works every pushed lead: touches, accepts, disqualifies with a reason, recycles, converts, wins and loses', () => {
    expect(truth.leads).toHaveLength(LEADS);
    const count = (f: (l: SalesTruth['leads'][number]) => boolean) => truth.leads.filter(f).length;
    expect(count((l) => l.touched !== null)).toBeGreaterThan(LEADS * 0.75);
    expect(count((l) => l.touched === null)).toBeGreaterThan(0);
    expect(count((l) => l.accepted)).toBeGreaterThan(LEADS * 0.3);
    expect(count((l) => l.disqualified)).toBeGreaterThan(20);
    expect(count((l) => l.recycled)).toBeGreaterThan(20);
    expect(count((l) => l.converted !== null)).toBeGreaterThan(40);
    expect(count((l) => l.interrupted !== null)).toBe(0);
    expect(truth.sideDealProblems).toEqual([]);
    const disqualifiedLeads = truth.leads.flatMap((l) => l.statuses.filter((s) => s.class === 'disqualified'));
    expect(disqualifiedLeads.every((s) => s.reason !== null && s.status === 'Closed - Not Converted')).toBe(true);
    // Queue-owned leads end with the rep who picked them up as owner.
    const picked = truth.leads.filter((l) => l.pickedUp);
    expect(picked.length).toBeGreaterThan(LEADS / 3);
    for (const l of picked) expect(sandbox.salesforce.org.get('Lead', l.leadId)!.OwnerId).toBe(l.pickedUp!.by);

    const opps = truth.opportunities;
    const states = new Set(opps.map((o) => o.state));
    expect(states).toEqual(new Set(['won', 'lost', 'open']));
    expect(opps.some((o) => o.reopened && o.timesClosed === 2)).toBe(true);
    expect(opps.some((o) => o.deleted)).toBe(true);
    expect(opps.some((o) => o.currency === 'EUR' || o.currency === 'GBP')).toBe(true);
    const lost = opps.filter((o) => o.state === 'lost');
    expect(lost.every((o) => o.lossReason !== null)).toBe(true);
    expect(lost.some((o) => o.competitor !== null)).toBe(true);
    expect(opps.filter((o) => o.state !== 'lost').every((o) => o.lossReason === null && o.competitor === null)).toBe(true);
  });

  it('wins more of the hotter leads and of the sources the profile favours', () => {
    const wonShare = (f: (l: SalesTruth['leads'][number]) => boolean) => {
      const leads = truth.leads.filter(f);
      const won = leads.filter((l) => l.converted && truth.opportunities.find((o) => o.opportunityId === l.converted!.opportunityId)?.state === 'won');
      return won.length / leads.length;
    };
    const hot = wonShare((l) => l.rating === 'Hot');
    const warm = wonShare((l) => l.rating === 'Warm');
    const cold = wonShare((l) => l.rating === 'Cold');
    expect(expectedWinPerLead(SALES_PROFILE, 'Hot', 'Web', null)).toBeGreaterThan(expectedWinPerLead(SALES_PROFILE, 'Warm', 'Web', null));
    expect(hot).toBeGreaterThan(warm);
    expect(warm).toBeGreaterThan(cold);
    // Trade shows and demo requests against content downloads and ads: the profile's factors, then what happened.
    const favoured = ['Trade Show', 'Demo Request'];
    const disfavoured = ['Content', 'Advertisement'];
    for (const a of favoured) for (const b of disfavoured) expect(expectedWinPerLead(SALES_PROFILE, 'Warm', a, null)).toBeGreaterThan(2 * expectedWinPerLead(SALES_PROFILE, 'Warm', b, null));
    expect(wonShare((l) => favoured.includes(l.leadSource ?? ''))).toBeGreaterThan(2 * wonShare((l) => disfavoured.includes(l.leadSource ?? '')));
    // The totals per source add up to the leads.
    const totals = Object.values(truth.bySource);
    expect(totals.reduce((n, t) => n + t.leads, 0)).toBe(LEADS);
    expect(totals.reduce((n, t) => n + t.won, 0)).toBe(truth.opportunities.filter((o) => o.origin === 'converted-lead' && !o.deleted && o.state === 'won').length);
  });

  it('touches hot leads within hours, cold ones within days, queue-owned ones later', () => {
    const delays = (rating: string, queued: boolean) => truth.leads.filter((l) => l.rating === rating && l.touched && (l.pickedUp !== null) === queued).map((l) => l.touched!.at - l.createdAt);
    const hot = delays('Hot', false);
    const warm = delays('Warm', false);
    const cold = delays('Cold', false);
    expect(percentile(hot, 0.5)).toBeLessThan(6 * HOUR);
    expect(percentile(warm, 0.5)).toBeGreaterThan(4 * HOUR);
    expect(percentile(warm, 0.5)).toBeLessThan(2 * DAY);
    expect(percentile(cold, 0.5)).toBeGreaterThan(1.5 * DAY);
    expect(percentile(hot, 0.9)).toBeLessThan(percentile(warm, 0.9));
    expect(percentile(warm, 0.9)).toBeLessThan(percentile(cold, 0.9));
    expect(percentile(delays('Hot', true), 0.5)).toBeGreaterThan(percentile(hot, 0.5));
    // The first touch is a completed Task (CompletedDateTime the touch) or an Event starting then, by the toucher.
    const sf = sandbox.salesforce;
    for (const l of truth.leads.filter((x) => x.touched).slice(0, 60)) {
      const who = new Set([l.leadId, l.converted?.contactId]);
      const stamp = new Date(l.touched!.at).toISOString().replace('Z', '+0000');
      const activities = [
        ...sf.records('Task').filter((t) => who.has(String(t.WhoId)) && t.CompletedDateTime === stamp),
        ...sf.records('Event').filter((e) => who.has(String(e.WhoId)) && e.StartDateTime === stamp),
      ];
      expect(activities.map((a) => a.OwnerId)).toEqual([l.touched!.by]);
    }
  });

  it('writes Lead Status history rows for each change, and keeps every timestamp in order with the clock', () => {
    const sf = sandbox.salesforce;
    const lastCreated = Math.max(...truth.leads.map((l) => l.createdAt));
    expect(truth.endedAt).toBe(lastCreated + 90 * DAY);
    expect(sandbox.clock.now()).toBe(truth.endedAt);
    for (const l of truth.leads.slice(0, 120)) {
      const rows = sf.records('LeadHistory').filter((h) => h.LeadId === l.leadId && h.Field === 'Status');
      expect(rows.map((h) => [h.NewValue, time(h.CreatedDate)])).toEqual(l.statuses.map((s) => [s.status, s.at]));
    }
    for (const e of ENTITIES) {
      const rows = [...sf.org.table(e).values()];
      expect(rows.every((r) => time(r.SystemModstamp ?? r.CreatedDate) <= truth.endedAt)).toBe(true);
    }
    // The clock was moved forward only, and stood at the time of each change when it was made.
    expect(clockSets).toEqual(clockSets.toSorted((a, b) => a - b));
    expect(clockSets.at(-1)).toBe(truth.endedAt);
    const stood = new Set(clockSets);
    expect(sf.records('LeadHistory').filter((h) => h.Field === 'Status' && !stood.has(time(h.CreatedDate)))).toEqual([]);
    expect(truth.leads.filter((l) => l.touched && !stood.has(l.touched.at))).toEqual([]);
    // Steps were carried out in time order: history rows, in the order written, never go back in time.
    for (const e of ['LeadHistory', 'OpportunityHistory', 'Task', 'OpportunityCompetitor']) {
      const created = [...sf.org.table(e).values()].map((r) => time(r.CreatedDate)).filter((t) => t > START + LEADS * 10 * 60_000);
      expect(created.length).toBeGreaterThan(0);
      expect(created).toEqual(created.toSorted((a, b) => a - b));
    }
  });

  it('opens opportunities leadloop never handed off, some with contact roles, some with none, linked by email, by domain or not at all', () => {
    const side = truth.opportunities.filter((o) => o.origin !== 'converted-lead');
    expect(side.length).toBeGreaterThan(15);
    const links = new Set(side.map((o) => o.link));
    expect(links).toContain('contact-role-email');
    expect(links).toContain('account-domain');
    expect(links).toContain('none');
    const roles = [...sandbox.salesforce.org.table('OpportunityContactRole').values()];
    const bare = side.filter((o) => !o.hasContactRoles);
    expect(bare.length).toBeGreaterThan(3);
    for (const o of bare) expect(roles.filter((r) => r.OpportunityId === o.opportunityId)).toHaveLength(0);
    for (const o of side.filter((x) => x.link === 'contact-role-email')) expect(o.contactIds).toContain(o.fromContactId);
    for (const o of side.filter((x) => x.link === 'none')) expect(o.contactIds).toEqual([]);
    const members = new Map(sandbox.salesforce.records('CampaignMember').map((m) => [m.LeadId, m.CampaignId]));
    for (const o of truth.opportunities.filter((x) => x.origin === 'converted-lead')) {
      expect(o.link).toBe('converted-lead');
      expect(o.contactIds).toEqual([o.fromContactId]);
      const lead = truth.leads.find((l) => l.contactId === o.fromContactId)!;
      expect(o.campaignId).toBe(members.get(lead.leadId) ?? null);
    }
    expect(truth.opportunities.filter((o) => o.campaignId !== null).length).toBeGreaterThan(10);
  });

  it('is what jsforce reads through the REST API', async () => {
    const sf = sandbox.connectionInfo().salesforce;
    const conn = new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: '64.0' });
    const leads = await conn.query<Record<string, unknown>>('SELECT Id, HubSpot_Contact_Id__c, Status, IsConverted, ConvertedOpportunityId, Disqualified_Reason__c FROM Lead');
    const byContact = new Map(leads.records.map((r) => [r.HubSpot_Contact_Id__c, r]));
    for (const l of truth.leads) {
      const row = byContact.get(l.contactId)!;
      const last = l.statuses.at(-1);
      expect(row.Status).toBe(last?.status ?? 'Open - Not Contacted');
      expect(row.IsConverted).toBe(l.converted !== null);
      expect(row.ConvertedOpportunityId ?? null).toBe(l.converted?.opportunityId ?? null);
      if (last?.class === 'disqualified') expect(row.Disqualified_Reason__c).toBe(last.reason);
    }
    const all = await conn.query<Record<string, unknown>>('SELECT Id, IsDeleted, IsClosed, IsWon, Amount, CurrencyIsoCode, Loss_Reason__c, Competitor__c, CampaignId FROM Opportunity', {
      scanAll: true,
      autoFetch: true,
      maxFetch: 100_000,
    });
    const byId = new Map(all.records.map((r) => [r.Id, r]));
    for (const o of truth.opportunities) {
      const row = byId.get(o.opportunityId)!;
      expect(row.IsDeleted).toBe(o.deleted);
      expect(row.IsClosed).toBe(o.state !== 'open');
      expect(row.IsWon).toBe(o.state === 'won');
      expect(row.Amount).toBe(o.amount);
      expect(row.CurrencyIsoCode).toBe(o.currency);
      expect(row.CampaignId ?? null).toBe(o.campaignId);
      if (o.state === 'lost') expect(row.Loss_Reason__c).toBe(o.lossReason);
      if (o.state === 'lost' && row.Competitor__c) expect(row.Competitor__c).toBe(o.competitor);
    }
    const roles = await conn.query<Record<string, unknown>>('SELECT OpportunityId FROM OpportunityContactRole', { autoFetch: true, maxFetch: 100_000 });
    const withRoles = new Set(roles.records.map((r) => r.OpportunityId));
    for (const o of truth.opportunities.filter((x) => !x.deleted)) expect(withRoles.has(o.opportunityId)).toBe(o.hasContactRoles);
    const live = await conn.query<Record<string, unknown>>('SELECT Id FROM Opportunity WHERE IsDeleted = false', { autoFetch: true, maxFetch: 100_000 });
    expect(live.records.some((r) => truth.opportunities.find((o) => o.opportunityId === r.Id)?.deleted)).toBe(false);
  });
});

describe('SalesSimulation', () => {
  const small = async (n: number, skip: (i: number) => boolean = () => false) => {
    const s = await startSandbox({ seed: 9, clock: createSandboxClock({ start: START, frozen: true }) });
    const queue = String(s.salesforce.records('Group').find((g) => g.DeveloperName === 'Inbound_Lead_Queue')!.Id);
    for (let i = 0; i < n; i++) {
      if (skip(i)) continue;
      s.salesforce.create(
        'Lead',
        { HubSpot_Contact_Id__c: String(700 + i), LastName: `L${i}`, Company: `C${i}`, Email: `l${i}@c${i}.example`, Rating: RATINGS[i % 3], LeadSource: 'Webinar', OwnerId: queue },
        { at: START + i * 60_000 },
      );
    }
    return s;
  };

  it("draws each lead's timing and outcome from its own source: the other leads change nothing of it", async () => {
    const all = await small(60);
    const some = await small(60, (i) => i % 4 === 0);
    try {
      const story = (t: SalesTruth) => new Map(t.leads.map((l) => [l.contactId, { touched: l.touched, statuses: l.statuses, pickedUp: l.pickedUp, converted: l.converted !== null }]));
      const full = story(simulateSales(all.salesforce, { seed: 3 }));
      const part = story(simulateSales(some.salesforce, { seed: 3 }));
      expect(part.size).toBe(45);
      for (const [contactId, s] of part) expect(s).toEqual(full.get(contactId));
    } finally {
      await Promise.all([all.close(), some.close()]);
    }
  });

  it('stops a story when the lead changes under the team (deleted, converted by someone else), and carries on with the others', async () => {
    const s = await small(30);
    try {
      const simulation = new SalesSimulation(s.salesforce, { seed: 4 });
      expect(simulation.takeNewLeads()).toBe(30);
      expect(simulation.takeNewLeads()).toBe(0);
      simulation.runUntil(START + 2 * HOUR);
      const early = simulation.truth().leads;
      const untouched = early.filter((l) => l.statuses.length === 0).slice(0, 4);
      expect(untouched).toHaveLength(4);
      s.salesforce.org.delete('Lead', untouched[0]!.leadId);
      s.salesforce.org.delete('Lead', untouched[1]!.leadId);
      s.salesforce.convertLead(untouched[2]!.leadId, { userId: String(s.salesforce.records('User')[0]!.Id) });
      simulation.runUntil(simulation.horizon);
      const truth = simulation.truth();
      const stopped = truth.leads.filter((l) => l.interrupted !== null).map((l) => l.leadId);
      expect(stopped.length).toBeGreaterThanOrEqual(2);
      expect(untouched.slice(0, 3).map((l) => l.leadId)).toEqual(expect.arrayContaining(stopped));
      expect(truth.leads.filter((l) => l.interrupted === null && l.statuses.length > 0).length).toBeGreaterThan(15);
      expect(s.clock.now()).toBe(simulation.horizon);
    } finally {
      await s.close();
    }
  });
});
