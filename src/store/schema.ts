import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** JSON columns: written as a serialised string, read back as the value (pg and PGlite parse jsonb). */
type Json<T> = ColumnType<T, string, string>;

/**
 * One scoring-and-routing decision per hand-off of a contact. Routing happens once: a retry
 * finds the stored decision (same contact, same hand-off key) and reuses it, so a crash or a
 * retried page never reassigns a lead.
 */
export interface DecisionsTable {
  id: Generated<number>;
  hubspot_contact_id: string;
  /** Distinguishes successive hand-offs of one contact; 'first' for the first one. */
  handoff_key: string;
  decided_at: ColumnType<Date, Date | string, never>;
  config_version: string;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  handoff: boolean;
  reason: string;
  owner_kind: 'user' | 'queue' | 'salesforce_assignment_rules' | null;
  owner_id: string | null;
  owner_email: string | null;
  rule: string | null;
  notify: Json<unknown[]>;
  trace: Json<unknown[]>;
  salesforce_id: string | null;
  /** The team whose round-robin rotation this decision moved, and the position after it. */
  rotation_team: string | null;
  rotation_next: number | null;
}

/** A hand-off that landed in Salesforce: as a new Lead, an adopted open Lead, or an existing Contact's task. */
export interface HandoffsTable {
  id: Generated<number>;
  hubspot_contact_id: string;
  handoff_key: string;
  handed_off_at: ColumnType<Date, Date | string, never>;
  salesforce_object: 'Lead' | 'Contact';
  salesforce_id: string;
  outcome: 'created' | 'adopted' | 'existing_contact';
  owner_kind: string | null;
  owner_id: string | null;
  grade: string;
  score: number;
  reason: string;
  source: string | null;
  campaign: string | null;
}

/**
 * The latest score of each contact leadloop scored. `review_at` is the earliest time decay alone
 * could change its grade or MQL state (null: it cannot); the daily rescore reads the due ones.
 */
