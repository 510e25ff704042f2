import type { Client } from '@hubspot/api-client';
import { RequestRefused } from '../errors/index.ts';
import { classifyHubSpotError } from './errors.ts';

/**
 * The deal property HubSpot's own Salesforce integration fills on the deals it syncs with
 * opportunities: the Salesforce opportunity id (docs/hubspot-api.md#deals-and-pipelines; the name
 * is the one third-party property dumps and integrations show, unconfirmed by a vendor page).
 */
export const CONNECTOR_DEAL_PROPERTY = 'hs_salesforceopportunityid';

/**
 * One deal that HubSpot's Salesforce connector synced, if any: a single deal search (limit 1) for
 * deals with the opportunity id property set. A portal without the property answers the filter
 * with a 400, which means no connector, as for contacts (findConnectorSyncedContact).
 */
export async function findConnectorSyncedDeal(client: Client): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
  try {
    const page = await client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: CONNECTOR_DEAL_PROPERTY, operator: 'HAS_PROPERTY' as never }] }],
      properties: [CONNECTOR_DEAL_PROPERTY, 'dealname', 'pipeline', 'dealstage'],
      limit: 1,
    } as never);
    const first = page.results[0];
    return first ? { id: first.id, properties: first.properties } : undefined;
  } catch (error) {
    const named = classifyHubSpotError(error);
    if (named instanceof RequestRefused && named.status === 400) return undefined;
    throw named;
  }
}
