import type { Attribution, CampaignInfo, EarliestHandoff, OpportunityLinks, OpportunitySnapshot } from './types.ts';

/**
 * What an opportunity counts for in the closed-loop figures: exactly one source and one campaign,
 * however many contacts it links to and however many opportunities those contacts have.
 * - Campaign: its Primary Campaign Source (CampaignId; named from `campaigns` when known, else by
 *   id), else the campaign of the earliest leadloop hand-off among its linked contacts.
 * - Source: the earliest hand-off's source (HubSpot's lead_source, the vocabulary the hand-offs
 *   are grouped by); with no hand-off, the primary campaign's Type.
 * Ties between hand-offs at the same time go to the smaller contact id, so the answer never
 * depends on the order given. `handoffs` may hold any contacts: only the linked ones count.
 */
export function attributeOpportunity(
  opportunity: Pick<OpportunitySnapshot, 'campaignId'>,
  links: OpportunityLinks,
  handoffs: ReadonlyMap<string, EarliestHandoff>,
  campaigns: ReadonlyMap<string, CampaignInfo> = new Map(),
): Attribution {
  let earliest: EarliestHandoff | undefined;
  if (links.kind === 'linked') {
    for (const { contactId } of links.contacts) {
      const h = handoffs.get(contactId);
      if (!h) continue;
      if (!earliest || h.handedOffAt < earliest.handedOffAt || (h.handedOffAt === earliest.handedOffAt && h.contactId < earliest.contactId)) earliest = h;
    }
  }
  const handoff = earliest ? { contactId: earliest.contactId, handedOffAt: earliest.handedOffAt } : null;
  const primary = opportunity.campaignId ? { id: opportunity.campaignId, info: campaigns.get(opportunity.campaignId) } : undefined;

  const campaign: Pick<Attribution, 'campaign' | 'campaignId' | 'campaignVia'> = primary
    ? { campaign: primary.info?.name ?? primary.id, campaignId: primary.id, campaignVia: 'primary-campaign-source' }
    : earliest?.campaign
      ? { campaign: earliest.campaign, campaignId: null, campaignVia: 'earliest-handoff' }
      : { campaign: null, campaignId: null, campaignVia: 'none' };
  const source: Pick<Attribution, 'source' | 'sourceVia'> = earliest?.source
    ? { source: earliest.source, sourceVia: 'earliest-handoff' }
    : primary?.info?.type
      ? { source: primary.info.type, sourceVia: 'campaign-type' }
      : { source: null, sourceVia: 'none' };
  return { ...source, ...campaign, handoff };
}

/**
 * A Salesforce Campaign Type (Trade Show, Webinar, …) in the words the hand-offs' sources use:
 * the HubSpot lead_source value mapping.yaml maps to that LeadSource value (the first listed, so
 * `trade_show` for "Trade Show"), compared case-insensitively; a type no source maps to stays as
 * it is. Attribution by campaign type then counts under the same source as the hand-offs.
 */
export function sourceOfCampaignType(type: string | null, leadFields: readonly { salesforce: string; values?: Record<string, string | number> | undefined }[]): string | null {
  if (!type) return type;
  const leadSource = leadFields.find((f) => f.salesforce === 'LeadSource');
  const wanted = type.trim().toLowerCase();
  const match = Object.entries(leadSource?.values ?? {}).find(([, value]) => String(value).trim().toLowerCase() === wanted);
  return match ? match[0] : type;
}
