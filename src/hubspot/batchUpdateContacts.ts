import type { Client } from '@hubspot/api-client';
import { InvalidRecord } from '../errors.ts';
import type { BeforeCall } from './client.ts';
import { HubSpotBadRequest, toHubSpotError } from './errors.ts';

export interface ContactUpdate {
  id: string;
  properties: Record<string, string>;
}

export interface BatchUpdateResult {
  updated: string[];
  /** Contacts HubSpot no longer has (deleted or merged away): reported per record in a 207. */
  missing: string[];
  /** Records HubSpot refused for themselves (isolated from a 400): dead-letter them. */
  invalid: InvalidRecord[];
  calls: number;
}

// "Object API batch endpoints are limited to 100 inputs per request" (API_NOTES §2).
const BATCH_LIMIT = 100;

/**
 * Writes properties back, 100 contacts a call. A 207 reports missing contacts per record; a 400
 * refuses the whole batch for one bad input, so the batch is split in halves until the bad
 * record stands alone and is reported with HubSpot's message — the others are written.
 */
export async function batchUpdateContacts(client: Client, updates: readonly ContactUpdate[], beforeCall?: BeforeCall): Promise<BatchUpdateResult> {
  const result: BatchUpdateResult = { updated: [], missing: [], invalid: [], calls: 0 };
  for (let i = 0; i < updates.length; i += BATCH_LIMIT) await write(client, updates.slice(i, i + BATCH_LIMIT), beforeCall, result);
  return result;
}

async function write(client: Client, inputs: readonly ContactUpdate[], beforeCall: BeforeCall | undefined, result: BatchUpdateResult): Promise<void> {
  if (inputs.length === 0) return;
  await beforeCall?.('standard');
  result.calls += 1;
  try {
    const response = (await client.crm.contacts.batchApi.update({ inputs: inputs.map((u) => ({ id: u.id, properties: u.properties })) })) as {
      results: { id: string }[];
      errors?: { category?: string; context?: { ids?: string[] } }[];
    };
    result.updated.push(...response.results.map((r) => r.id));
    for (const error of response.errors ?? []) result.missing.push(...(error.context?.ids ?? []));
  } catch (raw) {
    const error = toHubSpotError(raw);
    if (!(error instanceof HubSpotBadRequest)) throw error;
    if (inputs.length === 1) {
      result.invalid.push(new InvalidRecord('hubspot', inputs[0]!.id, error.category, error.message, error.body));
      return;
    }
    const half = Math.ceil(inputs.length / 2);
    await write(client, inputs.slice(0, half), beforeCall, result);
    await write(client, inputs.slice(half), beforeCall, result);
  }
}
