import type { TaskWrite } from '../handoff/types.ts';

export type Temperature = 'hot' | 'warm' | 'cold';

/** A hand-off as the SLA clock starts from it (a row of the ledger's hand-offs without a clock). */
export interface ClocklessHandoff {
  handoffId: string;
  contactId: string;
  handoffKey: string;
  object: 'Lead' | 'Contact';
  salesforceId: string;
  /** The Salesforce owner the hand-off landed with: a user (005…) or a queue (00G…). */
  ownerId: string | null;
  grade: Temperature;
  source: string | null;
  handedOffAt: number;
}

/** The times a clock runs to. */
export interface ClockTimes {
  /** What set them, as sync.yaml says it: `hot: 1 hour`, or a cohort's name. */
  policy: string;
  remindAt: number | null;
  dueAt: number;
}

/** A clock started: whom it counts for (a user: a queue's manager for a queue-owned lead) and its times. */
export interface StartedClock extends ClockTimes {
  handoffId: string;
  contactId: string;
  object: 'Lead' | 'Contact';
  salesforceId: string;
  ownerId: string;
  /** The owner's email where the directory knows it (reports name owners by it). */
  ownerLabel: string;
  team: string | null;
  temperature: Temperature;
  startedAt: number;
  /** The Salesforce OwnerId the record had from leadloop (the user, or the queue). */
  assignedOwnerId: string;
}

/** What a breach did, recorded with it; `done` once its Salesforce writes were made. */
export interface Escalation {
  escalated: boolean;
  /** Why not escalated: touched late, found after `on_breach.within`, nothing configured. */
  why?: string;
  reassignTo?: { ownerId: string; label: string };
  /** Why no reassignment: the owner is no longer leadloop's, no other team member, a Contact. */
  notReassigned?: string;
  managerId?: string;
  taskKeys: string[];
  done: boolean;
}

/** A running clock as the ledger holds it. */
export interface OpenClock extends StartedClock {
  handoffKey: string;
  remindedAt: number | null;
  breachedAt: number | null;
  escalation: Escalation | null;
  restartedAt: number | null;
}

export type TouchKind = 'task' | 'event' | 'status' | 'converted';

/** Something a person did on the record (or its converted Contact) that counts as working it. */
export interface Touch {
  at: number;
  by: string | null;
  kind: TouchKind;
}

/** What Salesforce holds now for a clock's record. */
export interface RecordObservation {
  /** The record's OwnerId now; null when the record is gone (deleted, merged away). */
  ownerId: string | null;
  touches: Touch[];
}

export type SlaAction =
  | { kind: 'touched'; handoffId: string; at: number; by: string | null; touch: TouchKind; lateBreach?: { at: number; escalation: Escalation } }
  | { kind: 'restarted'; handoffId: string; at: number; ownerId: string; ownerLabel: string; team: string | null; times: ClockTimes; assignedOwnerId: string }
  | { kind: 'reminded'; handoffId: string; at: number; tasks: (TaskWrite & { whoId: string })[] }
  | {
      kind: 'breached';
      handoffId: string;
      /** The breach time (the clock's due time). */
      at: number;
      temperature: Temperature;
      escalation: Escalation;
      tasks: (TaskWrite & { whoId: string })[];
      reassign?: { object: 'Lead'; id: string; ownerId: string };
    };

/** What the org lets the clock read: Task.CompletedDateTime (API 59.0+), and whether Lead.Status changes are in LeadHistory. */
export interface SlaCapabilities {
  taskCompletedDateTime: boolean;
  statusHistoryTracked: boolean;
}
