import type { LeadloopConfig } from '../domain/config/index.ts';
import type { DecisionRecord, FoundPeople, HandoffRecord, LeadFields, OwnerDirectory, RoutingState, ScoreWrite, StoredRouting, TaskWrite, WritebackWrite } from '../domain/handoff/types.ts';
import type { Observed } from '../domain/inputs.ts';
import type { Contact, ContactCursor } from '../domain/contact.ts';
import type { ContactKeys } from '../domain/feedback/contact-keys.ts';
import type {
  CampaignInfo,
  ConvertedLead,
  DealWrite,
  EarliestHandoff,
  FeedbackCapabilities,
  FeedbackFlow,
  KeysetCursor,
  LeadSnapshot,
  LeadStatusChange,
  LeadStatusHistoryRow,
  OpportunityRecord,
  OpportunitySnapshot,
  SourceFigures,
  StageChange,
  UnlinkedOpportunity,
} from '../domain/feedback/types.ts';
import type { ContactOpportunity } from '../domain/feedback/plan-hubspot.ts';
import type { PastHandoff, PastMemberFacts } from '../domain/feedback/past-members.ts';
import type { CampaignFigureRole, CampaignState, LedgerCampaignFigures, StoredCampaign } from '../domain/feedback/campaigns.ts';
import type { PortalProperty } from '../domain/portal-check.ts';
import type { TraceRecord } from '../domain/trace/batch-traces.ts';
import type { Rejection } from '../errors/index.ts';
import type { DealPropertySpec, DescribedObject, WritebackProperty } from '../domain/setup.ts';
import type { ObservedTouch } from '../domain/sla/plan-check.ts';
import type { ClocklessHandoff, Escalation, OpenClock, RecordObservation, SlaCapabilities, StartedClock, TouchKind } from '../domain/sla/types.ts';

// The pipeline's view of the world: leadloop's own interfaces, implemented by the adapters
// (src/hubspot, src/salesforce, src/store) and wired in one place (src/app.ts). The pipeline
// never sees an SDK client, a jsforce Connection or a Kysely instance.

export type { Contact, ContactCursor, DealWrite, FeedbackCapabilities, FeedbackFlow, KeysetCursor, HandoffRecord };

/** HubSpot's contacts: what the sync reads, and the write-back. */
export interface ContactSource {
  /** Contacts modified since the cursor up to `until`, a page at a time, each with the cursor after it. */
  modifiedSince(options: { cursor: ContactCursor; until: number; properties: readonly string[]; pageSize: number }): AsyncIterable<{ contacts: Contact[]; cursor: ContactCursor }>;
  /** Every contact through the list endpoint (no result cap), resumable from `after`. */
  all(options: { properties: readonly string[]; after?: string }): AsyncIterable<{ contacts: Contact[]; after: string | undefined }>;
  /** Many contacts by id; ids HubSpot does not have are `missing`. */
  read(ids: readonly string[], properties: readonly string[]): Promise<{ contacts: Contact[]; missing: string[] }>;
  /** How many contacts the account holds (for progress). */
  count(): Promise<number>;
  /** Writes properties back; records HubSpot refuses for themselves come back as rejections. */
  writeBack(updates: readonly WritebackWrite[]): Promise<{ updated: string[]; missing: string[]; rejections: Rejection[] }>;
}

/** An account as routing's index keeps it. */
export interface IndexedAccount {
  accountId: string;
  /** Normalised website domain; null when the website is empty or not a domain. */
  domain: string | null;
  ownerId: string;
  modifiedAt: number;
}

/** How to write leads: Salesforce's assignment and duplicate rules. */
export interface LeadWriteOptions {
  /** Leave owners to the org's lead assignment rules (no `Sforce-Auto-Assign: FALSE`). */
  useAssignmentRules: boolean;
  /** Save despite a duplicate-rule match. */
  allowDuplicateSave: boolean;
}

/** What a merge of HubSpot contacts did to their leads. */
export interface RekeyOutcome {
  rekeyed?: { leadId: string; fromContactId: string };
  /** Leads of merged contacts merged into the survivor's lead (Salesforce's merge): gone, their tasks moved to the master. */
  merged?: { masterId: string; mergedIds: string[] };
  /** Leads left as they are, for a person: a lead is converted, or Salesforce refused the merge (its code). */
  conflicts: { leadId: string; contactId: string; survivorLeadId?: string; reason: { kind: 'converted'; leadIds: string[] } | { kind: 'refused'; code: string } }[];
}