export interface ContactScoresTable {
  hubspot_contact_id: string;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  scored_at: ColumnType<Date, Date | string, Date | string>;
  config_version: string;
  review_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** HubSpot's lead_source and campaign property when scored (0009_report; null on rows scored before it). */
  source: ColumnType<string | null, string | null | undefined, string | null>;
  campaign: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Salesforce accounts by normalised website domain, for routing to the account owner. */
export interface AccountIndexTable {
  account_id: string;
  domain: string | null;
  owner_id: string;
  modified_at: ColumnType<Date, Date | string, Date | string>;
  /** When a pull last saw it: a full pull removes the accounts it did not see (deleted ones). */
  pulled_at: ColumnType<Date, Date | string, Date | string>;
}

/** Where the account pull stands: the newest SystemModstamp taken, and when the last full pull ran. */
export interface AccountIndexStateTable {
  id: number;
  since: ColumnType<Date, Date | string, Date | string>;
  full_at: ColumnType<Date, Date | string, Date | string>;
}

/** What leadloop saw of a contact: its input fingerprint (null until a landing succeeded) and the changes it observed. */
export interface ContactStateTable {
  hubspot_contact_id: string;
  fingerprint: string | null;
  /** Defaults to `{}` (a contact first seen with a fingerprint only). */
  observed: ColumnType<Record<string, { value: string | null; changedAt: number | null }>, string | undefined, string>;
  seen_at: ColumnType<Date, Date | string, Date | string>;
}

/** One Lead Status change of a lead leadloop handed off (the feedback); unique per lead, status and time. */
export interface LeadStatusChangesTable {
  id: Generated<number>;
  /** Our external ID on the lead; an `erased:` token after a privacy deletion. */
  hubspot_contact_id: string | null;
  lead_id: string;
  status: string;
  status_class: 'accepted' | 'disqualified' | 'recycled' | 'open';
  changed_at: ColumnType<Date, Date | string, never>;
  /** No Status history tracked: `changed_at` is the lead's SystemModstamp. */
  approximated: boolean;
  reason: string | null;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
}

export type LinkPathColumn = 'converted-lead' | 'contact-role-external-id' | 'contact-role-email' | 'account-domain';

/** A Salesforce opportunity as last pulled, with its outcome and attribution. */
export interface OpportunitiesTable {
  opportunity_id: string;
  name: string;
  account_id: string | null;
  stage: string;
  is_closed: boolean;
  is_won: boolean;
  outcome: 'open' | 'won' | 'lost';
  reopened: boolean;
  times_closed: number;
  closed_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** numeric: read back as a string (exact), written as a number. */
  amount: ColumnType<string | null, number | string | null, number | string | null>;
  currency: string | null;
  /** date: written `YYYY-MM-DD`; read it with `to_char` (drivers turn a date into a local-midnight Date). */
  close_date: ColumnType<Date | string | null, string | null, string | null>;
  loss_reason: string | null;
  competitor: string | null;
  competitors_met: Json<string[]>;
  /** Primary Campaign Source. */
  campaign_id: string | null;
  attributed_source: string | null;
  attributed_campaign: string | null;
  link_path: LinkPathColumn | 'unlinked';
  deleted_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** What the HubSpot deal last written for it carries (null: none written yet). */
  deal_fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  system_modstamp: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

/** An opportunity's stages over time (OpportunityHistory). */
export interface OpportunityStageHistoryTable {
  opportunity_id: string;
  changed_at: ColumnType<Date, Date | string, Date | string>;
  stage: string;
  is_closed: boolean;
  is_won: boolean;
  amount: ColumnType<string | null, number | string | null, number | string | null>;
  close_date: ColumnType<Date | string | null, string | null, string | null>;
}

/** Opportunity ↔ HubSpot contact: several contacts per opportunity, several opportunities per contact. */
export interface OpportunityContactsTable {
  opportunity_id: string;
  /** An `erased:` token after a privacy deletion. */
  hubspot_contact_id: string;
  link_path: LinkPathColumn;
}

/** What an opportunity finds a handed-off contact by: its email's hash and its email's and website's domains. */
export interface ContactKeysTable {
  hubspot_contact_id: string;
  email_key: string | null;
  email_domain: string | null;
  website_domain: string | null;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

/** A Salesforce Campaign the feedback saw, as last read (costs and won roll-ups for the report). */
export interface CampaignsTable {
  campaign_id: string;
  name: string;
  type: string | null;
  /** numeric: read back as a string, written as a number. */
  actual_cost: ColumnType<string | null, number | null, number | null>;
  budgeted_cost: ColumnType<string | null, number | null, number | null>;
  won_opportunities: number | null;
  won_amount: ColumnType<string | null, number | null, number | null>;
  pulled_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/**
 * The SLA clock of one hand-off (0008_sla): who it counts for, when it reminds and breaches (wall
 * clock, computed in the owner's working hours), the first touch that stopped it, and what the
 * reminder and the breach did (each once).
 */
export interface SlaClocksTable {
  /** bigint: pg reads it back as a string. */
  handoff_id: ColumnType<string, number | string, never>;
  hubspot_contact_id: string;
  salesforce_object: 'Lead' | 'Contact';
  salesforce_id: string;
  owner_id: string;
  /** How reports name the owner: their email (routing.yaml's), else the Salesforce id. */
  owner_label: string | null;
  team: string | null;
  temperature: 'hot' | 'warm' | 'cold';
  /** What set the clock, as sync.yaml says it: `hot: 1 hour`, or a cohort's name. */
  policy: string;
  started_at: ColumnType<Date, Date | string, Date | string>;
  remind_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  due_at: ColumnType<Date, Date | string, Date | string>;
  /** The Salesforce owner leadloop last set; a breach reassigns only while the record still has it. */
  assigned_owner_id: string;
  first_touch_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  first_touch_by: string | null;
  first_touch_kind: 'task' | 'event' | 'status' | 'converted' | null;
  reminded_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  breached_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  escalation: ColumnType<unknown | null, string | null, string | null>;
  restarted_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  checked_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

/** A config a process ran with (0010): keyed by the content hash decisions record as `config_version`. */
export interface ConfigVersionsTable {
  version: string;
  /** The four files' text, by file name. */
  files: Json<Record<string, string>>;
  first_seen_at: ColumnType<Date, Date | string | undefined, never>;
}

/** What one decision was made from and how (0010): pruned after the retention period, erased by a privacy deletion. */
export interface DecisionTracesTable {
  hubspot_contact_id: string;
  handoff_key: string;
  kind: 'handoff' | 'held-back' | 'scored';
  decided_at: ColumnType<Date, Date | string, Date | string>;
  config_version: string;
  inputs: Json<unknown>;
  trace: Json<unknown>;
}

export interface LedgerSchema {
  decisions: DecisionsTable;
  handoffs: HandoffsTable;
  contact_scores: ContactScoresTable;
  account_index: AccountIndexTable;
  account_index_state: AccountIndexStateTable;
  contact_state: ContactStateTable;
  lead_status_changes: LeadStatusChangesTable;
  opportunities: OpportunitiesTable;
  opportunity_stage_history: OpportunityStageHistoryTable;
  opportunity_contacts: OpportunityContactsTable;
  contact_keys: ContactKeysTable;
  campaigns: CampaignsTable;
  sla_clocks: SlaClocksTable;
  config_versions: ConfigVersionsTable;
  decision_traces: DecisionTracesTable;
}

export type Decision = Selectable<DecisionsTable>;
export type NewDecision = Insertable<DecisionsTable>;
export type Handoff = Selectable<HandoffsTable>;
export type NewHandoff = Insertable<HandoffsTable>;
export type ContactScore = Selectable<ContactScoresTable>;
export type NewContactScore = Insertable<ContactScoresTable>;
export type StoredOpportunity = Selectable<OpportunitiesTable>;
export type NewOpportunity = Insertable<OpportunitiesTable>;
