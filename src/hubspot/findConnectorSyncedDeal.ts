import type { Client } from '@hubspot/api-client';
import { findConnectorSynced } from './findConnectorSynced.ts';

/**
 * The deal property HubSpot's own Salesforce integration fills on the deals it syncs with
 * opportunities: the Salesforce opportunity id (docs/hubspot-api.md#deals-and-pipelines; the name
 * is the one third-party property dumps and integrations show, unconfirmed by a vendor page).
 */
export const CONNECTOR_DEAL_PROPERTY = 'hs_salesforceopportunityid';

/** One deal that HubSpot's Salesforce connector synced, if any. */
export function findConnectorSyncedDeal(client: Client): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
  return findConnectorSynced(client, 'deals', CONNECTOR_DEAL_PROPERTY, [CONNECTOR_DEAL_PROPERTY, 'dealname', 'pipeline', 'dealstage']);
}
