import type { Client } from '@hubspot/api-client';
import { chunks } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';
import { findDealsByProperty } from './findDealsByProperty.ts';

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md#batch).
const BATCH_LIMIT = 100;

/**
 * Archives the deals of these opportunities: their ids found by a batch read by the unique
 * property, then batch archive by id, 100 a call. An opportunity no live deal holds is already
 * gone (archived before, or never created) and counts as archived. Returns the opportunity ids.
 */
export async function batchArchiveDeals(client: Client, property: string, opportunityIds: readonly string[]): Promise<{ archived: string[] }> {
  const unique = [...new Set(opportunityIds)];
  const found = await findDealsByProperty(client, property, unique);
  for (const chunk of chunks([...found.values()], BATCH_LIMIT)) {
    try {
      await client.crm.deals.batchApi.archive({ inputs: chunk.map((id) => ({ id })) });
    } catch (error) {
      throw classifyHubSpotError(error);
    }
  }
  return { archived: unique };
}