/** Salesforce, where hand-offs land. */
export interface LeadSink {
  /** Users and queues (refresh: read again now). */
  directory(options?: { refresh?: boolean }): Promise<OwnerDirectory>;
  /** Accounts changed at or after `since` (epoch ms), with normalised domains, a page at a time, for routing's account index. */
  accountsChangedSince(since: number): AsyncIterable<IndexedAccount[]>;
  /**
   * Who Salesforce holds for these contacts (by our external ID and by email), which of `taskKeys`
   * exist, and the campaigns of `campaignNames` with their member statuses and the memberships
   * they hold of these people: one read.
   */
  findPeople(contactIds: readonly string[], emails: readonly string[], taskKeys: readonly string[], campaignNames?: readonly string[]): Promise<FoundPeople>;
  /** Upserts leads by external ID and updates adopted ones by Id (one composite call where they fit). */
  writeLeads(
    upserts: readonly LeadFields[],
    adoptions: readonly LeadFields[],
    options: LeadWriteOptions,
  ): Promise<{
    /** By external ID (contact id): the lead's id and whether it was created. */
    upserted: Map<string, { id: string; created: boolean }>;
    /** Ids of the adopted leads that were written. */
    adopted: Set<string>;
    rejections: Rejection[];
  }>;
  /**
   * Creates campaigns, member statuses or campaign members (one Collections create, 200 a call, allOrNone false),
   * answered by the caller's keys; DUPLICATE_VALUE (already a member, a label the campaign has) counts as existing.
   */
  createCampaignRecords(
    sobject: 'Campaign' | 'CampaignMemberStatus' | 'CampaignMember',
    records: readonly { key: string; fields: Record<string, unknown> }[],
  ): Promise<{ created: Map<string, string>; existing: string[]; rejections: Rejection[] }>;
  /** Creates tasks (with their WhoId) not created before; a key another run created meanwhile counts as existing. */
  createTasks(tasks: readonly (TaskWrite & { whoId: string })[]): Promise<{ created: string[]; rejections: Rejection[] }>;
  /** After HubSpot merged contacts: a merged-away contact's lead is re-keyed to the survivor, or merged into the survivor's lead. */
  rekeyLeads(survivorId: string, mergedIds: readonly string[]): Promise<RekeyOutcome>;
  /** A privacy deletion's reach: delete the leads, or blank their personal fields. */
  eraseLeads(leadIds: readonly string[], mode: 'delete' | 'anonymise', anonymised: Record<string, string | null>): Promise<{ erased: string[]; rejections: Rejection[] }>;
  /** The leads that carry this contact's id in our external ID field (a write may have landed after the ledger was read). */
  leadsKeyedBy(contactId: string): Promise<{ id: string; isConverted: boolean }[]>;
  /** The tasks leadloop created for this contact (keyed `<contact>:…`): deleted, or their subject and comments blanked. */
  eraseTasks(contactId: string, mode: 'delete' | 'anonymise'): Promise<{ erased: string[]; rejections: Rejection[] }>;
}

/** A decision as the ledger holds it. */
export interface StoredDecision extends StoredRouting {
  contactId: string;
  grade: 'hot' | 'warm' | 'cold';
}

/** A contact the daily rescore must look at again. */
export interface DueContact {
  contactId: string;
  reviewAt: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
}

