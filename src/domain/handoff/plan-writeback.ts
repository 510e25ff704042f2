import type { PropertyBag } from '../config/condition.ts';
import type { LeadloopConfig } from '../config/index.ts';
import type { LeadDecision } from '../decide.ts';
import { hubspotWriteback } from '../mapping/writeback.ts';
import { nextGradeChangeAt } from '../scoring/nextGradeChangeAt.ts';
import type { ContactHistory } from '../scoring/types.ts';
import type { ScoreWrite, WritebackWrite } from './types.ts';

/** Stands for the id of a lead the plan creates, until Salesforce answers the create with it. */
export const NEW_LEAD_ID = '<id of the new lead>';

/** Where a contact's hand-off landed (or will land): the record's id, NEW_LEAD_ID for a lead being created. */
export interface LandedRecord {
  salesforceId: string;
  ownerLabel: string;
}

/**
 * The HubSpot write-back of a batch: score, grade and MQL of every contact scored, and owner,
 * Salesforce id and hand-off time of those whose hand-off lands — each only where it differs from
 * what HubSpot holds (a grade change, or a score move of `writeback.min_score_change`). Pure.
 */
export function planWriteback(
  contacts: readonly { id: string; properties: PropertyBag }[],
  decisions: ReadonlyMap<string, LeadDecision>,
  landed: ReadonlyMap<string, LandedRecord>,
  config: Pick<LeadloopConfig, 'mapping' | 'sync'>,
  now: number,
): WritebackWrite[] {
  return contacts.flatMap((c) => {
    const d = decisions.get(c.id);
    if (!d) return [];
    const record = landed.get(c.id);
    const properties = hubspotWriteback(
      { score: d.score.score, grade: d.score.grade, mql: d.score.mql, ...(record ? { ownerLabel: record.ownerLabel, salesforceId: record.salesforceId, handedOffAt: new Date(now) } : {}) },
      c.properties,
      config.mapping,
      config.sync.writeback,
    );
    return Object.keys(properties).length > 0 ? [{ contactId: c.id, properties }] : [];
  });
}

/** Each contact's score for the ledger, with the time decay alone may next change its grade (the daily rescore reads only those due). Pure. */
export function planScores(
  contacts: readonly { id: string; properties: PropertyBag; history: ContactHistory }[],
  decisions: ReadonlyMap<string, LeadDecision>,
  config: Pick<LeadloopConfig, 'scoring' | 'mapping'>,
  now: number,
): ScoreWrite[] {
  return contacts.flatMap((c) => {
    const s = decisions.get(c.id)?.score;
    if (!s) return [];
    return [
      {
        contactId: c.id,
        score: s.score,
        grade: s.grade,
        mql: s.mql,
        reviewAt: nextGradeChangeAt(c, c.history, config.scoring, now),
        source: c.properties.lead_source ?? null,
        campaign: c.properties[config.mapping.campaign.name_from] ?? null,
      },
    ];
  });
}
