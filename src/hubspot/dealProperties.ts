import type { Client } from '@hubspot/api-client';
import { classifyHubSpotError } from './errors.ts';

/** A deal property leadloop writes (the unique opportunity-id property, the competitor). */
export interface DealPropertySpec {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  /** Set only when the property is created; it cannot be changed afterwards (docs/hubspot-api.md#unique-value-properties). */
  hasUniqueValue?: boolean;
}

/**
 * Creates the deal properties leadloop writes that are missing, in the deal property group
 * `group` (created when missing), in one batch create (`leadloop setup`). Returns the names
 * created; existing properties are left as they are, a unique one included: whether an existing
 * property is unique reads from `dealProperties`.
 */
export async function ensureDealProperties(client: Client, group: { name: string; label: string }, properties: readonly DealPropertySpec[]): Promise<string[]> {
  try {
    const existing = new Set((await client.crm.properties.coreApi.getAll('deals')).results.map((p) => p.name));
    const missing = properties.filter((p) => !existing.has(p.name));
    if (missing.length === 0) return [];
    const groups = new Set((await client.crm.properties.groupsApi.getAll('deals')).results.map((g) => g.name));
    if (!groups.has(group.name)) await client.crm.properties.groupsApi.create('deals', { name: group.name, label: group.label, displayOrder: -1 });
    await client.crm.properties.batchApi.create('deals', {
      inputs: missing.map((p) => ({
        name: p.name,
        label: p.label,
        type: p.type as never,
        fieldType: p.fieldType as never,
        groupName: group.name,
        ...(p.hasUniqueValue ? { hasUniqueValue: true } : {}),
      })),
    });
    return missing.map((p) => p.name);
  } catch (error) {
    throw classifyHubSpotError(error);
  }
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
