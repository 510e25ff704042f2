import type { PropertyBag } from '../config/condition.ts';

export type Grade = 'hot' | 'warm' | 'cold';

/** A contact as scoring sees it: its id and HubSpot property values. */
export interface ScoringContact {
  id: string;
  properties: PropertyBag;
}

/**
 * What leadloop observed about a contact: for each property, when a sync saw its value change.
 * This is the recency of behaviour that HubSpot only keeps as lifetime counters.
 */
export type ContactHistory = Readonly<Record<string, { changedAt: number }>>;

export interface Decay {
  ageDays: number;
  /** The instant the rule's date says the behaviour happened (absent when undated). */
  datedAt?: number;
  halfLifeDays: number;
  factor: number;
  recencyFrom: 'property' | 'observed' | 'undated';
}

export interface ScoreComponent {
  category: 'fit' | 'engagement' | 'bant' | 'negative' | 'cap';
  rule: string;
  description: string;
  /** Points this component adds to the score (after decay); the components sum to the score. */
  points: number;
  /** Points before decay. */
  basePoints: number;
  decay?: Decay;
}

export interface ScoreResult {
  score: number;
  grade: Grade;
  mql: boolean;
  immediateSource: boolean;
  handoff: boolean;
  handoffReason: 'immediate_source' | 'mql' | null;
  vetoedBy: { rule: string; reason: string } | null;
  components: ScoreComponent[];
}
