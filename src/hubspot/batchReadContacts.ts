import type { Client } from '@hubspot/api-client';
import type { Contact } from '../domain/contact.ts';
import { toContact } from './contact.ts';
import { classifyHubSpotError } from './errors.ts';

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md).
const BATCH_LIMIT = 100;

/** Reads many contacts at once, 100 a call (one batch read instead of a GET each); ids HubSpot does not have are listed (207 multi-status). */
export async function batchReadContacts(client: Client, ids: readonly string[], properties: readonly string[]): Promise<{ contacts: Contact[]; missing: string[] }> {
  const contacts: Contact[] = [];
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
    try {
      const response = (await client.crm.contacts.batchApi.read({ inputs: ids.slice(i, i + BATCH_LIMIT).map((id) => ({ id })), properties: [...properties], propertiesWithHistory: [] })) as {
        results: { id: string; properties: Record<string, string | null>; updatedAt: Date }[];
        errors?: { context?: { ids?: string[] } }[];
      };
      contacts.push(...response.results.map(toContact));
      for (const error of response.errors ?? []) missing.push(...(error.context?.ids ?? []));
    } catch (error) {
      throw classifyHubSpotError(error);
    }
  }
  return { contacts, missing };
}
