import type { Client } from '@hubspot/api-client';
import { classifyHubSpotError } from './errors.ts';

/**
 * How many contacts the account holds, for a progress estimate: one search call with `limit: 1`
 * returns `total` (search counts without its 10,000-result paging cap; archived contacts are
 * not counted, as the list endpoint does not return them either).
 */
export async function countContacts(client: Client): Promise<number> {
  try {
    const page = await client.crm.contacts.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['hs_object_id'], limit: 1, after: '0' } as never);
    return page.total;
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}
