/**
 * Campaign's read-only roll-ups of the opportunities whose Primary Campaign Source (CampaignId) it
 * is: NumberOfOpportunities, NumberOfWonOpportunities, AmountAllOpportunities,
 * AmountWonOpportunities — zero on a new campaign (org.ts systemDefaults), recomputed whenever an opportunity is saved or deleted (the campaign it
 * left and the one it joined). Sources: docs/salesforce-api.md#campaign-roll-ups.
 * Assumption (unconfirmed): a roll-up change does not move the campaign's SystemModstamp, and
 * deleted opportunities leave the figures.
 */
import type { Org } from './org.ts';
import type { SfRecord } from './record.ts';
import type { ObjectRules } from './rules.ts';

const ZERO = { NumberOfOpportunities: 0, NumberOfWonOpportunities: 0, AmountAllOpportunities: 0, AmountWonOpportunities: 0 };

export const campaignRollupRules: ObjectRules = {
  afterSave({ org, record, before }) {
    for (const id of new Set([before?.CampaignId, record.CampaignId])) if (typeof id === 'string') rollUpCampaign(org, id);
  },
  afterDelete(org: Org, record: SfRecord) {
    if (typeof record.CampaignId === 'string') rollUpCampaign(org, record.CampaignId);
  },
};

/** Recomputes one campaign's roll-ups from its opportunities (also for records seeded raw). */
export function rollUpCampaign(org: Org, campaignId: string): void {
  const campaign = org.table('Campaign').get(campaignId);
  if (!campaign) return;
  const figures = { ...ZERO };
  for (const o of org.table('Opportunity').values()) {
    if (o.IsDeleted || o.CampaignId !== campaignId) continue;
    const amount = typeof o.Amount === 'number' ? o.Amount : 0;
    figures.NumberOfOpportunities += 1;
    figures.AmountAllOpportunities += amount;
    if (o.IsWon === true) {
      figures.NumberOfWonOpportunities += 1;
      figures.AmountWonOpportunities += amount;
    }
  }
  Object.assign(campaign, figures);
}
