import { AssociationTypes, type Client } from '@hubspot/api-client';
import type { DealWrite } from '../domain/feedback/types.ts';
import { RequestRefused, type Rejection } from '../errors/index.ts';
import { type BatchError, chunks, errorCode, errorProperties, isUniqueConflict } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';
import { findDealsByProperty } from './findDealsByProperty.ts';

// "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md#batch).
const BATCH_LIMIT = 100;
/** Rounds of one chunk: a conflict looked up, an association to a vanished record dropped, then sent again. */
const MAX_ROUNDS = 4;

export interface CreateDealsResult {
  /** Opportunity id → id of the deal this call created. */
  created: Map<string, string>;
  /** Opportunity id → id of the deal that already held it in the unique property. */
  existing: Map<string, string>;
  rejections: Rejection[];
}

const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as never;

/** The inline associations of a new deal: its contacts (deal_to_contact 3), its first company as primary (5), the others unlabelled (341). */
function associationsOf(deal: DealWrite) {
  const to = (id: string, typeId: number) => ({ to: { id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: typeId }] });
  return [
    ...deal.contactIds.map((id) => to(id, AssociationTypes.dealToContact)),
    ...deal.companyIds.map((id, i) => to(id, i === 0 ? AssociationTypes.primaryDealToCompany : AssociationTypes.dealToCompany)),
  ];
}

/**
 * Creates deals with their associations inline, 100 a call, the opportunity id in the unique
 * property `property` (docs/hubspot-api.md#unique-value-properties). Each input carries its
 * opportunity id as `objectWriteTraceId`, so HubSpot reports a refused input on its own in a 207
 * and creates the rest (docs/hubspot-api.md#batch).
 *
 * A deal whose opportunity id a deal already holds (written before, its answer lost) is not a
 * rejection: the holders are found by a batch read by the unique property and come back in
 * `existing`. That works whether HubSpot refuses such an input in a 207 or (as it does for a
 * contact's duplicate email, naming only the first) refuses the whole batch with a 409: then the
 * batch's opportunity ids are looked up, the found ones set aside, and the rest sent again.
 * An association to a record that no longer exists is dropped and the deal sent again; any other
 * refusal of one input is a rejection, isolated by halving a batch HubSpot refuses whole.
 */
export async function batchCreateDeals(client: Client, property: string, deals: readonly DealWrite[]): Promise<CreateDealsResult> {
  const result: CreateDealsResult = { created: new Map(), existing: new Map(), rejections: [] };
  const unique = new Map<string, DealWrite>();
  for (const deal of deals) unique.set(deal.opportunityId, deal);
  for (const chunk of chunks([...unique.values()], BATCH_LIMIT)) await createChunk(client, property, chunk, result);
  return result;
}

async function createChunk(client: Client, property: string, chunk: DealWrite[], result: CreateDealsResult): Promise<void> {
  let pending = chunk;
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const { conflicts, retry } = await send(client, property, pending, result);
    if (conflicts.length > 0) {
      const holders = await findDealsByProperty(
        client,
        property,
        conflicts.map((d) => d.opportunityId),
      );
      for (const deal of conflicts) {
        const holder = holders.get(deal.opportunityId);
        if (holder) result.existing.set(deal.opportunityId, holder);
        // Refused as a duplicate, yet no live deal holds the value: it was archived meanwhile, try again.
        else retry.push(deal);
      }
    }
    pending = retry;
  }
  // Still refused after MAX_ROUNDS (a value held, then freed, again and again): give up on these for this run.
  for (const deal of pending) result.rejections.push({ system: 'hubspot', recordKey: deal.opportunityId, code: 'CONFLICT', fields: [property] });
}

/** A batch create's answer (200, 201 or 207) as the SDK returns it. */
type BatchAnswer = { results: { id: string; properties: Record<string, string | null> }[]; errors?: BatchError[] };

