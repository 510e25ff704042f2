import type { Connection } from 'jsforce';
import type { CampaignFigureRole, CampaignState } from '../domain/feedback/campaigns.ts';
import type { Rejection } from '../errors/index.ts';
import type { CampaignInfo, ConvertedLead, FeedbackCapabilities, KeysetCursor, LeadSnapshot, LeadStatusHistoryRow, OpportunitySnapshot, StageChange } from '../domain/feedback/types.ts';
import { type FeedbackFields, feedbackCapabilities } from './feedbackCapabilities.ts';
import { pullChangedLeads } from './pullChangedLeads.ts';
import { pullChangedOpportunities } from './pullChangedOpportunities.ts';
import { readCampaigns } from './readCampaigns.ts';
import { readCampaignStates } from './readCampaignStates.ts';
import { readPastMemberFacts } from './readPastMemberFacts.ts';
import type { PastMemberFacts } from '../domain/feedback/past-members.ts';
import { updateRecords } from './updateRecords.ts';
import { readConvertedLeads } from './readConvertedLeads.ts';
import { readLeadStatusHistory } from './readLeadStatusHistory.ts';
import { readStageHistory } from './readStageHistory.ts';

/**
 * Salesforce as the won/lost feedback reads it (its FeedbackSource), over the one-operation files
 * beside it. Every call goes through the connection's gate (budgets, deadline, session refresh).
 * The pulls read the fields the org has: what capabilities() found last, asked first if it was not.
 */
export class SalesforceFeedback {
  readonly #conn: Connection;
  readonly #fields: FeedbackFields;
  #capabilities: FeedbackCapabilities | undefined;

  constructor(conn: Connection, fields: FeedbackFields) {
    this.#conn = conn;
    this.#fields = { ...fields };
  }

  /** Asked once per run (at most 3 calls): FieldDefinition for Lead.Status history, describe of Opportunity and Lead. */
  async capabilities(): Promise<FeedbackCapabilities> {
    this.#capabilities = await feedbackCapabilities(this.#conn, this.#fields);
    return this.#capabilities;
  }

  async *changedLeads(options: { after: KeysetCursor; until: number }): AsyncGenerator<{ leads: LeadSnapshot[]; cursor: KeysetCursor }> {
    yield* pullChangedLeads(this.#conn, this.#fields, await this.#known(), options);
  }

  leadStatusHistory(leadIds: readonly string[]): Promise<LeadStatusHistoryRow[]> {
    return readLeadStatusHistory(this.#conn, leadIds);
  }

  async *changedOpportunities(options: { after: KeysetCursor; until: number; multiCurrency: boolean }): AsyncGenerator<{ opportunities: OpportunitySnapshot[]; cursor: KeysetCursor }> {
    yield* pullChangedOpportunities(this.#conn, this.#fields, await this.#known(), options);
  }

  stageHistory(opportunityIds: readonly string[]): Promise<Map<string, StageChange[]>> {
    return readStageHistory(this.#conn, opportunityIds);
  }

  convertedLeads(opportunityIds: readonly string[]): Promise<Map<string, ConvertedLead[]>> {
    return readConvertedLeads(this.#conn, this.#fields.externalIdField, opportunityIds);
  }

  campaigns(campaignIds: readonly string[]): Promise<Map<string, CampaignInfo>> {
    return readCampaigns(this.#conn, campaignIds);
  }

  /** Campaigns by id or name with costs, won roll-ups and their figure fields: one composite call per 1,500. */
  campaignStates(options: { ids: readonly string[]; names: readonly string[]; fields: Record<CampaignFigureRole, string> }): Promise<CampaignState[]> {
    return readCampaignStates(this.#conn, options);
  }

  /** Campaign figures and opportunities' Primary Campaign Source: one Collections update per 200. */
  updateRecords(sobject: 'Campaign' | 'Opportunity', updates: readonly { id: string; fields: Record<string, unknown> }[]): Promise<{ updated: string[]; rejections: Rejection[] }> {
    return updateRecords(this.#conn, sobject, updates);
  }

  /** Past hand-offs' campaigns, records and memberships: two composite reads (each up to five queries of 300 ids). */
  pastMemberFacts(options: { names: readonly string[]; leadIds: readonly string[]; contactIds: readonly string[] }): Promise<PastMemberFacts> {
    return readPastMemberFacts(this.#conn, options);
  }

  async #known(): Promise<FeedbackCapabilities> {
    return this.#capabilities ?? (await this.capabilities());
  }
}
