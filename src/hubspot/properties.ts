import type { Client } from '@hubspot/api-client';
import type { PortalProperty } from '../domain/portal-check.ts';
import type { WritebackProperty } from '../domain/setup.ts';
import { classifyHubSpotError } from './errors.ts';

/**
 * Creates the properties of `objectType` leadloop writes that are missing, in the property group
 * `group` (created when missing), in one batch create (`leadloop setup`). Returns the names
 * created; existing properties are left as they are — a unique one included (HubSpot sets
 * hasUniqueValue only when a property is created).
 */
export async function ensureProperties(
  client: Client,
  objectType: 'contacts' | 'deals',
  group: { name: string; label: string },
  properties: readonly (WritebackProperty & { hasUniqueValue?: boolean })[],
): Promise<string[]> {
  try {
    const existing = new Set((await client.crm.properties.coreApi.getAll(objectType)).results.map((p) => p.name));
    const missing = properties.filter((p) => !existing.has(p.name));
    if (missing.length === 0) return [];
    const groups = new Set((await client.crm.properties.groupsApi.getAll(objectType)).results.map((g) => g.name));
    if (!groups.has(group.name)) {
      await client.crm.properties.groupsApi.create(objectType, { name: group.name, label: group.label, displayOrder: -1 });
    }
    await client.crm.properties.batchApi.create(objectType, {
      inputs: missing.map((p) => ({
        name: p.name,
        label: p.label,
        type: p.type as never,
        fieldType: p.fieldType as never,
        groupName: group.name,
        ...(p.options ? { options: p.options.map((o, i) => ({ ...o, displayOrder: i, hidden: false })) } : {}),
        ...(p.hasUniqueValue ? { hasUniqueValue: true } : {}),
      })),
    });
    return missing.map((p) => p.name);
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}

/** The contact properties leadloop writes back, created in `group` when missing. */
export function ensureContactProperties(client: Client, group: { name: string; label: string }, properties: readonly WritebackProperty[]): Promise<string[]> {
  return ensureProperties(client, 'contacts', group, properties);
}

/** Every contact property's type (string, number, datetime, enumeration, bool), by internal name. */
export async function contactPropertyTypes(client: Client): Promise<Map<string, string>> {
  try {
    const all = await client.crm.properties.coreApi.getAll('contacts');
    return new Map(all.results.map((p) => [p.name, p.type]));
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}

/** Every contact property's definition: name, label, type and options (label and internal value). */
export async function contactPropertyDefinitions(client: Client): Promise<PortalProperty[]> {
  try {
    const all = await client.crm.properties.coreApi.getAll('contacts');
    return all.results.map((p) => ({ name: p.name, label: p.label, type: p.type, options: (p.options ?? []).map((o) => ({ label: o.label, value: o.value })) }));
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}
