import type { Client } from '@hubspot/api-client';
import { RequestRefused } from '../errors/index.ts';
import { classifyHubSpotError } from './errors.ts';

/**
 * One record of `objectType` that HubSpot's own Salesforce connector synced, if any: a single
 * search (limit 1) for records with the connector's `property` set. A portal without the
 * connector may not have the property at all, and HubSpot answers a filter on an unknown property
 * with a 400 (the sandbox's body says PROPERTY_DOESNT_EXIST; the real wording is unconfirmed): the
 * request is fixed, so any 400 here means no connector, not a failure.
 */
export async function findConnectorSynced(
  client: Client,
  objectType: 'contacts' | 'deals',
  property: string,
  properties: readonly string[],
): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
  try {
    const page = await client.crm[objectType].searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: property, operator: 'HAS_PROPERTY' as never }] }],
      properties: [...properties],
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
