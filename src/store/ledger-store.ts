import { sql, type Kysely } from 'kysely';
import type { ContactKeys } from '../domain/feedback/contact-keys.ts';
import type { EarliestHandoff, LeadStatusChange, OpportunityRecord, SourceFigures, UnlinkedOpportunity } from '../domain/feedback/types.ts';
import type { DecisionRecord, HandoffRecord, ScoreWrite } from '../domain/handoff/types.ts';
import type { Assignee } from '../domain/routing/types.ts';
import { contactsDueForReview } from './contactsDueForReview.ts';
import { backToMarketing } from './backToMarketing.ts';
import { contactOpportunities } from './contactOpportunities.ts';
import { dealFingerprints, setDealFingerprints } from './dealFingerprints.ts';
import { feedbackFigures } from './feedbackFigures.ts';
import { campaignFigures, opportunitiesLackingCampaign, recordCampaigns, setOpportunityCampaigns, storedCampaigns } from './campaignFigures.ts';
import type { LedgerCampaignFigures, StoredCampaign } from '../domain/feedback/campaigns.ts';
import type { ContactOpportunity } from '../domain/feedback/plan-hubspot.ts';
import { earliestHandoffs } from './earliestHandoffs.ts';
import type { PastHandoff } from '../domain/feedback/past-members.ts';
import { pastCampaignHandoffs } from './pastCampaignHandoffs.ts';
import { handedOffByDomain, handedOffByEmailKey } from './findHandedOffContacts.ts';
import { markOpportunitiesDeleted } from './markOpportunitiesDeleted.ts';
import { findDecisions, setDecisionSalesforceIds } from './findDecision.ts';
import { forgetContactScores } from './forgetContactScores.ts';
import { leadsOf, purgeContact } from './purgeContact.ts';
import { recordDecisions } from './recordDecision.ts';
import { contactsMissingKeys, recordContactKeys } from './recordContactKeys.ts';
import { installedAt } from './installedAt.ts';
import { recordHandoffs } from './recordHandoff.ts';
import { BEFORE_INSTALL_KEY, recordHeldBack } from './recordHeldBack.ts';
import { pruneTraces, recordTraces } from './decisionTraces.ts';
import type { TraceRecord } from '../domain/trace/batch-traces.ts';
import { recordLeadStatusChanges } from './recordLeadStatusChanges.ts';
import { recordOpportunities } from './recordOpportunities.ts';
import { recordScores } from './recordScores.ts';
import { rekeyContact } from './rekeyContact.ts';
import { rekeyFeedback } from './rekeyFeedback.ts';
import { routingFromLedger } from './routingFromLedger.ts';
import type { Decision, LedgerSchema } from './schema.ts';
import { unlinkedOpportunities } from './unlinkedOpportunities.ts';

/**
 * The ledger as the pipeline uses it (its LedgerPort): decisions, hand-offs and scores, over the
 * one-statement files beside it. Rows come back as leadloop's own shapes, not table rows.
 */
export class LedgerStore {
  readonly db: Kysely<LedgerSchema>;
  /** Cached once known (a plain field: tests wrap the store in proxies, which private fields refuse). */
  installedAtSeen: number | undefined;

  constructor(db: Kysely<LedgerSchema>) {
    this.db = db;
  }

  async findDecisions(contactIds: readonly string[], handoffKey: string) {
    const rows = await findDecisions(this.db, contactIds, handoffKey);
    return new Map([...rows].map(([id, row]) => [id, storedDecision(row)]));
  }

  recordDecisions(records: readonly DecisionRecord[], context: { decidedAt: number; configVersion: string }): Promise<Set<string>> {
    return recordDecisions(
      this.db,
      records.map((r) => ({
        hubspot_contact_id: r.contactId,
        handoff_key: r.handoffKey,
        decided_at: new Date(context.decidedAt),
        config_version: context.configVersion,
        score: r.score,
        grade: r.grade,
        mql: r.mql,
        handoff: true,
        reason: r.reason,
        owner_kind: r.ownerKind,
        owner_id: r.ownerId,
        owner_email: r.ownerEmail,
        rule: r.rule,
        notify: r.notify,
        trace: r.trace,
        salesforce_id: null,
        rotation_team: r.rotation?.team ?? null,
        rotation_next: r.rotation?.next ?? null,
      })),
    );
  }

