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

export interface LedgerSchema {
  decisions: DecisionsTable;
  handoffs: HandoffsTable;
  contact_scores: ContactScoresTable;
  account_index: AccountIndexTable;
  account_index_state: AccountIndexStateTable;
  contact_state: ContactStateTable;
}

export type Decision = Selectable<DecisionsTable>;
export type NewDecision = Insertable<DecisionsTable>;
export type Handoff = Selectable<HandoffsTable>;
export type NewHandoff = Insertable<HandoffsTable>;
export type ContactScore = Selectable<ContactScoresTable>;
export type NewContactScore = Insertable<ContactScoresTable>;