/** The ledger: decisions, hand-offs and scores (the system of record for the closed loop). */
export interface LedgerPort {
  findDecisions(contactIds: readonly string[], handoffKey: string): Promise<Map<string, StoredDecision>>;
  /** Stores decisions unless one exists for the same contact and key; returns the contacts whose decision this call stored. */
  recordDecisions(records: readonly DecisionRecord[], context: { decidedAt: number; configVersion: string }): Promise<Set<string>>;
  recordHandoffs(records: readonly HandoffRecord[]): Promise<void>;
  /** The Salesforce ids hand-offs landed on, where the decision has none yet. */
  setLandedIds(landed: ReadonlyMap<string, string>, handoffKey: string): Promise<void>;
  recordScores(scores: readonly ScoreWrite[], context: { scoredAt: number; configVersion: string }): Promise<void>;
  forgetScores(contactIds: readonly string[]): Promise<number>;
  /** Contacts whose review time has come, a page at a time (keyset: after the last one returned). */
  dueForReview(options: { now: number; limit: number; after?: { reviewAt: number; contactId: string } }): Promise<DueContact[]>;
  /** The latest stored grade and MQL state of these contacts. */
  grades(contactIds: readonly string[]): Promise<Map<string, { grade: string; mql: boolean }>>;
  /** Moves a merged-away contact's rows to the survivor; a hand-off key the survivor has too becomes `merged:<from>:<key>`. */
  rekeyContact(fromContactId: string, toContactId: string): Promise<{ moved: boolean }>;
  /** The leads a contact's hand-offs landed on: created by leadloop, or adopted (sales' own). */
  leadsOf(contactId: string): Promise<{ created: string[]; adopted: string[] }>;
  /** When leadloop first saw a contact (its install); undefined before its first sync stored anything. */
  installedAt(): Promise<number | undefined>;
  /** Contacts held back as qualified before install: a decision each (not a hand-off), once; returns how many were new. */
  recordHeldBack(
    rows: readonly { contactId: string; qualifiedAt: number; score: number; grade: 'hot' | 'warm' | 'cold'; mql: boolean }[],
    context: { decidedAt: number; configVersion: string },
  ): Promise<number>;
  /** The contacts sales gave back to marketing, and when: their latest Lead Status change disqualified or recycled them, or every opportunity of their converted lead was lost. */
  backToMarketing(contactIds: readonly string[]): Promise<Map<string, { since: number; class: 'disqualified' | 'recycled' | 'lost' }>>;
  /** Stores decisions' traces (inputs, score components, routing path, writes): a hand-off's once, a scored-only one replaced by the next. */
  recordTraces(records: readonly TraceRecord[], context: { decidedAt: number; configVersion: string }): Promise<void>;
  /** Deletes the traces of decisions made before `before` (retention); the decision rows stay. Returns how many. */
  pruneTraces(before: number): Promise<number>;
  /** A privacy deletion in the ledger. */
  purgeContact(contactId: string): Promise<{ decisions: number; handoffs: number }>;
}

/**
 * The ledger as the feedback (`sync-feedback`) uses it: what sales did with the leads leadloop
 * handed off (lead status changes, opportunities with their stage history, links and outcome),
 * and what linking and attribution read (handed-off contacts by email key and domain, each
 * contact's earliest hand-off). Every write is idempotent: a rerun of the same pull changes nothing.
 */
