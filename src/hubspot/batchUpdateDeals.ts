import type { Client } from '@hubspot/api-client';
import type { DealWrite } from '../domain/feedback/types.ts';
import { RequestRefused, type Rejection } from '../errors/index.ts';
import { type BatchError, chunks, errorCode, errorProperties } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';
import { findDealsByProperty } from './findDealsByProperty.ts';

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md#batch).
const BATCH_LIMIT = 100;

export interface UpdateDealsResult {
  /** Opportunity id → id of the deal updated. */
  updated: Map<string, string>;
  /** Opportunities no live deal holds (never created, or archived in HubSpot). */
  missing: string[];
  rejections: Rejection[];
}

/**
 * Updates deals by the unique property: batch update, 100 a call, each input's id the opportunity
 * id with `idProperty` (docs/hubspot-api.md#unique-value-properties). The unique property is
 * written too, with the value it has, so each result names its opportunity whatever order
 * HubSpot answers in. Opportunities no deal holds come back as OBJECT_NOT_FOUND in a 207:
 * `missing`. A batch HubSpot refuses whole for one bad input is halved until that input stands
 * alone and becomes a rejection; the others are written.
 */
export async function batchUpdateDeals(client: Client, property: string, deals: readonly DealWrite[]): Promise<UpdateDealsResult> {
  const result: UpdateDealsResult = { updated: new Map(), missing: [], rejections: [] };
  const unique = new Map<string, DealWrite>();
  for (const deal of deals) unique.set(deal.opportunityId, deal);
  for (const chunk of chunks([...unique.values()], BATCH_LIMIT)) await write(client, property, chunk, result);
  return result;
}

/** A batch update's answer (200 or 207) as the SDK returns it. */
type BatchAnswer = { results: { id: string; properties: Record<string, string | null> }[]; errors?: BatchError[] };

async function write(client: Client, property: string, inputs: DealWrite[], result: UpdateDealsResult): Promise<void> {
  if (inputs.length === 0) return;
  let response: BatchAnswer;
  try {
    response = (await client.crm.deals.batchApi.update({
      inputs: inputs.map((deal) => ({ id: deal.opportunityId, idProperty: property, properties: { ...deal.properties, [property]: deal.opportunityId }, objectWriteTraceId: deal.opportunityId })),
    })) as BatchAnswer;
  } catch (raw) {
    const error = classifyHubSpotError(raw);
    if (!(error instanceof RequestRefused) || (error.status !== 400 && error.status !== 404 && error.status !== 409)) throw error;
    if (inputs.length === 1) {
      const body = ((raw as { body?: unknown }).body ?? {}) as BatchError;
      // A batch of one refused as not found: the opportunity has no deal (not a rejection).
      if (error.status === 404 || body.category === 'OBJECT_NOT_FOUND') result.missing.push(inputs[0]!.opportunityId);
      else result.rejections.push({ system: 'hubspot', recordKey: inputs[0]!.opportunityId, code: error.vendorCode, fields: [...error.fields] });
      return;
    }
    const half = Math.ceil(inputs.length / 2);
    await write(client, property, inputs.slice(0, half), result);
    await write(client, property, inputs.slice(half), result);
    return;
  }
  const named = new Set<string>();
  for (const deal of response.results) {
    const opportunityId = deal.properties[property];
    if (!opportunityId) continue;
    result.updated.set(opportunityId, deal.id);
    named.add(opportunityId);
  }
  for (const error of response.errors ?? []) {
    if (error.category === 'OBJECT_NOT_FOUND') {
      for (const id of error.context?.ids ?? []) {
        result.missing.push(id);
        named.add(id);
      }
      continue;
    }
    const opportunityId = error.context?.objectWriteTraceId?.[0];
    if (!opportunityId) continue;
    result.rejections.push({ system: 'hubspot', recordKey: opportunityId, code: errorCode(error), fields: errorProperties(error) });
    named.add(opportunityId);
  }
  // An input the answer names neither way: its deal, if any, is read by the unique property.
  const unnamed = inputs.filter((d) => !named.has(d.opportunityId)).map((d) => d.opportunityId);
  if (unnamed.length > 0) {
    const holders = await findDealsByProperty(client, property, unnamed);
    for (const opportunityId of unnamed) {
      const dealId = holders.get(opportunityId);
      if (dealId) result.updated.set(opportunityId, dealId);
      else result.missing.push(opportunityId);
    }
  }
}
