export { attributeOpportunity, sourceOfCampaignType } from './attribute.ts';
export { contactKeys, emailKey, type ContactKeys } from './contact-keys.ts';
export { dealContent, dealFingerprint, type DealContent } from './deal.ts';
export { classifyLeadStatus, leadStatusChanges } from './lead-status.ts';
export { linkOpportunity } from './link.ts';
export { outcomeOf } from './outcome.ts';
export { opportunityRecord } from './record.ts';
export {
  ARCHIVED,
  backToMarketingOf,
  contactPropertiesRead,
  contactSummary,
  dealWrite,
  LIFECYCLE_ORDER,
  lifecycleForward,
  lostAfterConversion,
  planContactWrites,
  planDeals,
  type BackToMarketing,
  type ContactOpportunity,
  type ContactSummary,
  type DealPlan,
  type LifecycleReason,
} from './plan-hubspot.ts';
export { CORPORATE_CURRENCY, tallyOutcomes, type Figures, type TalliedOpportunity } from './tally.ts';
export type * from './types.ts';
