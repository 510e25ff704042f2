import type { Client } from '@hubspot/api-client';
import { chunks } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md#batch).
const BATCH_LIMIT = 100;

/**
 * The live deals whose unique-value `property` holds these values: batch read with `idProperty`
 * (docs/hubspot-api.md#unique-value-properties), 100 values a call. Returns value → deal id;
 * values no deal holds are absent (HubSpot reports them as one OBJECT_NOT_FOUND error of a 207).
 */
export async function findDealsByProperty(client: Client, property: string, values: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const chunk of chunks([...new Set(values)], BATCH_LIMIT)) {
    try {
      const response = (await client.crm.deals.batchApi.read({ inputs: chunk.map((id) => ({ id })), idProperty: property, properties: [property], propertiesWithHistory: [] })) as {
        results: { id: string; properties: Record<string, string | null> }[];
      };
      for (const deal of response.results) {
        const value = deal.properties[property];
        if (value) found.set(value, deal.id);
      }
    } catch (error) {
      throw classifyHubSpotError(error);
    }
  }
  return found;
}
