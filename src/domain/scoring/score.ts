import { conditionProperties, describeCondition, evaluateCondition, parseHubSpotDate } from '../config/condition.ts';
import type { ScoringConfig } from '../config/scoring.ts';
import { ageInDays, decayFactor } from './decay.ts';
import type { ContactHistory, Decay, Grade, ScoreComponent, ScoreResult, ScoringContact } from './types.ts';

type EngagementRule = ScoringConfig['engagement'][number];

const BANT_KEYS = ['budget', 'authority', 'need', 'timeline'] as const;

/**
 * Scores a contact: fit + decayed engagement + BANT + negative signals, capped per category
 * and clamped to [0, caps.total]; grades it; decides MQL and hand-off. Pure: `now` comes in.
 * The components always sum to the score, so every figure can be explained.
 */
export function score(contact: ScoringContact, history: ContactHistory, scoring: ScoringConfig, now: Date | number): ScoreResult {
  const at = typeof now === 'number' ? now : now.getTime();
  const props = contact.properties;
  const components: ScoreComponent[] = [];

  const fit = addPlain('fit', scoring.fit, props, at, components);
  const engagement = addEngagement(scoring, props, history, at, components);
  const bant = addBant(scoring, props, at, components);
  addPlain('negative', scoring.negative, props, at, components);

  capCategory('fit', fit, scoring.caps.fit, components);
  capCategory('engagement', engagement, scoring.caps.engagement, components);
  capCategory('bant', bant, scoring.caps.bant, components);

  const raw = components.reduce((sum, c) => sum + c.points, 0);
  const clamped = Math.min(Math.max(raw, 0), scoring.caps.total);
  if (clamped !== raw) {
    components.push({
      category: 'cap',
      rule: 'total',
      description: clamped === 0 ? 'score cannot go below 0' : `score cannot exceed ${scoring.caps.total}`,
      points: clamped - raw,
      basePoints: clamped - raw,
    });
  }

  const total = clamped;
  const grade: Grade = total >= scoring.grades.hot ? 'hot' : total >= scoring.grades.warm ? 'warm' : 'cold';
  const mql = total >= scoring.mql.min_score;
  const immediateSource = scoring.mql.immediate_sources ? evaluateCondition(scoring.mql.immediate_sources, props, at) : false;
  const veto = scoring.disqualifiers.find((d) => evaluateCondition(d.when, props, at));
  const vetoedBy = veto ? { rule: veto.id, reason: veto.reason } : null;
  const qualifies = mql || immediateSource;
  return {
    score: total,
    grade,
    mql,
    immediateSource,
    handoff: qualifies && !vetoedBy,
    handoffReason: qualifies ? (immediateSource ? 'immediate_source' : 'mql') : null,
    vetoedBy,
    components,
  };
}

function addPlain(category: 'fit' | 'negative', rules: ScoringConfig['fit'], props: ScoringContact['properties'], at: number, out: ScoreComponent[]): number {
  let sum = 0;
  for (const rule of rules) {
    if (!evaluateCondition(rule.when, props, at)) continue;
    out.push({ category, rule: rule.id, description: rule.description ?? describeCondition(rule.when), points: rule.points, basePoints: rule.points });
    sum += rule.points;
  }
  return sum;
}

function addEngagement(scoring: ScoringConfig, props: ScoringContact['properties'], history: ContactHistory, at: number, out: ScoreComponent[]): number {
  let sum = 0;
  for (const rule of scoring.engagement) {
    if (!evaluateCondition(rule.when, props, at)) continue;
    const decay = decayOf(rule, props, history, at, scoring.undated_weight);
    // Whole points keep the explanation exact: the listed components add up to the score.
    const points = Math.round(rule.points * decay.factor);
    out.push({ category: 'engagement', rule: rule.id, description: rule.description ?? describeCondition(rule.when), points, basePoints: rule.points, decay });
    sum += points;
  }
  return sum;
}

function decayOf(rule: EngagementRule, props: ScoringContact['properties'], history: ContactHistory, at: number, undatedWeight: number): Decay {
  const halfLifeDays = rule.half_life_days;
  const dated = rule.recency?.property !== undefined ? parseHubSpotDate(props[rule.recency.property]) : Number.NaN;
  if (Number.isFinite(dated)) {
    return { ageDays: round2(ageInDays(dated, at)), datedAt: dated, halfLifeDays, factor: decayFactor(at - dated, halfLifeDays), recencyFrom: 'property' };
  }
  if (rule.recency?.observed) {
    let latest = Number.NEGATIVE_INFINITY;
    for (const property of conditionProperties(rule.when)) {
      const seen = history[property]?.changedAt;
      if (seen !== undefined && Number.isFinite(seen) && seen > latest) latest = seen;
    }
    if (Number.isFinite(latest)) {
      return { ageDays: round2(ageInDays(latest, at)), datedAt: latest, halfLifeDays, factor: decayFactor(at - latest, halfLifeDays), recencyFrom: 'observed' };
    }
  }
  // No date at all: a lifetime counter is never fresh behaviour.
  return { ageDays: Number.POSITIVE_INFINITY, halfLifeDays, factor: undatedWeight, recencyFrom: 'undated' };
}

function addBant(scoring: ScoringConfig, props: ScoringContact['properties'], at: number, out: ScoreComponent[]): number {
  let sum = 0;
  let positives = 0;
  for (const key of BANT_KEYS) {
    const answer = scoring.bant[key];
    if (!answer || !evaluateCondition(answer.when, props, at)) continue;
    positives += 1;
    out.push({ category: 'bant', rule: `bant.${key}`, description: `${key}: ${describeCondition(answer.when)}`, points: answer.points, basePoints: answer.points });
    sum += answer.points;
  }
  if (positives === BANT_KEYS.length && scoring.bant.all_four_bonus !== 0) {
    const bonus = scoring.bant.all_four_bonus;
    out.push({ category: 'bant', rule: 'bant.all_four', description: 'budget, authority, need and timeline all positive', points: bonus, basePoints: bonus });
    sum += bonus;
  }
  return sum;
}

function capCategory(category: 'fit' | 'engagement' | 'bant', sum: number, cap: number | undefined, out: ScoreComponent[]): void {
  if (cap === undefined || sum <= cap) return;
  out.push({ category: 'cap', rule: `${category}.cap`, description: `${category} adds at most ${cap} points`, points: cap - sum, basePoints: cap - sum });
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