export interface FeedbackLedgerPort {
  /** Records status changes not recorded before (same lead, status and time; an approximated one only when the lead's latest status differs); returns how many. */
  recordLeadStatusChanges(changes: readonly LeadStatusChange[]): Promise<number>;
  /** Upserts opportunities with their outcome and attribution, adds their stage history, replaces their contact links; an older snapshot (SystemModstamp) changes nothing. */
  recordOpportunities(records: readonly OpportunityRecord[], at: number): Promise<void>;
  /** Marks deleted opportunities (they leave the figures; their deals are archived); returns how many were not marked before. */
  markOpportunitiesDeleted(opportunityIds: readonly string[], at: number): Promise<number>;
  /** The fingerprint of the HubSpot deal last written, for the opportunities that have one. */
  dealFingerprints(opportunityIds: readonly string[]): Promise<Map<string, string>>;
  /** After deals were written: their fingerprints, so an unchanged opportunity is not written again. */
  setDealFingerprints(fingerprints: ReadonlyMap<string, string>): Promise<void>;
  /** Stores handed-off contacts' email keys and domains (`contactKeys`), replacing what each had. */
  recordContactKeys(keys: readonly ContactKeys[], at: number): Promise<void>;
  /** Handed-off contacts whose keys the ledger lacks, a page at a time after `after` (id order): read them from HubSpot, then `recordContactKeys`. */
  contactsMissingKeys(options: { limit: number; after?: string }): Promise<string[]>;
  /** Handed-off contacts by email key (`emailKey` of a contact role's email). */
  handedOffByEmailKey(emailKeys: readonly string[]): Promise<Map<string, string[]>>;
  /** Handed-off contacts by normalised domain (their email's or their website's). */
  handedOffByDomain(domains: readonly string[]): Promise<Map<string, string[]>>;
  /** Each contact's earliest hand-off with its source and campaign. */
  earliestHandoffs(contactIds: readonly string[]): Promise<Map<string, EarliestHandoff>>;
  /** Opportunities that link to nobody, a page at a time after `after` (id order). */
  unlinkedOpportunities(options: { limit: number; after?: string }): Promise<UnlinkedOpportunity[]>;
  /** After a HubSpot merge (beside LedgerPort.rekeyContact): the merged-away contact's status changes and opportunity links move to the survivor, its keys go. */
  rekeyFeedback(fromContactId: string, toContactId: string): Promise<{ moved: boolean }>;
  /** Every opportunity each contact links to, for its outcome summary. */
  contactOpportunities(contactIds: readonly string[]): Promise<Map<string, ContactOpportunity[]>>;
  /** The closed-loop figures per source (hand-offs, SQL, disqualified, recycled, opportunities open/won/lost, won amount per currency) and the unlinked count. */
  feedbackFigures(): Promise<{ bySource: SourceFigures[]; unlinked: number }>;
  /** What the Campaign figures come from: hand-offs by campaign name (with SQL), opportunities won and lost by campaign id or name. */
  campaignFigures(): Promise<LedgerCampaignFigures>;
  /** Live linked opportunities without a Primary Campaign Source, with the campaign (name) of their earliest hand-off. */
  opportunitiesLackingCampaign(): Promise<{ opportunityId: string; campaign: string }[]>;
  /** After their Primary Campaign Source was written in Salesforce. */
  setOpportunityCampaigns(campaigns: readonly { opportunityId: string; campaignId: string }[]): Promise<void>;
  /** Stores the campaigns read (name, type, costs, Salesforce's won roll-ups) for the report. */
  recordCampaigns(campaigns: readonly StoredCampaign[], at: number): Promise<void>;
  storedCampaigns(): Promise<StoredCampaign[]>;
  /** Hand-offs that carried a campaign name, in id order after `after` (the one-time pass adding the members hand-offs made before campaign membership lack). */
  pastCampaignHandoffs(options: { after: number; limit: number }): Promise<PastHandoff[]>;
}

/**
 * Salesforce read back for the feedback: what sales did with the leads (src/salesforce/salesforce-feedback.ts).
 * Every pull is keyset-paged on (SystemModstamp, Id), from just after `after` up to `until`
 * inclusive, oldest first, past jsforce's maxFetch; id lists are chunked so no SOQL grows past
 * its length limit.
 */
export interface FeedbackSource {
  capabilities(): Promise<FeedbackCapabilities>;
  /** Leads carrying our external ID changed after `after`, a page at a time, each page with the cursor after its last lead. */
  changedLeads(options: { after: KeysetCursor; until: number }): AsyncIterable<{ leads: LeadSnapshot[]; cursor: KeysetCursor }>;
  /** LeadHistory rows of Field 'Status' for these leads, oldest first. */
  leadStatusHistory(leadIds: readonly string[]): Promise<LeadStatusHistoryRow[]>;
  /** Opportunities changed after `after` (ALL ROWS: a deleted one comes with isDeleted), with their account's website, contact roles and competitors. */
  changedOpportunities(options: { after: KeysetCursor; until: number; multiCurrency: boolean }): AsyncIterable<{ opportunities: OpportunitySnapshot[]; cursor: KeysetCursor }>;
  /** OpportunityHistory per opportunity, oldest first, each stage's IsClosed/IsWon resolved from OpportunityStage. */
  stageHistory(opportunityIds: readonly string[]): Promise<Map<string, StageChange[]>>;
  /** Leads converted into these opportunities (Lead.ConvertedOpportunityId), with our external ID. */
  convertedLeads(opportunityIds: readonly string[]): Promise<Map<string, ConvertedLead[]>>;
  /** Campaigns by id: name and type. */
  campaigns(campaignIds: readonly string[]): Promise<Map<string, CampaignInfo>>;
  /** Campaigns by id or by name (SOQL's case-insensitive =) with costs, won roll-ups and what their figure fields hold. */
  campaignStates(options: { ids: readonly string[]; names: readonly string[]; fields: Record<CampaignFigureRole, string> }): Promise<CampaignState[]>;
  /** Updates records by Id (sObject Collections, 200 a call, allOrNone false): the ids written, and the refusals. */
  updateRecords(sobject: 'Campaign' | 'Opportunity', updates: readonly { id: string; fields: Record<string, unknown> }[]): Promise<{ updated: string[]; rejections: Rejection[] }>;
  /**
   * For past hand-offs: the campaigns of these names with their member statuses, which of these
   * Leads and Contacts exist (a converted lead with its Contact), and the memberships those
   * campaigns hold of them (`CampaignId IN (…) AND LeadId IN (…)`, and by ContactId): two reads.
   */
  pastMemberFacts(options: { names: readonly string[]; leadIds: readonly string[]; contactIds: readonly string[] }): Promise<PastMemberFacts>;
}

