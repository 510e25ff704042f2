import type { Client } from '@hubspot/api-client';
import type { DealWrite } from '../domain/feedback/types.ts';
import type { Rejection } from '../errors/index.ts';
import { associateDeals } from './associateDeals.ts';
import { batchArchiveDeals } from './batchArchiveDeals.ts';
import { batchCreateDeals } from './batchCreateDeals.ts';
import { batchUpdateDeals } from './batchUpdateDeals.ts';
import type { DealPropertySpec } from '../domain/setup.ts';
import { dealProperties, ensureDealProperties } from './dealProperties.ts';
import { findConnectorSyncedDeal } from './findConnectorSyncedDeal.ts';
import { type PipelineStages, pipelineStages } from './pipelineStages.ts';
import { readPrimaryCompanies } from './readPrimaryCompanies.ts';

/**
 * HubSpot's deals as the won/lost feedback writes them (the pipeline's DealSink, matched
 * structurally) and the deal facts `leadloop setup` and preflight read, over the one-operation
 * files beside it. Each deal is keyed by its Salesforce opportunity id in the unique-value deal
 * property `opportunityIdProperty` (docs/hubspot-api.md#unique-value-properties). Every call goes
 * through the client's gate (budgets, deadline).
 */
export class HubSpotDeals {
  readonly #client: Client;
  readonly #property: string;

  constructor(client: Client, options: { opportunityIdProperty: string }) {
    this.#client = client;
    this.#property = options.opportunityIdProperty;
  }

  /** Each contact's primary company, where it has one (associations v4 batch read, 100 contacts a call). */
  primaryCompanies(contactIds: readonly string[]): Promise<Map<string, string>> {
    return readPrimaryCompanies(this.#client, contactIds);
  }

  /** Creates deals with their associations inline; a deal already holding the opportunity id comes back in `existing`. */
  createDeals(deals: readonly DealWrite[]): Promise<{ created: Map<string, string>; existing: Map<string, string>; rejections: Rejection[] }> {
    return batchCreateDeals(this.#client, this.#property, deals);
  }

  /**
   * Updates deals by the unique property, then adds the default associations with their contacts
   * and companies (idempotent: the ones a deal has stay as they are); an opportunity with no deal
   * comes back in `missing`.
   */
  async updateDeals(deals: readonly DealWrite[]): Promise<{ updated: Map<string, string>; missing: string[]; rejections: Rejection[] }> {
    const result = await batchUpdateDeals(this.#client, this.#property, deals);
    const links = deals.flatMap((deal) => {
      const dealId = result.updated.get(deal.opportunityId);
      return dealId && deal.contactIds.length + deal.companyIds.length > 0 ? [{ dealId, contactIds: deal.contactIds, companyIds: deal.companyIds }] : [];
    });
    if (links.length > 0) await associateDeals(this.#client, links);
    return result;
  }

  /** Archives the deals of deleted opportunities; ones already gone count as archived. */
  async archiveDeals(opportunityIds: readonly string[]): Promise<{ archived: string[]; rejections: Rejection[] }> {
    const { archived } = await batchArchiveDeals(this.#client, this.#property, opportunityIds);
    return { archived, rejections: [] };
  }

  /** Every deal property's type, by internal name. */
  async dealPropertyTypes(): Promise<Map<string, string>> {
    return new Map([...(await dealProperties(this.#client))].map(([name, p]) => [name, p.type]));
  }

  /** Every deal property's type and whether its values are unique (preflight: the opportunity-id property must be). */
  dealProperties(): Promise<Map<string, { type: string; hasUniqueValue: boolean; options: string[] }>> {
    return dealProperties(this.#client);
  }

  /** Creates the missing deal properties in `group` (the opportunity-id one with hasUniqueValue); returns the names created. */
  ensureDealProperties(group: { name: string; label: string }, properties: readonly DealPropertySpec[]): Promise<string[]> {
    return ensureDealProperties(this.#client, group, properties);
  }

  /** A deal pipeline's label and stages, or undefined when it does not exist. */
  pipelineStages(pipelineId: string): Promise<PipelineStages | undefined> {
    return pipelineStages(this.#client, pipelineId);
  }

  /** A deal HubSpot's own Salesforce connector synced, if any. */
  connectorSyncedDeal(): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
    return findConnectorSyncedDeal(this.#client);
  }
}