interface Sent {
  /** Inputs refused because their unique value is held: look the holders up. */
  conflicts: DealWrite[];
  /** Inputs to send again (an association dropped, or the batch refused for a conflict of others). */
  retry: DealWrite[];
}

async function send(client: Client, property: string, inputs: DealWrite[], result: CreateDealsResult): Promise<Sent> {
  const sent: Sent = { conflicts: [], retry: [] };
  if (inputs.length === 0) return sent;
  const byId = new Map(inputs.map((d) => [d.opportunityId, d]));
  let response: BatchAnswer;
  try {
    response = (await client.crm.deals.batchApi.create({
      inputs: inputs.map((deal) => ({ properties: { ...deal.properties, [property]: deal.opportunityId }, associations: associationsOf(deal), objectWriteTraceId: deal.opportunityId })),
    })) as BatchAnswer;
  } catch (raw) {
    const error = classifyHubSpotError(raw);
    if (!(error instanceof RequestRefused) || (error.status !== 400 && error.status !== 409)) throw error;
    const body = ((raw as { body?: unknown }).body ?? {}) as BatchError;
    if (isUniqueConflict(body, property) || error.status === 409) {
      // The whole batch was refused for a held value (HubSpot names the first one only): look them all up.
      const holders = await findDealsByProperty(client, property, [...byId.keys()]);
      if (holders.size > 0) {
        for (const [opportunityId, dealId] of holders) result.existing.set(opportunityId, dealId);
        sent.retry.push(...inputs.filter((d) => !holders.has(d.opportunityId)));
        return sent;
      }
    }
    if (inputs.length === 1) {
      refused(inputs[0]!, body, property, sent, result);
      return sent;
    }
    const half = Math.ceil(inputs.length / 2);
    for (const part of [inputs.slice(0, half), inputs.slice(half)]) {
      const more = await send(client, property, part, result);
      sent.conflicts.push(...more.conflicts);
      sent.retry.push(...more.retry);
    }
    return sent;
  }
  const named = new Set<string>();
  for (const deal of response.results) {
    const opportunityId = deal.properties[property];
    if (opportunityId) {
      result.created.set(opportunityId, deal.id);
      named.add(opportunityId);
    }
  }
  for (const error of response.errors ?? []) {
    const deal = byId.get(error.context?.objectWriteTraceId?.[0] ?? '');
    if (!deal) continue;
    named.add(deal.opportunityId);
    refused(deal, error, property, sent, result);
  }
  // An input the answer names neither way (a result without the property's value, an error
  // without its trace id): whether its deal exists is read by the unique property.
  const unnamed = inputs.filter((d) => !named.has(d.opportunityId));
  if (unnamed.length > 0) {
    const holders = await findDealsByProperty(
      client,
      property,
      unnamed.map((d) => d.opportunityId),
    );
    for (const deal of unnamed) {
      const holder = holders.get(deal.opportunityId);
      if (holder) result.created.set(deal.opportunityId, holder);
      else sent.retry.push(deal);
    }
  }
  return sent;
}

/** One input HubSpot refused: a held unique value, an association to a record that is gone, or a rejection. */
function refused(deal: DealWrite, error: BatchError, property: string, sent: Sent, result: CreateDealsResult): void {
  if (isUniqueConflict(error, property)) {
    sent.conflicts.push(deal);
    return;
  }
  const gone = new Set(error.context?.toObjectId ?? []);
  const lessContacts = deal.contactIds.filter((id) => !gone.has(id));
  const lessCompanies = deal.companyIds.filter((id) => !gone.has(id));
  if (gone.size > 0 && lessContacts.length + lessCompanies.length < deal.contactIds.length + deal.companyIds.length) {
    sent.retry.push({ ...deal, contactIds: lessContacts, companyIds: lessCompanies });
    return;
  }
  result.rejections.push({ system: 'hubspot', recordKey: deal.opportunityId, code: errorCode(error), fields: errorProperties(error) });
}