  recordTraces(records: readonly TraceRecord[], context: { decidedAt: number; configVersion: string }): Promise<void> {
    // A held-back contact's trace sits beside its decision, under the decision's key.
    return recordTraces(
      this.db,
      records.map((r) => (r.kind === 'held-back' ? { ...r, handoffKey: BEFORE_INSTALL_KEY } : r)),
      context,
    );
  }

  pruneTraces(before: number): Promise<number> {
    return pruneTraces(this.db, before);
  }

  recordHandoffs(rows: readonly HandoffRecord[]): Promise<void> {
    return recordHandoffs(
      this.db,
      rows.map((h) => ({
        hubspot_contact_id: h.contactId,
        handoff_key: h.handoffKey,
        handed_off_at: new Date(h.handedOffAt),
        salesforce_object: h.object,
        salesforce_id: h.salesforceId,
        outcome: h.outcome,
        owner_kind: h.ownerKind,
        owner_id: h.ownerId,
        grade: h.grade,
        score: h.score,
        reason: h.reason,
        source: h.source,
        campaign: h.campaign,
      })),
    );
  }

  setLandedIds(landed: ReadonlyMap<string, string>, handoffKey: string): Promise<void> {
    return setDecisionSalesforceIds(this.db, landed, handoffKey);
  }

  recordScores(scores: readonly ScoreWrite[], context: { scoredAt: number; configVersion: string }): Promise<void> {
    return recordScores(
      this.db,
      scores.map((s) => ({
        hubspot_contact_id: s.contactId,
        score: s.score,
        grade: s.grade,
        mql: s.mql,
        scored_at: new Date(context.scoredAt),
        config_version: context.configVersion,
        review_at: s.reviewAt === null ? null : new Date(s.reviewAt),
        source: s.source ?? null,
        campaign: s.campaign ?? null,
      })),
    );
  }

  forgetScores(contactIds: readonly string[]): Promise<number> {
    return forgetContactScores(this.db, contactIds);
  }

  async dueForReview(options: { now: number; limit: number; after?: { reviewAt: number; contactId: string } }) {
    const rows = await contactsDueForReview(this.db, {
      now: options.now,
      limit: options.limit,
      ...(options.after ? { after: { reviewAt: new Date(options.after.reviewAt), id: options.after.contactId } } : {}),
    });
    return rows.map((r) => ({ contactId: r.hubspot_contact_id, reviewAt: new Date(r.review_at).getTime(), grade: r.grade, mql: r.mql }));
  }

