import type { Client } from '@hubspot/api-client';
import type { DealPropertySpec } from '../domain/setup.ts';
import { classifyHubSpotError } from './errors.ts';
import { ensureProperties } from './properties.ts';

/**
 * Creates the deal properties leadloop writes that are missing (the unique opportunity-id
 * property, the competitor), in `group`: whether an existing property is unique reads from
 * `dealProperties`.
 */
export function ensureDealProperties(client: Client, group: { name: string; label: string }, properties: readonly DealPropertySpec[]): Promise<string[]> {
  return ensureProperties(client, 'deals', group, properties);
}

/** Every deal property's type (string, number, datetime, enumeration, bool), whether its values are unique, and an enumeration's option values, by internal name. */
export async function dealProperties(client: Client): Promise<Map<string, { type: string; hasUniqueValue: boolean; options: string[] }>> {
  try {
    const all = await client.crm.properties.coreApi.getAll('deals');
    return new Map(all.results.map((p) => [p.name, { type: p.type, hasUniqueValue: p.hasUniqueValue === true, options: (p.options ?? []).map((o) => o.value) }]));
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}
