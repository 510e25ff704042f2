import type { PropertyBag } from '../config/condition.ts';

export interface RoutingLead {
  id: string;
  properties: PropertyBag;
  grade: 'hot' | 'warm' | 'cold';
  score: number;
}

export interface AccountMatch {
  accountId: string;
  ownerId?: string;
  ownerEmail?: string;
}

/**
 * The stateful inputs of routing, passed in so that route() stays pure: the caller keeps
 * round-robin positions and per-owner loads (in Redis) and the account index (in the store).
 */
export interface RoutingContext {
  now: Date | number;
  /** Leads each team has received so far: the round-robin position. */
  roundRobin: Readonly<Record<string, number>>;
  /** New leads each owner (by email, lower case) received today. */
  loadToday: Readonly<Record<string, number>>;
  /** The existing account for a normalised domain, if any. */
  accountByDomain: (domain: string) => AccountMatch | undefined;
  /** Owners Salesforce reports inactive (emails, lower case), on top of `active: false` in the file. */
  inactiveOwners?: ReadonlySet<string>;
}

export type Assignee =
  | { kind: 'user'; email?: string; name?: string; salesforceUserId?: string }
  | { kind: 'queue'; queue: string; salesforceQueue: string; salesforceQueueId?: string }
  | { kind: 'salesforce_assignment_rules' };

export interface TraceStep {
  rule: string;
  matched: boolean;
  why: string;
}

export interface RouteResult {
  assignee: Assignee;
  /** The rule that decided: a rule id, `fallback`, or `salesforce_assignment_rules`. */
  rule: string;
  notify: { email: string; why: string }[];
  trace: TraceStep[];
  /** The team whose round-robin position moved, and its next value: the caller persists it. */
  roundRobin?: { team: string; next: number };
}