  async grades(contactIds: readonly string[]): Promise<Map<string, { grade: string; mql: boolean }>> {
    if (contactIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('contact_scores')
      .select(['hubspot_contact_id', 'grade', 'mql'])
      .where('hubspot_contact_id', 'in', [...contactIds])
      .execute();
    return new Map(rows.map((r) => [r.hubspot_contact_id, { grade: r.grade, mql: r.mql }]));
  }

  rekeyContact(fromContactId: string, toContactId: string): Promise<{ moved: boolean }> {
    return rekeyContact(this.db, fromContactId, toContactId);
  }

  /** When leadloop first saw a contact: fixed once set, so asked of the database once. */
  async installedAt(): Promise<number | undefined> {
    this.installedAtSeen ??= await installedAt(this.db);
    return this.installedAtSeen;
  }

  recordHeldBack(rows: Parameters<typeof recordHeldBack>[1], context: { decidedAt: number; configVersion: string }): Promise<number> {
    return recordHeldBack(this.db, rows, context);
  }

  leadsOf(contactId: string): Promise<{ created: string[]; adopted: string[] }> {
    return leadsOf(this.db, contactId);
  }

  purgeContact(contactId: string): Promise<{ decisions: number; handoffs: number; leadStatusChanges: number; opportunityLinks: number; contactKeys: number }> {
    return purgeContact(this.db, contactId);
  }

  // The feedback (its FeedbackLedgerPort): what sales did with the leads, and what it needs to link opportunities.

  recordLeadStatusChanges(changes: readonly LeadStatusChange[]): Promise<number> {
    return recordLeadStatusChanges(this.db, changes);
  }

  recordOpportunities(records: readonly OpportunityRecord[], at: number): Promise<void> {
    return recordOpportunities(this.db, records, at);
  }

  markOpportunitiesDeleted(opportunityIds: readonly string[], at: number): Promise<number> {
    return markOpportunitiesDeleted(this.db, opportunityIds, at);
  }

  dealFingerprints(opportunityIds: readonly string[]): Promise<Map<string, string>> {
    return dealFingerprints(this.db, opportunityIds);
  }

  setDealFingerprints(fingerprints: ReadonlyMap<string, string>): Promise<void> {
    return setDealFingerprints(this.db, fingerprints);
  }

  recordContactKeys(keys: readonly ContactKeys[], at: number): Promise<void> {
    return recordContactKeys(this.db, keys, at);
  }

  contactsMissingKeys(options: { limit: number; after?: string }): Promise<string[]> {
    return contactsMissingKeys(this.db, options);
  }

  handedOffByEmailKey(emailKeys: readonly string[]): Promise<Map<string, string[]>> {
    return handedOffByEmailKey(this.db, emailKeys);
  }

  handedOffByDomain(domains: readonly string[]): Promise<Map<string, string[]>> {
    return handedOffByDomain(this.db, domains);
  }

  earliestHandoffs(contactIds: readonly string[]): Promise<Map<string, EarliestHandoff>> {
    return earliestHandoffs(this.db, contactIds);
  }

  unlinkedOpportunities(options: { limit: number; after?: string }): Promise<UnlinkedOpportunity[]> {
    return unlinkedOpportunities(this.db, options);
  }

  rekeyFeedback(fromContactId: string, toContactId: string): Promise<{ moved: boolean }> {
    return rekeyFeedback(this.db, fromContactId, toContactId);
  }

  backToMarketing(contactIds: readonly string[]): Promise<Map<string, { since: number; class: 'disqualified' | 'recycled' | 'lost' }>> {
    return backToMarketing(this.db, contactIds);
  }

  contactOpportunities(contactIds: readonly string[]): Promise<Map<string, ContactOpportunity[]>> {
    return contactOpportunities(this.db, contactIds);
  }

  feedbackFigures(): Promise<{ bySource: SourceFigures[]; unlinked: number }> {
    return feedbackFigures(this.db);
  }

  campaignFigures(): Promise<LedgerCampaignFigures> {
    return campaignFigures(this.db);
  }

  opportunitiesLackingCampaign(): Promise<{ opportunityId: string; campaign: string }[]> {
    return opportunitiesLackingCampaign(this.db);
  }

  setOpportunityCampaigns(campaigns: readonly { opportunityId: string; campaignId: string }[]): Promise<void> {
    return setOpportunityCampaigns(this.db, campaigns);
  }

  recordCampaigns(campaigns: readonly StoredCampaign[], at: number): Promise<void> {
    return recordCampaigns(this.db, campaigns, at);
  }

  storedCampaigns(): Promise<StoredCampaign[]> {
    return storedCampaigns(this.db);
  }

  pastCampaignHandoffs(options: { after: number; limit: number }): Promise<PastHandoff[]> {
    return pastCampaignHandoffs(this.db, options);
  }

  /** Resolves when the database answers (`/readyz`). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Round-robin positions and a day's loads as the ledger's decisions say (Redis lost them). */
  routingState(day: string) {
    return routingFromLedger(this.db, day);
  }
}

function storedDecision(row: Decision): { contactId: string; grade: 'hot' | 'warm' | 'cold'; assignee: Assignee; notify: string[]; landedId: string | null } {
  const assignee: Assignee =
    row.owner_kind === 'queue'
      ? { kind: 'queue', queue: row.owner_email ?? 'queue', salesforceQueue: row.owner_email ?? '', ...(row.owner_id ? { salesforceQueueId: row.owner_id } : {}) }
      : row.owner_kind === 'salesforce_assignment_rules'
        ? { kind: 'salesforce_assignment_rules' }
        : { kind: 'user', ...(row.owner_id ? { salesforceUserId: row.owner_id } : {}), ...(row.owner_email ? { email: row.owner_email } : {}) };
  return { contactId: row.hubspot_contact_id, grade: row.grade, assignee, notify: (row.notify as { email: string }[]).map((n) => n.email), landedId: row.salesforce_id };
}
