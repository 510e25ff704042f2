import { attributeOpportunity } from './attribute.ts';
import { linkOpportunity } from './link.ts';
import { outcomeOf } from './outcome.ts';
import type { CampaignInfo, EarliestHandoff, LinkEvidence, OpportunityRecord, OpportunitySnapshot, StageChange } from './types.ts';

/**
 * Everything the ledger records for one pulled opportunity, in order: its links, then its
 * attribution over the linked contacts' earliest hand-offs, then its outcome.
 */
export function opportunityRecord(
  opportunity: OpportunitySnapshot,
  stageHistory: readonly StageChange[],
  evidence: LinkEvidence,
  handoffs: ReadonlyMap<string, EarliestHandoff>,
  campaigns?: ReadonlyMap<string, CampaignInfo>,
): OpportunityRecord {
  const links = linkOpportunity(opportunity, evidence);
  return { opportunity, stageHistory, links, attribution: attributeOpportunity(opportunity, links, handoffs, campaigns), outcome: outcomeOf(opportunity, stageHistory) };
}
