import type { Client } from '@hubspot/api-client';
import { RequestRefused } from '../errors/index.ts';
import { classifyHubSpotError } from './errors.ts';

/** Contact properties HubSpot's own Salesforce connector fills on the records it syncs. */
export const CONNECTOR_PROPERTIES = ['salesforcelastsynctime', 'salesforceleadid', 'salesforcecontactid'] as const;

/**
 * One contact that HubSpot's Salesforce connector has synced, if any: a single search (limit 1)
 * for contacts with `salesforcelastsynctime` set. A portal without the connector may not have
 * the property at all, and HubSpot answers a filter on an unknown property with a 400
 * (PROPERTY_DOESNT_EXIST): that means no connector, not a failure.
 */
export async function findConnectorSyncedContact(client: Client): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
  try {
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: CONNECTOR_PROPERTIES[0], operator: 'HAS_PROPERTY' as never }] }],
      properties: [...CONNECTOR_PROPERTIES],
      limit: 1,
    } as never);
    const first = page.results[0];
    return first ? { id: first.id, properties: first.properties } : undefined;
  } catch (error) {
    const named = classifyHubSpotError(error);
    // The request is fixed, so the one thing HubSpot can refuse in it is the property: search
    // answers a filter on an unknown property with a 400 (the sandbox's body says
    // PROPERTY_DOESNT_EXIST; the real body's wording is unconfirmed). Any 400 here: no connector.
    if (named instanceof RequestRefused && named.status === 400) return undefined;
    throw named;
  }
}