/** HubSpot's deals and the contact facts deal writing needs (src/hubspot/hubspot-deals.ts). */
export interface DealSink {
  /** Each contact's primary company, where it has one (associations v4 batch read, 100 per call). */
  primaryCompanies(contactIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Creates deals with their associations inline (batch create, 100 per call). A deal whose
   * opportunity id the unique property already holds (written before, its answer lost) comes back
   * in `existing` with its id, not as a rejection: update it instead.
   */
  createDeals(deals: readonly DealWrite[]): Promise<{ created: Map<string, string>; existing: Map<string, string>; rejections: Rejection[] }>;
  /** Updates deals by the unique property (batch update with idProperty) and adds the associations they lack; an opportunity with no deal comes back in `missing`. */
  updateDeals(deals: readonly DealWrite[]): Promise<{ updated: Map<string, string>; missing: string[]; rejections: Rejection[] }>;
  /** Archives the deals of deleted opportunities (by the unique property); ones already gone count as archived. */
  archiveDeals(opportunityIds: readonly string[]): Promise<{ archived: string[]; rejections: Rejection[] }>;
  /** A deal HubSpot's own Salesforce connector synced from an opportunity, if any: then the connector makes the deals (and moves lifecycle stages). */
  connectorSyncedDeal(): Promise<{ id: string } | undefined>;
  /** The deal properties (type, unique values, an enumeration's option values): the portal's currencies are deal_currency_code's options. */
  dealProperties(): Promise<Map<string, { type: string; hasUniqueValue: boolean; options: string[] }>>;
}

/** The backfill's list position. */
export interface BackfillPosition {
  startedAt: number;
  after?: string;
  pulled: number;
  done?: boolean;
}

/** Where the sync stands between runs: the pull cursor and the backfill position. */
export interface SyncStatePort {
  cursor(): Promise<ContactCursor | undefined>;
  saveCursor(cursor: ContactCursor): Promise<void>;
  backfill(): Promise<BackfillPosition | undefined>;
  saveBackfill(position: BackfillPosition): Promise<void>;
  clearBackfill(): Promise<void>;
  /** Where the feedback's pull of one flow stands (undefined before its first run). */
  feedbackCursor(flow: FeedbackFlow): Promise<KeysetCursor | undefined>;
  saveFeedbackCursor(flow: FeedbackFlow, cursor: KeysetCursor): Promise<void>;
  /** Where the one-time pass adding past hand-offs' campaign members stands: the last hand-off id done, and whether it finished. */
  pastMembersPass(): Promise<{ after: number; done: boolean } | undefined>;
  savePastMembersPass(position: { after: number; done: boolean }): Promise<void>;
}

/** What leadloop saw of each contact: its input fingerprint and the changes it observed. */
export interface ContactStatePort {
  fingerprints(ids: readonly string[]): Promise<Map<string, string>>;
  observed(ids: readonly string[]): Promise<Map<string, Observed>>;
  /** Stores observations and, for the contacts given one, the new fingerprint (the others keep theirs). */
  save(observed: ReadonlyMap<string, Observed>, fingerprints: ReadonlyMap<string, string>, at: number): Promise<void>;
  /** Forgets these contacts: their next sighting is a first one. */
  forget(ids: readonly string[]): Promise<number>;
}

/** Round-robin positions and today's loads, shared by every run. */
export interface RoutingStatePort {
  /** `seed: false` (a dry run): what Redis has, or the ledger's figures, without storing them back. */
  load(day: string, options?: { seed?: boolean }): Promise<RoutingState>;
  /** Counts stored decisions: the team's rotation moves to `next`, the owner's load for `day` grows by one. */
  apply(day: string, changes: readonly { rotation: { team: string; next: number } | null; ownerEmail: string | null }[]): Promise<void>;
  /**
   * Runs `work` (read the state, route, store the decisions, count them) while no other run does:
   * two runs routing different contacts from the same loads would both give a rep the last free
   * place of the day, or the same turn of a rotation.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}

/** The routing account index (domain → account and owner), pulled incrementally. */
export interface AccountIndexPort {
  cursor(): Promise<{ since: number; fullAt: number } | undefined>;
  /** Stores a page of pulled accounts, marked seen by the pull that began at `pulledAt`. */
  apply(accounts: readonly IndexedAccount[], pulledAt: number): Promise<void>;
  /** Ends a pull; a full one drops the accounts it did not see. */
  finish(cursor: { since: number; fullAt: number }, options: { full: boolean; pulledAt: number }): Promise<void>;
  /** The accounts of these domains. */
  lookup(domains: readonly string[]): Promise<Map<string, { accountId: string; ownerId: string }>>;
}

/** Salesforce's schema and users, for setup's checks. */
export interface OrgSetup {
  /** Describes objects (undefined: the org has no such object, or the user cannot see it). */
  describe(objects: readonly string[]): Promise<Map<string, DescribedObject | undefined>>;
  directory(options?: { refresh?: boolean }): Promise<OwnerDirectory>;
}

/** HubSpot's property definitions, for setup. */
export interface PortalSetup {
  propertyTypes(): Promise<Map<string, string>>;
  /** Every contact property's definition, for checking the config against the portal. */
  propertyDefinitions(): Promise<PortalProperty[]>;
  ensureProperties(group: { name: string; label: string }, properties: readonly WritebackProperty[]): Promise<string[]>;
  connectorSyncedContact(): Promise<{ id: string; properties: Record<string, string | null> } | undefined>;
}

/** HubSpot's deal schema and pipelines, for setup and the feedback's preflight. */
export interface DealSetup {
  dealProperties(): Promise<Map<string, { type: string; hasUniqueValue: boolean; options: string[] }>>;
  ensureDealProperties(group: { name: string; label: string }, properties: readonly DealPropertySpec[]): Promise<string[]>;
  pipelineStages(pipelineId: string): Promise<{ pipeline: string; stages: { id: string; label: string; isClosed: boolean; probability: number }[] } | undefined>;
  connectorSyncedDeal(): Promise<{ id: string; properties: Record<string, string | null> } | undefined>;
}

/** Salesforce as the SLA clock reads it (src/salesforce/salesforce-sla.ts). */
export interface SlaSource {
  /** Whether Task.CompletedDateTime exists and Lead.Status history is tracked (asked once per check). */
  capabilities(): Promise<SlaCapabilities>;
  /** Each record's OwnerId now (null: gone) and every touch on it since its `since`, by anyone. */
  observe(
    records: readonly { object: 'Lead' | 'Contact'; id: string; since: number }[],
    capabilities: SlaCapabilities,
    now: number,
  ): Promise<Map<string, RecordObservation & { touches: ObservedTouch[] }>>;
  /** A breach's reassignment: leads to their new owners (assignment rules kept out). */
  reassign(updates: readonly { id: string; ownerId: string }[]): Promise<{ updated: string[]; rejections: Rejection[] }>;
}

/** The ledger's SLA clocks (src/store/sla-clocks.ts). */
export interface SlaLedgerPort {
  handoffsWithoutClock(options: { since: number; limit: number; grades: readonly string[]; afterId?: string }): Promise<ClocklessHandoff[]>;
  startClocks(clocks: readonly StartedClock[]): Promise<number>;
  openClocks(options: { watchSince: number; limit: number; afterId?: string; dueBy?: number }): Promise<(OpenClock & { source: string | null })[]>;
  recordTouch(handoffId: string, touch: { at: number; by: string | null; kind: TouchKind }, lateBreach?: { at: number; escalation: Escalation }): Promise<void>;
  recordRestart(
    handoffId: string,
    restart: { at: number; ownerId: string; ownerLabel: string; team: string | null; policy: string; remindAt: number | null; dueAt: number; assignedOwnerId: string },
  ): Promise<void>;
  recordReminded(handoffId: string, at: number): Promise<void>;
  /** False when a breach was recorded already. */
  recordBreach(handoffId: string, at: number, escalation: Escalation): Promise<boolean>;
  finishEscalation(handoffId: string, escalation: Escalation, assignedOwnerId: string | undefined): Promise<void>;
  markChecked(handoffIds: readonly string[], at: number): Promise<void>;
}

/** Where refused records go. */
export interface DeadLetterSink {
  add(input: { system: 'hubspot' | 'salesforce' | 'leadloop'; operation: string; recordKey: string; reason: string; error: unknown; payload?: unknown; at: number }): Promise<unknown>;
  dropForRecord(recordKey: string): Promise<number>;
}

/** Contacts erased by a privacy deletion: never written, even when read before the erasure. */
export interface ErasuresPort {
  among(ids: readonly string[]): Promise<Set<string>>;
}

/** Merges HubSpot announced, applied by the survivor's hand-off. */
export interface PendingMergesPort {
  of(survivorIds: readonly string[]): Promise<Map<string, string[]>>;
  applied(survivorId: string, mergedIds: readonly string[]): Promise<void>;
}

/** A write a dry run would have made. */
export interface PlannedWrite {
  system: 'salesforce' | 'hubspot' | 'ledger';
  operation:
    | 'lead-create'
    | 'lead-update'
    | 'lead-adopt'
    | 'task-create'
    | 'campaign-create'
    | 'member-status-create'
    | 'campaign-member-create'
    | 'contact-writeback'
    | 'handoff-record'
    | 'score-record'
    | 'score-forget'
    | 'skip'
    | 'status-record'
    | 'opportunity-record'
    | 'opportunity-delete'
    | 'contact-keys'
    | 'deal-create'
    | 'deal-update'
    | 'deal-archive'
    | 'campaign-update'
    | 'opportunity-update'
    | 'sla-clock-start'
    | 'sla-touch'
    | 'sla-restart'
    | 'sla-breach'
    | 'lead-reassign';
  key: string;
  fields?: Record<string, unknown>;
}

/** What every pipeline use case runs against (src/app.ts builds it). */
export interface SyncDeps {
  contacts: ContactSource;
  leads: LeadSink;
  ledger: LedgerPort;
  state: SyncStatePort;
  contactState: ContactStatePort;
  routing: RoutingStatePort;
  accountIndex: AccountIndexPort;
  deadLetter: DeadLetterSink;
  erasures: ErasuresPort;
  /** Salesforce read back for the won/lost feedback. */
  feedback: FeedbackSource;
  /** HubSpot's deals, where the feedback lands. */
  deals: DealSink;
  /** The ledger's outcomes (the feedback's view of it). */
  outcomes: FeedbackLedgerPort;
  /** Salesforce as the SLA clock reads it. */
  sla: SlaSource;
  /** The ledger's SLA clocks. */
  slaClocks: SlaLedgerPort;
  config: LeadloopConfig;
  configVersion: string;
  now: () => number;
  /** Set for a dry run: compute and read everything, write nothing, and collect here what would be written. */
  plannedWrites?: PlannedWrite[];
  /** Setup found that the integration user cannot create campaign members (a `campaignOnly` problem): hand-offs and the feedback write none. */
  campaignWritesBlocked?: boolean;
}

export interface SyncSummary {
  pulled: number;
  unchanged: number;
  scored: number;
  qualified: number;
  created: number;
  adopted: number;
  updated: number;
  existingContacts: number;
  convertedSkipped: number;
  tasks: number;
  writtenBack: number;
  deadLettered: number;
  pages: number;
  /** Contacts that qualified before install (sync.yaml backfill.handoff_within): scored and written back, not handed off. */
  qualifiedBeforeInstall: number;
}

export function emptySummary(): SyncSummary {
  return {
    pulled: 0,
    unchanged: 0,
    scored: 0,
    qualified: 0,
    created: 0,
    adopted: 0,
    updated: 0,
    existingContacts: 0,
    convertedSkipped: 0,
    tasks: 0,
    writtenBack: 0,
    deadLettered: 0,
    pages: 0,
    qualifiedBeforeInstall: 0,
  };
}
