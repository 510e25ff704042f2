import type { Client } from '@hubspot/api-client';
import type { WritebackProperty } from '../domain/setup.ts';
import { classifyHubSpotError } from './errors.ts';

/**
 * Creates the properties leadloop writes back, in a `leadloop` group, when they are missing
 * (`leadloop setup`). Returns what it created; existing properties are left as they are.
 */
export async function ensureContactProperties(client: Client, group: { name: string; label: string }, properties: readonly WritebackProperty[]): Promise<string[]> {
  try {
    const existing = new Set((await client.crm.properties.coreApi.getAll('contacts')).results.map((p) => p.name));
    const missing = properties.filter((p) => !existing.has(p.name));
    if (missing.length === 0) return [];
    const groups = new Set((await client.crm.properties.groupsApi.getAll('contacts')).results.map((g) => g.name));
    if (!groups.has(group.name)) {
      await client.crm.properties.groupsApi.create('contacts', { name: group.name, label: group.label, displayOrder: -1 });
    }
    await client.crm.properties.batchApi.create('contacts', {
      inputs: missing.map((p) => ({
        name: p.name,
        label: p.label,
        type: p.type as never,
        fieldType: p.fieldType as never,
        groupName: group.name,
        ...(p.options ? { options: p.options.map((o, i) => ({ ...o, displayOrder: i, hidden: false })) } : {}),
      })),
    });
    return missing.map((p) => p.name);
  } catch (error) {
    throw classifyHubSpotError(error);
  }
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
