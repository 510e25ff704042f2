import { datesThatHold, parseHubSpotDate, type PropertyBag } from '../config/condition.ts';
import type { ScoringConfig } from '../config/scoring.ts';
import type { ScoreResult } from './types.ts';

/**
 * When a contact qualified for its hand-off: the date of the latest dated input that made the
 * hand-off rule true — the dated engagement behind an MQL score, the `within_days` inputs of an
 * immediate source (a demo request within 14 days) — else the contact's create date. Undefined
 * when it does not qualify, or nothing is dated and it has no create date. Pure.
 */
export function qualifiedAt(result: ScoreResult, properties: PropertyBag, scoring: ScoringConfig, now: number): number | undefined {
  if (!result.mql && !result.immediateSource) return undefined;
  const dates: number[] = [];
  if (result.mql) for (const c of result.components) if (c.category === 'engagement' && c.decay?.datedAt !== undefined) dates.push(c.decay.datedAt);
  if (result.immediateSource && scoring.mql.immediate_sources) dates.push(...datesThatHold(scoring.mql.immediate_sources, properties, now));
  const dated = dates.filter(Number.isFinite);
  if (dated.length > 0) return Math.max(...dated);
  const created = parseHubSpotDate(properties.createdate);
  return Number.isFinite(created) ? created : undefined;
}
