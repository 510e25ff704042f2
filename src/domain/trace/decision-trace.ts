import type { PropertyBag } from '../config/condition.ts';
import type { LeadloopConfig } from '../config/index.ts';
import type { LeadDecision } from '../decide.ts';
import { normalizeDomain } from '../domain-name.ts';
import type { AccountMatch, Assignee, TraceStep } from '../routing/types.ts';
import type { ContactHistory, ScoreResult } from '../scoring/types.ts';

/** What a decision was made from: the contact's properties and the changes leadloop had seen of them. */
export interface TraceInputs {
  properties: PropertyBag;
  history: ContactHistory;
}

/** How a decision was made and what it wrote: kept in the ledger beside its inputs (decision_traces). */
export interface DecisionTrace {
  score: ScoreResult;
  /** The accounts the contact's domains matched in routing's account index when it was decided (replayed as they were). */
  accounts: Record<string, AccountMatch>;
  route?: {
    rule: string;
    assignee: Assignee;
    steps: TraceStep[];
    notify: { email: string; why: string }[];
    roundRobin?: { team: string; next: number };
  };
  writes: {
    /** The Salesforce Lead a hand-off upserts (by the external ID field) and the tasks it creates. */
    salesforce?: { object: 'Lead'; upsertBy: string; fields: Record<string, unknown>; tasks: { subject: string; priority: string; dueInMs: number }[] };
    /** The HubSpot contact properties the score is written back to. */
    hubspot: Record<string, string>;
  };
}

export type TraceKind = 'handoff' | 'held-back' | 'scored';

/** The domains routing may look an account up by: the email's and the website's. */
export function routingDomains(properties: PropertyBag): string[] {
  return [normalizeDomain(properties.email), normalizeDomain(properties.website)].filter((d): d is string => d !== undefined);
}

/**
 * A decision's trace, as the ledger keeps it. `accountByDomain` is the lookup routing used: the
 * matches of this contact's domains are kept so a replay routes with the same accounts.
 */
export function traceOf(decision: LeadDecision, properties: PropertyBag, config: LeadloopConfig, accountByDomain: (domain: string) => AccountMatch | undefined, assignee?: Assignee): DecisionTrace {
  const accounts: Record<string, AccountMatch> = {};
  for (const domain of routingDomains(properties)) {
    const match = accountByDomain(domain);
    if (match) accounts[domain] = match;
  }
  const s = decision.score;
  const writeback = config.mapping.hubspot_writeback;
  const hubspot: Record<string, string> = { [writeback.score]: String(s.score), [writeback.grade]: s.grade };
  if (writeback.mql) hubspot[writeback.mql] = String(s.mql);
  const route = decision.route;
  return {
    score: s,
    accounts,
    ...(route
      ? {
          route: {
            rule: route.rule,
            assignee: assignee ?? route.assignee,
            steps: route.trace,
            notify: route.notify,
            ...(route.roundRobin ? { roundRobin: route.roundRobin } : {}),
          },
        }
      : {}),
    writes: {
      ...(route && decision.lead
        ? {
            salesforce: {
              object: 'Lead' as const,
              upsertBy: config.mapping.external_id_field,
              fields: decision.lead.create,
              tasks: decision.tasks.map((t) => ({ subject: t.subject, priority: t.priority, dueInMs: t.dueInMs })),
            },
          }
        : {}),
      hubspot,
    },
  };
}
