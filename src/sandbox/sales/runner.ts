/**
 * The sales simulator: a seeded sales team that works the leads leadloop handed off to the
 * sandbox's Salesforce org, so the feedback job has something real to read back.
 *
 * `simulateSales(sandbox.salesforce, { seed, days })` takes every Lead carrying the external ID
 * (HubSpot_Contact_Id__c), plans its story from the team's profile (profile.ts: SALES_PROFILE,
 * plain data) and carries it out through the emulator's hands, as the rep who does it and at the
 * time it happens: a queue-owned lead picked up by a rep who becomes its owner; a first touch (a
 * completed call or email Task, or a meeting Event) after a delay set by the lead's Rating and the
 * rep's responsiveness; the lead accepted (Working - Contacted), disqualified (Closed - Not
 * Converted, with Disqualified_Reason__c) or recycled (Recycled); accepted leads converted with an
 * opportunity whose stages move until it is won or lost (Loss_Reason__c, competitors as
 * Competitor__c and/or OpportunityCompetitor rows), a few reopened and closed again, a few deleted,
 * some in another currency in a multi-currency org. Win and conversion shares depend on the Rating
 * and the LeadSource (and the show: Lead_Source_Detail__c). Beside them, opportunities leadloop
 * never handed off (side-deals.ts): on the org's accounts, with a contact role on the same person
 * or a colleague, or none at all.
 *
 * Every step is applied in time order with the sandbox clock moved forward to its time (never
 * back: a step due before the clock happens at the clock's time), so SystemModstamp, LeadHistory
 * (when Lead.Status is tracked) and OpportunityHistory come in order; at the end the clock stands
 * at the end of the period (the latest lead's creation plus `days`). Each lead's story is drawn
 * from its own random source (the seed and its HubSpot contact id): the same seed and the same
 * leads give the same story and the same records; a lead's timing and outcomes do not depend on
 * the other leads. The returned truth (truth.ts) says what happened to each lead and opportunity
 * and how leadloop should link each opportunity (a deleted one by the contact roles it had).
 *
 * `SalesSimulation` is the same, a round at a time: `leadloop sandbox --simulate-sales` (live.ts)
 * takes the newly pushed leads every few seconds and runs the clock forward faster than real time.
 */
import type { SandboxClock } from '../clock.ts';
import { SeededRandom } from '../rng.ts';
import type { SalesforceEmulator } from '../salesforce/emulator.ts';
import { sfDay } from '../salesforce/record.ts';
import { DAY, DISQUALIFIED_REASON_FIELD, type LeadFacts, type LeadStep, type OpportunityStep, planLeadStory, type Rep, STATUS } from './plan.ts';
import { SALES_PROFILE, type SalesTeamProfile } from './profile.ts';
import { type AccountPools, type AccountRef, planSideDeal, type SideDealPlan } from './side-deals.ts';
import { domainOf, type LeadTruth, linkOf, type OpportunityTruth, type SalesTruth, totalsBySource } from './truth.ts';

export interface SimulateSalesOptions {
  seed: number;
  /** Simulated days each lead is worked from its CreatedDate. Default 90 (a quarter). */
  days?: number;
  /** Default: the emulator's clock (the sandbox's). */
  clock?: SandboxClock;
  /** Default SALES_PROFILE. */
  profile?: SalesTeamProfile;
  /** The Lead field holding the HubSpot contact id. Default HubSpot_Contact_Id__c (config/mapping.yaml's external_id_field). */
  externalIdField?: string;
}

/** Runs the whole period for the leads handed off so far and returns what happened. */
export function simulateSales(salesforce: SalesforceEmulator, options: SimulateSalesOptions): SalesTruth {
  const simulation = new SalesSimulation(salesforce, options);
  simulation.takeNewLeads();
  simulation.runUntil(simulation.horizon);
  return simulation.truth();
}

type Step = LeadStep | { kind: 'create-opportunity'; at: number; userId: string; plan: SideDealPlan['create'] };

interface Story {
  lead: LeadTruth;
  /** The opportunity the story's steps act on once it exists. */
  opportunityId?: string;
  side?: SideDealPlan;
  failed: boolean;
}

interface Pending {
  at: number;
  seq: number;
  story: Story;
  step: Step;
}

