import type { MappingConfig } from '../config/mapping.ts';

export interface WritebackFacts {
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  ownerLabel?: string;
  salesforceId?: string;
  handedOffAt?: Date;
}

/** The HubSpot properties to write back: only those whose value differs from what HubSpot holds. */
export function hubspotWriteback(
  facts: WritebackFacts,
  current: Readonly<Record<string, string | null | undefined>>,
  mapping: Pick<MappingConfig, 'hubspot_writeback'>,
  threshold: { on_grade_change: boolean; min_score_change: number },
): Record<string, string> {
  const names = mapping.hubspot_writeback;
  const out: Record<string, string> = {};
  const previousScore = Number(current[names.score]);
  const gradeChanged = current[names.grade] !== facts.grade;
  const scoreMoved = !Number.isFinite(previousScore) || Math.abs(previousScore - facts.score) >= threshold.min_score_change;
  if (scoreMoved || (threshold.on_grade_change && gradeChanged)) out[names.score] = String(facts.score);
  if (gradeChanged) out[names.grade] = facts.grade;
  if (names.mql && current[names.mql] !== String(facts.mql)) out[names.mql] = String(facts.mql);
  if (facts.ownerLabel && current[names.owner] !== facts.ownerLabel) out[names.owner] = facts.ownerLabel;
  if (facts.salesforceId && current[names.salesforce_id] !== facts.salesforceId) out[names.salesforce_id] = facts.salesforceId;
  if (names.handoff_at && facts.handedOffAt && !current[names.handoff_at]) out[names.handoff_at] = facts.handedOffAt.toISOString();
  return out;
}
