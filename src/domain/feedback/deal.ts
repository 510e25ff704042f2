import { createHash } from 'node:crypto';
import type { DealWrite, OpportunityLinks, OpportunitySnapshot, Outcome } from './types.ts';

/**
 * What the HubSpot deal for an opportunity carries: its name, outcome, amount and currency, close
 * date, loss reason and competitor, the contacts it is associated with, and whether it is archived
 * (the opportunity was deleted). Values are leadloop's, not HubSpot property names: the deal
 * writer maps them. A reopened opportunity is open again, so its deal is too.
 */
export interface DealContent {
  opportunityId: string;
  name: string;
  outcome: Outcome['state'];
  amount: number | null;
  currency: string | null;
  closeDate: string | null;
  lossReason: string | null;
  competitor: string | null;
  /** HubSpot contact ids, sorted. */
  contactIds: string[];
  archived: boolean;
}

export function dealContent(opportunity: Pick<OpportunitySnapshot, 'opportunityId' | 'name'>, outcome: Outcome, links: OpportunityLinks): DealContent {
  return {
    opportunityId: opportunity.opportunityId,
    name: opportunity.name,
    outcome: outcome.state,
    amount: outcome.amount,
    currency: outcome.currency,
    closeDate: outcome.closeDate,
    lossReason: outcome.lossReason,
    competitor: outcome.competitor,
    contactIds: links.kind === 'linked' ? links.contacts.map((c) => c.contactId).sort() : [],
    archived: outcome.deleted,
  };
}

/**
 * A short hash of what a deal write carries (its properties, contacts and companies): the ledger
 * keeps the last one written, and a rerun that computes the same one writes nothing. Independent
 * of the order of properties, contacts and companies.
 */
export function dealFingerprint(write: DealWrite): string {
  const canonical = [write.opportunityId, Object.entries(write.properties).toSorted(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), write.contactIds.toSorted(), write.companyIds.toSorted()];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}
