/**
 * The plan of one handed-off lead's story: what sales does with it and when, drawn from the team's
 * profile with a random source of its own. Pure: the same facts, profile and draws give the same
 * steps. Steps carry absolute times (epoch ms); none falls after the end of the lead's period.
 * The runner (runner.ts) carries them out through the emulator's hands.
 */
import type { SeededRandom } from '../rng.ts';
import { conversionShare, type Lognormal, type SalesTeamProfile, sourceProfile, temperatureOf, winShare } from './profile.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The Lead Status values the plans write: the org's (config/mapping.yaml's lead_status names the same). */
export const STATUS = { accepted: 'Working - Contacted', disqualified: 'Closed - Not Converted', recycled: 'Recycled', converted: 'Closed - Converted' } as const;
export const DISQUALIFIED_REASON_FIELD = 'Disqualified_Reason__c';

/** A handed-off lead as the plan needs it. */
export interface LeadFacts {
  leadId: string;
  /** Its external ID: the HubSpot contact id. */
  contactId: string;
  createdAt: number;
  ownerId: string;
  rating: string | null;
  leadSource: string | null;
  detail: string | null;
  company: string;
  email: string | null;
}

/** A rep of the profile, with the org's user id. */
export interface Rep {
  userId: string;
  email: string;
  responsiveness: number;
  picksFromQueue: boolean;
}

export type StatusClass = 'accepted' | 'disqualified' | 'recycled';

export type OpportunityStep =
  | { kind: 'stage'; at: number; userId: string; stage: string }
  | { kind: 'competitor'; at: number; userId: string; name: string }
  | { kind: 'close'; at: number; userId: string; won: boolean; lossReason: string | null; competitorField: string | null }
  | { kind: 'reopen'; at: number; userId: string; stage: string }
  | { kind: 'delete'; at: number; userId: string };

export type LeadStep =
  | { kind: 'pick-up'; at: number; userId: string }
  | { kind: 'touch'; at: number; userId: string; channel: 'call' | 'email' | 'meeting' }
  | { kind: 'status'; at: number; userId: string; status: string; class: StatusClass; reason: string | null }
  | { kind: 'convert'; at: number; userId: string; amount: number; currency: string | null }
  | OpportunityStep;

/** A standard normal draw (Box–Muller). */
export function gaussian(r: SeededRandom): number {
  const u = 1 - r.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
}

/** A lognormal draw: `median` times e to a normal draw of sigma `spread`. */
export function draw(r: SeededRandom, d: Lognormal): number {
  return d.median * Math.exp(d.spread * gaussian(r));
}

function weighted<T extends string>(r: SeededRandom, weights: Record<T, number> | [T, number][]): T {
  return r.weighted(Array.isArray(weights) ? weights : (Object.entries(weights) as [T, number][]));
}

/** An amount in round hundreds, between min and max times the factor. */
function amountOf(r: SeededRandom, range: { min: number; max: number }, factor: number): number {
  return Math.round(((range.min + r.next() * (range.max - range.min)) * factor) / 500) * 500;
}

/** The currency of a new opportunity: the corporate one (null: leave it) unless the org has others and the draw says so. */
export function currencyOf(r: SeededRandom, profile: SalesTeamProfile, currencies: readonly string[] | undefined): string | null {
  if (!currencies || currencies.length < 2 || !r.chance(profile.opportunity.otherCurrency)) return null;
  return r.pick(currencies.slice(1));
}

/**
 * The life of an opportunity from `start`: its stages, competitors, close (won with `winP`),
 * maybe a reopening and a second close, maybe its deletion. Steps after `end` are dropped, so an
 * opportunity can still be open when the period ends.
 */
export function planOpportunity(r: SeededRandom, profile: SalesTeamProfile, input: { start: number; end: number; userId: string; winP: number }): OpportunityStep[] {
  const o = profile.opportunity;
  const { userId } = input;
  const steps: OpportunityStep[] = [];
  let t = input.start;
  const won = r.chance(input.winP);
  // A lost opportunity stops somewhere along the path; a won one goes all the way.
  const reached = won ? o.path.length : r.int(0, o.path.length - 1);
  const competitor = r.chance(won ? o.competitorOnWin : o.competitorOnLoss) ? weighted(r, o.competitors) : null;
  const recorded = competitor ? (won ? 'row' : weighted(r, o.competitorRecorded)) : null;
  for (let i = 0; i < reached; i++) {
    t += draw(r, o.stageDays) * DAY;
    steps.push({ kind: 'stage', at: t, userId, stage: o.path[i]! });
    // The competitor shows up half-way through the deal.
    if (competitor && (recorded === 'row' || recorded === 'both') && i === Math.floor(reached / 2)) steps.push({ kind: 'competitor', at: t + HOUR, userId, name: competitor });
  }
  if (competitor && (recorded === 'row' || recorded === 'both') && reached === 0) steps.push({ kind: 'competitor', at: t + HOUR, userId, name: competitor });
  t += draw(r, o.stageDays) * DAY;
  const lossReason = (c: string | null) => (c && r.chance(0.6) ? 'Chose competitor' : weighted(r, o.lossReasons));
  steps.push({
    kind: 'close',
    at: t,
    userId,
    won,
    lossReason: won ? null : lossReason(competitor),
    competitorField: !won && (recorded === 'field' || recorded === 'both') ? competitor : null,
  });
  if (r.chance(o.reopen)) {
    t += draw(r, o.reopenDays) * DAY;
    steps.push({ kind: 'reopen', at: t, userId, stage: o.path[o.path.length - 1]! });
    t += draw(r, o.stageDays) * DAY;
    const again = r.chance(o.winAfterReopen);
    steps.push({ kind: 'close', at: t, userId, won: again, lossReason: again ? null : lossReason(null), competitorField: null });
  }
  if (r.chance(o.deleted)) {
    // Deleted some time after creation (a duplicate, a test): nothing happens to it afterwards.
    const at = input.start + (1 + r.next() * Math.max(1, (t - input.start) / DAY + 10)) * DAY;
    const kept = steps.filter((s) => s.at < at);
    return [...kept, { kind: 'delete' as const, at, userId }].filter((s) => s.at <= input.end);
  }
  return steps.filter((s) => s.at <= input.end);
}

/** The rep who works a lead: its owner when the owner is a rep, else one who picks it from the queue. */
function workerOf(r: SeededRandom, lead: LeadFacts, reps: readonly Rep[]): { rep: Rep; fromQueue: boolean } {
  const owner = reps.find((rep) => rep.userId === lead.ownerId);
  if (owner) return { rep: owner, fromQueue: false };
  const pickers = reps.filter((rep) => rep.picksFromQueue);
  return { rep: r.pick(pickers.length > 0 ? pickers : reps), fromQueue: true };
}

/**
 * One lead's story over `days` from its creation: picked up from the queue (when a queue or a
 * non-rep owns it), touched (or never), then accepted, disqualified (with a reason) or recycled;
 * an accepted lead later converted with an opportunity, or disqualified or recycled; the
 * opportunity's life as planOpportunity draws it.
 */
export function planLeadStory(r: SeededRandom, profile: SalesTeamProfile, lead: LeadFacts, reps: readonly Rep[], options: { days: number; currencies?: readonly string[] }): LeadStep[] {
  if (reps.length === 0) return [];
  const end = lead.createdAt + options.days * DAY;
  const temp = profile.temperature[temperatureOf(lead.rating)];
  const steps: LeadStep[] = [];
  const { rep, fromQueue } = workerOf(r, lead, reps);
  const userId = rep.userId;
  let t = lead.createdAt;
  if (fromQueue) {
    t += draw(r, profile.queuePickupHours) * HOUR;
    steps.push({ kind: 'pick-up', at: t, userId });
  }
  if (r.chance(temp.neverTouched)) return steps.filter((s) => s.at <= end);
  t += draw(r, temp.firstTouchHours) * rep.responsiveness * HOUR;
  steps.push({ kind: 'touch', at: t, userId, channel: weighted(r, profile.firstTouch) });

  const status = (at: number, cls: StatusClass): LeadStep => ({
    kind: 'status',
    at,
    userId,
    status: STATUS[cls],
    class: cls,
    reason: cls === 'disqualified' ? weighted(r, profile.disqualifiedReasons) : null,
  });
  const roll = r.next();
  const { accept, disqualify, recycle } = temp.afterTouch;
  t += draw(r, temp.acceptHours) * HOUR;
  if (roll < disqualify) steps.push(status(t, 'disqualified'));
  else if (roll < disqualify + recycle) steps.push(status(t, 'recycled'));
  else if (roll < disqualify + recycle + accept) {
    steps.push(status(t, 'accepted'));
    t += draw(r, temp.decisionDays) * DAY;
    if (r.chance(conversionShare(profile, lead.rating, lead.leadSource))) {
      const amount = amountOf(r, temp.amount, sourceProfile(profile, lead.leadSource).amount);
      steps.push({ kind: 'convert', at: t, userId, amount, currency: currencyOf(r, profile, options.currencies) });
      steps.push(...planOpportunity(r, profile, { start: t, end, userId, winP: winShare(profile, lead.rating, lead.leadSource, lead.detail) }));
    } else {
      const next = r.next();
      if (next < temp.afterAccept.disqualify) steps.push(status(t, 'disqualified'));
      else if (next < temp.afterAccept.disqualify + temp.afterAccept.recycle) steps.push(status(t, 'recycled'));
    }
  }
  return steps.filter((s) => s.at <= end);
}
