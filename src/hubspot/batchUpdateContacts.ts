import type { Client } from '@hubspot/api-client';
import { RequestRefused, type Rejection } from '../errors/index.ts';
import { classifyHubSpotError } from './errors.ts';

export interface ContactUpdate {
  contactId: string;
  properties: Record<string, string>;
}

export interface BatchUpdateResult {
  updated: string[];
  /** Contacts HubSpot no longer has (deleted or merged away): reported per record in a 207. */
  missing: string[];
  /** Records HubSpot refused for themselves (isolated from a 400): dead-letter them. */
  rejections: Rejection[];
}

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md, "Batch").
const BATCH_LIMIT = 100;

/**
 * Writes properties back, 100 contacts a call. A 207 reports missing contacts per record; a 400
 * refuses the whole batch for one bad input, so the batch is split in halves until the bad
 * record stands alone and is reported with HubSpot's category and property names — the others are
 * written.
 */
export async function batchUpdateContacts(client: Client, updates: readonly ContactUpdate[]): Promise<BatchUpdateResult> {
  const result: BatchUpdateResult = { updated: [], missing: [], rejections: [] };
  for (let i = 0; i < updates.length; i += BATCH_LIMIT) await write(client, updates.slice(i, i + BATCH_LIMIT), result);
  return result;
}

async function write(client: Client, inputs: readonly ContactUpdate[], result: BatchUpdateResult): Promise<void> {
  if (inputs.length === 0) return;
  try {
    const response = (await client.crm.contacts.batchApi.update({ inputs: inputs.map((u) => ({ id: u.contactId, properties: u.properties })) })) as {
      results: { id: string }[];
      errors?: { category?: string; context?: { ids?: string[] } }[];
    };
    result.updated.push(...response.results.map((r) => r.id));
    for (const error of response.errors ?? []) result.missing.push(...(error.context?.ids ?? []));
  } catch (raw) {
    const error = classifyHubSpotError(raw);
    if (!(error instanceof RequestRefused) || error.status !== 400) throw error;
    if (inputs.length === 1) {
      result.rejections.push({ system: 'hubspot', recordKey: inputs[0]!.contactId, code: error.vendorCode, fields: [...error.fields] });
      return;
    }
    const half = Math.ceil(inputs.length / 2);
    await write(client, inputs.slice(0, half), result);
    await write(client, inputs.slice(half), result);
  }
}