/** FNV-1a of the seed and a key: each story's own random source. */
function streamSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of key) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const time = (v: unknown): number => (typeof v === 'string' ? Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export class SalesSimulation {
  readonly #sf: SalesforceEmulator;
  readonly #clock: SandboxClock;
  readonly #profile: SalesTeamProfile;
  readonly #seed: number;
  readonly #days: number;
  readonly #externalId: string;
  readonly #reps: Rep[];
  readonly #pools: AccountPools;
  readonly #seen = new Set<string>();
  readonly #leads: LeadTruth[] = [];
  readonly #opportunities = new Map<string, OpportunityTruth>();
  readonly #problems: string[] = [];
  #pending: Pending[] = [];
  #seq = 0;
  #horizon = Number.NEGATIVE_INFINITY;

  constructor(salesforce: SalesforceEmulator, options: SimulateSalesOptions) {
    this.#sf = salesforce;
    this.#clock = options.clock ?? salesforce.clock;
    this.#profile = options.profile ?? SALES_PROFILE;
    this.#seed = options.seed;
    this.#days = options.days ?? 90;
    this.#externalId = options.externalIdField ?? 'HubSpot_Contact_Id__c';
    const users = salesforce.records('User');
    this.#reps = this.#profile.reps.flatMap((rep) => {
      const user = users.find((u) => String(u.Email).toLowerCase() === rep.email && u.IsActive !== false);
      return user ? [{ userId: String(user.Id), email: rep.email, responsiveness: rep.responsiveness, picksFromQueue: rep.picksFromQueue }] : [];
    });
    // The accounts the org has before the team starts: side deals go on them.
    const handedOffDomains = new Set(this.#handedOff().flatMap((l) => [domainOf(l.Email), domainOf(l.Website)].filter((d): d is string => d !== undefined)));
    const byDomain = new Map<string, AccountRef>();
    const matched: (AccountRef & { domain: string })[] = [];
    const unmatched: AccountRef[] = [];
    for (const a of salesforce.records('Account')) {
      const ref = { id: String(a.Id), name: String(a.Name) };
      const domain = domainOf(a.Website);
      if (domain && !byDomain.has(domain)) byDomain.set(domain, ref);
      if (domain && handedOffDomains.has(domain)) matched.push({ ...ref, domain });
      else unmatched.push(ref);
    }
    this.#pools = { byDomain, matched, unmatched };
  }

  /** The end of the period of the latest lead taken (its CreatedDate plus `days`). */
  get horizon(): number {
    return this.#horizon;
  }

  /** Steps planned and not carried out yet. */
  get pendingSteps(): number {
    return this.#pending.length;
  }

  #handedOff() {
    return this.#sf.records('Lead').filter((l) => text(l[this.#externalId]) !== null);
  }

  /** Plans the stories of the handed-off leads not taken yet (oldest first). Returns how many it took. */
  takeNewLeads(): number {
    const fresh = this.#handedOff()
      .filter((l) => !this.#seen.has(String(l.Id)) && l.IsConverted !== true)
      .toSorted((a, b) => time(a.CreatedDate) - time(b.CreatedDate) || String(a.Id).localeCompare(String(b.Id)));
    const currencies = this.#sf.org.behaviour.currencies;
    for (const l of fresh) {
      this.#seen.add(String(l.Id));
      const facts: LeadFacts = {
        leadId: String(l.Id),
        contactId: String(l[this.#externalId]),
        createdAt: time(l.CreatedDate),
        ownerId: String(l.OwnerId),
        rating: text(l.Rating),
        leadSource: text(l.LeadSource),
        detail: text(l.Lead_Source_Detail__c),
        company: String(l.Company ?? ''),
        email: text(l.Email),
      };
      const lead: LeadTruth = {
        contactId: facts.contactId,
        leadId: facts.leadId,
        createdAt: facts.createdAt,
        rating: facts.rating,
        leadSource: facts.leadSource,
        detail: facts.detail,
        pickedUp: null,
        touched: null,
        statuses: [],
        accepted: false,
        disqualified: false,
        recycled: false,
        converted: null,
        opportunityIds: [],
        interrupted: null,
      };
      this.#leads.push(lead);
      const r = new SeededRandom(streamSeed(this.#seed, facts.contactId));
      const story: Story = { lead, failed: false };
      for (const step of planLeadStory(r, this.#profile, facts, this.#reps, { days: this.#days, ...(currencies ? { currencies } : {}) })) this.#queue(story, step);
      this.#horizon = Math.max(this.#horizon, facts.createdAt + this.#days * DAY);
      // Now and then the lead's person or company also turns up in an opportunity sales opens on its own.
      const side = new SeededRandom(streamSeed(this.#seed, `side:${facts.contactId}`));
      if (this.#reps.length > 0 && side.chance(this.#profile.sideDeals.perLead)) {
        const plan = planSideDeal(side, this.#profile, facts, {
          pools: this.#pools,
          userId: side.pick(this.#reps).userId,
          days: this.#days,
          ...(currencies ? { currencies } : {}),
        });
        const sideStory: Story = { lead, side: plan, failed: false };
        this.#queue(sideStory, { kind: 'create-opportunity', at: plan.create.at, userId: plan.create.userId, plan: plan.create });
        for (const step of plan.steps) this.#queue(sideStory, step);
      }
    }
    return fresh.length;
  }

  #queue(story: Story, step: Step): void {
    // Salesforce keeps whole seconds: steps happen on one, so the truth's times are the records'.
    this.#pending.push({ at: Math.ceil(step.at / 1000) * 1000, seq: this.#seq++, story, step });
  }

  /**
   * Carries out every planned step due by `until`, in time order, moving the clock to each step's
   * time; then moves the clock to `until` (a clock already past either is left where it is).
   */
  runUntil(until: number): void {
    this.#pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
    let done = 0;
    for (const item of this.#pending) {
      if (item.at > until) break;
      done += 1;
      if (item.story.failed) continue;
      const now = this.#clock.now();
      const at = item.at >= now ? item.at : Math.ceil(now / 1000) * 1000;
      if (at > now) this.#clock.set(at);
      try {
        this.#apply(item.story, item.step, at);
      } catch (error) {
        // The lead or opportunity changed under the team (deleted, converted by someone else): the story stops.
        item.story.failed = true;
        const problem = `${item.step.kind} at ${new Date(at).toISOString()}: ${(error as Error).message}`;
        if (item.story.side) this.#problems.push(`side deal of ${item.story.lead.contactId}: ${problem}`);
        else item.story.lead.interrupted ??= problem;
      }
    }
    this.#pending = this.#pending.slice(done);
    if (Number.isFinite(until) && until > this.#clock.now()) this.#clock.set(until);
  }

  #apply(story: Story, step: Step, at: number): void {
    const sf = this.#sf;
    const as = { userId: step.userId, at };
    const lead = story.lead;
    switch (step.kind) {
      case 'pick-up':
        sf.edit('Lead', lead.leadId, { OwnerId: step.userId }, as);
        lead.pickedUp = { at, by: step.userId };
        return;
      case 'touch':
        if (step.channel === 'meeting') {
          sf.create('Event', { Subject: 'Intro meeting', WhoId: lead.leadId, OwnerId: step.userId, StartDateTime: new Date(at).toISOString(), DurationInMinutes: 30, Type: 'Meeting' }, as);
        } else {
          const call = step.channel === 'call';
          sf.create(
            'Task',
            {
              Subject: call ? 'Call' : 'Email: following up',
              WhoId: lead.leadId,
              OwnerId: step.userId,
              Status: 'Completed',
              TaskSubtype: call ? 'Call' : 'Email',
              Type: call ? 'Call' : 'Email',
              ActivityDate: sfDay(at),
            },
            as,
          );
        }
        lead.touched ??= { at, by: step.userId, channel: step.channel };
        return;
      case 'status':
        sf.edit('Lead', lead.leadId, { Status: step.status, ...(step.class === 'disqualified' ? { [DISQUALIFIED_REASON_FIELD]: step.reason } : {}) }, as);
        lead.statuses.push({ status: step.status, class: step.class, at, reason: step.reason });
        lead[step.class] = true;
        return;
      case 'convert': {
        const company = sf.org.get('Lead', lead.leadId)?.Company;
        const result = sf.convertLead(lead.leadId, { ...as, opportunityName: `${String(company ?? 'New customer').slice(0, 90)} — Copperleaf Analytics` });
        lead.converted = { at, accountId: result.accountId, contactId: result.contactId, opportunityId: result.opportunityId ?? null };
        lead.statuses.push({ status: STATUS.converted, class: 'converted', at, reason: null });
        if (!result.opportunityId) return;
        sf.edit('Opportunity', result.opportunityId, { Amount: step.amount, ...(step.currency ? { CurrencyIsoCode: step.currency } : {}) }, as);
        story.opportunityId = result.opportunityId;
        lead.opportunityIds.push(result.opportunityId);
        this.#opportunities.set(result.opportunityId, this.#newOpportunity(result.opportunityId, 'converted-lead', lead, at, step.amount, step.currency, result.accountId));
        return;
      }
      case 'create-opportunity': {
        const plan = step.plan;
        const accountId = 'create' in plan.account ? sf.create('Account', { ...plan.account.create, OwnerId: step.userId }, as) : plan.account.id;
        const id = sf.createOpportunity(
          { Name: plan.name.slice(0, 120), AccountId: accountId, Amount: plan.amount, OwnerId: step.userId, ...(plan.currency ? { CurrencyIsoCode: plan.currency } : {}) },
          as,
        );
        if (plan.contactRole) {
          const contactId = sf.create('Contact', { ...plan.contactRole.contact, AccountId: accountId, OwnerId: step.userId }, as);
          sf.create('OpportunityContactRole', { OpportunityId: id, ContactId: contactId, Role: plan.contactRole.role, IsPrimary: true }, as);
        }
        story.opportunityId = id;
        lead.opportunityIds.push(id);
        const truth = this.#newOpportunity(id, story.side!.kind, lead, at, plan.amount, plan.currency, accountId);
        truth.hasContactRoles = plan.contactRole !== null;
        this.#opportunities.set(id, truth);
        return;
      }
      default:
        this.#applyToOpportunity(story, step, as);
    }
  }

  #applyToOpportunity(story: Story, step: OpportunityStep, as: { userId: string; at: number }): void {
    const id = story.opportunityId;
    const truth = id ? this.#opportunities.get(id) : undefined;
    if (!id || !truth) throw new Error('the opportunity does not exist');
    const sf = this.#sf;
    switch (step.kind) {
      case 'stage':
        sf.edit('Opportunity', id, { StageName: step.stage }, as);
        return;
      case 'competitor':
        sf.create('OpportunityCompetitor', { OpportunityId: id, CompetitorName: step.name }, as);
        return;
      case 'close':
        sf.closeOpportunity(id, step.won, { ...as, fields: { CloseDate: sfDay(as.at), Loss_Reason__c: step.lossReason, Competitor__c: step.competitorField } });
        truth.state = step.won ? 'won' : 'lost';
        truth.timesClosed += 1;
        truth.closedAt = as.at;
        truth.lossReason = step.lossReason;
        return;
      case 'reopen':
        sf.edit('Opportunity', id, { StageName: step.stage, Loss_Reason__c: null, Competitor__c: null }, as);
        truth.state = 'open';
        truth.reopened = true;
        truth.closedAt = null;
        truth.lossReason = null;
        return;
      case 'delete':
        sf.org.delete('Opportunity', id, as.at);
        truth.deleted = true;
        return;
    }
  }

  #newOpportunity(id: string, origin: OpportunityTruth['origin'], lead: LeadTruth, at: number, amount: number, currency: string | null, accountId: string): OpportunityTruth {
    const record = this.#sf.org.get('Opportunity', id);
    const corporate = this.#sf.org.behaviour.currencies?.[0] ?? null;
    return {
      opportunityId: id,
      name: String(record?.Name ?? ''),
      accountId,
      origin,
      fromContactId: lead.contactId,
      createdAt: at,
      link: 'none',
      contactIds: [],
      state: 'open',
      timesClosed: 0,
      reopened: false,
      closedAt: null,
      amount,
      currency: currency ?? corporate,
      lossReason: null,
      competitor: null,
      competitorsMet: [],
      hasContactRoles: origin === 'converted-lead',
      deleted: false,
      leadSource: origin === 'converted-lead' ? lead.leadSource : null,
      campaignId: null,
    };
  }

  /** What happened so far: leads, opportunities (linked as leadloop should link them now) and totals per LeadSource. */
  truth(): SalesTruth {
    const org = this.#sf.org;
    const records = {
      leads: this.#sf.records('Lead'),
      contacts: this.#sf.records('Contact'),
      accounts: this.#sf.records('Account'),
      // A deleted opportunity's contact roles went to the recycle bin with it; it links as it did.
      contactRoles: [...org.table('OpportunityContactRole').values()],
    };
    const competitorRows = new Map<string, string[]>();
    for (const row of org.table('OpportunityCompetitor').values()) {
      const list = competitorRows.get(String(row.OpportunityId)) ?? [];
      list.push(String(row.CompetitorName));
      competitorRows.set(String(row.OpportunityId), list);
    }
    const opportunities = [...this.#opportunities.values()].map((o) => {
      const { link, contactIds } = linkOf(o, records, this.#externalId);
      const record = org.table('Opportunity').get(o.opportunityId);
      const rows = [...new Set(competitorRows.get(o.opportunityId) ?? [])];
      const field = text(record?.Competitor__c);
      const competitorsMet = [...new Set([...rows, ...(field ? [field] : [])])].sort();
      const competitor = o.state === 'lost' ? (field ?? (rows.length === 1 ? rows[0]! : null)) : null;
      return { ...o, link, contactIds, competitor, lossReason: o.state === 'lost' ? o.lossReason : null, competitorsMet, campaignId: text(record?.CampaignId) };
    });
    const leads = this.#leads.map((l) => ({ ...l, statuses: [...l.statuses], opportunityIds: [...l.opportunityIds] }));
    return { seed: this.#seed, days: this.#days, endedAt: this.#clock.now(), leads, opportunities, bySource: totalsBySource(leads, opportunities), sideDealProblems: [...this.#problems] };
  }
}
