import { conditionProperties, parseHubSpotDate, type Condition } from '../config/condition.ts';
import type { ScoringConfig } from '../config/scoring.ts';
import { score } from './score.ts';
import type { ContactHistory, ScoringContact } from './types.ts';

const DAY_MS = 86_400_000;

/**
 * The earliest time after `now` at which the passing of time alone changes the contact's grade
 * or MQL state, or null when it never will (nothing decaying, or the decay can no longer cross a
 * threshold). The rescore job reads this from the ledger instead of re-grading every contact.
 *
 * The score only moves when an engagement rule's whole points step down (points are rounded) or
 * a `within_days` condition flips, so those instants are the only candidates; each is checked
 * with score() itself, so the answer agrees with the scoring to the millisecond and is never
 * later than the change (rounded down).
 */
export function nextGradeChangeAt(contact: ScoringContact, history: ContactHistory, scoring: ScoringConfig, now: number): number | null {
  const falling = monotone(scoring);
  const current = score(contact, history, scoring, now);
  // A score that can only fall cannot leave cold and not-MQL: most contacts stop here.
  if (falling && current.grade === 'cold' && !current.mql) return null;
  const candidates = changeInstants(contact, history, scoring, now);
  if (candidates.length === 0) return null;
  const before = `${current.grade}:${current.mql}`;
  // Checked just past the instant, where the step has happened whatever the float rounding.
  const changed = (t: number) => state(contact, history, scoring, Math.ceil(t) + 1) !== before;
  const at = falling ? firstByBisection(candidates, changed) : candidates.find(changed);
  return at === undefined ? null : Math.max(Math.floor(at), now + 1);
}

function state(contact: ScoringContact, history: ContactHistory, scoring: ScoringConfig, at: number): string {
  const r = score(contact, history, scoring, at);
  return `${r.grade}:${r.mql}`;
}

/** Instants in (now, ∞) at which some part of the score can step, sorted. */
function changeInstants(contact: ScoringContact, history: ContactHistory, scoring: ScoringConfig, now: number): number[] {
  const props = contact.properties;
  const out: number[] = [];
  for (const rule of scoring.engagement) {
    const since = recencyOf(rule, props, history);
    const points = Math.abs(rule.points);
    if (!Number.isFinite(since) || points === 0) continue;
    // Math.round(points × 0.5^(age/h)) steps from k to k−1 where points × factor = k − 0.5.
    for (let half = 0.5; half < points; half += 1) {
      const t = since + rule.half_life_days * Math.log2(points / half) * DAY_MS;
      if (stepsAfter(t, now)) out.push(t);
    }
  }
  for (const condition of scoringConditions(scoring)) {
    for (const leaf of withinDaysLeaves(condition)) {
      const at = parseHubSpotDate(props[leaf.property]);
      if (!Number.isFinite(at)) continue;
      // True from the date itself until `value` days after it.
      for (const t of [at, at + (leaf.value as number) * DAY_MS]) if (stepsAfter(t, now)) out.push(t);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Whether a step at instant t still lies ahead: a step exactly at `now` has not happened yet
 * (within_days still holds on its last millisecond; Math.round keeps k at exactly k − 0.5).
 */
function stepsAfter(t: number, now: number): boolean {
  return Math.ceil(t) + 1 > now;
}

/** The same date score() decays from: the dated property, else the change leadloop observed. */
function recencyOf(rule: ScoringConfig['engagement'][number], props: ScoringContact['properties'], history: ContactHistory): number {
  const dated = rule.recency?.property !== undefined ? parseHubSpotDate(props[rule.recency.property]) : Number.NaN;
  if (Number.isFinite(dated)) return dated;
  if (!rule.recency?.observed) return Number.NaN;
  let latest = Number.NEGATIVE_INFINITY;
  for (const property of conditionProperties(rule.when)) {
    const seen = history[property]?.changedAt;
    if (seen !== undefined && Number.isFinite(seen) && seen > latest) latest = seen;
  }
  return Number.isFinite(latest) ? latest : Number.NaN;
}

/**
 * With only positive engagement points and no `within_days` condition the score can only fall
 * as time passes, so once the grade or MQL state has changed it stays changed: bisection finds
 * the first change in a handful of score() calls instead of one per candidate.
 */
function monotone(scoring: ScoringConfig): boolean {
  let known = monotoneByConfig.get(scoring);
  if (known === undefined) {
    known = scoring.engagement.every((r) => r.points >= 0) && scoringConditions(scoring).every((c) => withinDaysLeaves(c).length === 0);
    monotoneByConfig.set(scoring, known);
  }
  return known;
}
const monotoneByConfig = new WeakMap<ScoringConfig, boolean>();

function firstByBisection(sorted: readonly number[], changed: (t: number) => boolean): number | undefined {
  if (!changed(sorted[sorted.length - 1]!)) return undefined;
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (changed(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo];
}

/** The conditions the score reads (disqualifiers and immediate sources move neither grade nor MQL). */
function scoringConditions(scoring: ScoringConfig): Condition[] {
  const bant = (['budget', 'authority', 'need', 'timeline'] as const).flatMap((k) => (scoring.bant[k] ? [scoring.bant[k].when] : []));
  return [...scoring.fit.map((r) => r.when), ...scoring.engagement.map((r) => r.when), ...bant, ...scoring.negative.map((r) => r.when)];
}

function withinDaysLeaves(condition: Condition): Extract<Condition, { op: string }>[] {
  if ('all' in condition) return condition.all.flatMap(withinDaysLeaves);
  if ('any' in condition) return condition.any.flatMap(withinDaysLeaves);
  if ('not' in condition) return withinDaysLeaves(condition.not);
  return condition.op === 'within_days' ? [condition] : [];
}
