import type { Client } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { Kysely } from 'kysely';
import type { LeadloopConfig } from '../domain/config/index.ts';
import type { BeforeCall } from '../hubspot/client.ts';
import type { LedgerSchema } from '../store/schema.ts';
import type { SyncState } from '../store/sync-state.ts';
import type { AccountIndexStore } from '../store/account-index.ts';
import type { ErasedContacts } from '../store/erased-contacts.ts';
import type { SalesforceLookups } from './lookups.ts';

/** Where refused records go (the queue layer's DeadLetterList fits). */
export interface DeadLetterSink {
  add(input: { system: 'hubspot' | 'salesforce' | 'leadloop'; operation: string; recordKey: string; reason: string; error: unknown; payload?: unknown; at: number }): Promise<unknown>;
}

/** What the lead sync runs against: adapters' clients, the ledger, Redis state, the config. */
export interface SyncDeps {
  hubspot: Client;
  salesforce: Connection;
  ledger: Kysely<LedgerSchema>;
  state: SyncState;
  deadLetter: DeadLetterSink;
  config: LeadloopConfig;
  configVersion: string;
  /** Gates every HubSpot call (the budget governor); absent: no gating. */
  beforeHubSpotCall?: BeforeCall;
  now?: () => number;
  /** Salesforce reference data shared across cycles (a worker keeps one); absent: loaded per cycle. */
  lookups?: SalesforceLookups;
  /** The account index kept in Redis between runs (pulled incrementally); absent: every run pulls all accounts. */
  accountIndex?: AccountIndexStore;
  /** Contacts erased by a privacy deletion: never written, even when read before the erasure. */
  erasures?: ErasedContacts;
  /** Dry run: compute and read everything, write nothing, and collect here what would be written. */
  plannedWrites?: PlannedWrite[];
}

/** A write a dry run would have made. */
export interface PlannedWrite {
  system: 'salesforce' | 'hubspot' | 'ledger';
  operation: 'lead-create' | 'lead-update' | 'lead-adopt' | 'task-create' | 'contact-writeback' | 'handoff-record' | 'score-record' | 'score-forget';
  key: string;
  fields?: Record<string, unknown>;
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
}

export function emptySummary(): SyncSummary {
  return { pulled: 0, unchanged: 0, scored: 0, qualified: 0, created: 0, adopted: 0, updated: 0, existingContacts: 0, convertedSkipped: 0, tasks: 0, writtenBack: 0, deadLettered: 0, pages: 0 };
}
