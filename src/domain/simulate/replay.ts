import type { LeadloopConfig } from '../config/index.ts';
import { withDerivedSource } from '../contact-source.ts';
import { decide } from '../decide.ts';
import type { Assignee } from '../routing/types.ts';
import type { ContactHistory } from '../scoring/types.ts';
import type { PropertyBag } from '../config/condition.ts';
import type { AccountMatch } from '../routing/types.ts';
import type { TraceKind } from '../trace/decision-trace.ts';

/** One stored evaluation to replay: its inputs, its time and the accounts its domains matched then. */
export interface StoredEvaluation {
  contactId: string;
  handoffKey: string;
  kind: TraceKind;
  decidedAt: number;
  properties: PropertyBag;
  history: ContactHistory;
  accounts: Readonly<Record<string, AccountMatch>>;
}

/** What a config decides for one evaluation on replay. */
export interface ReplayedDecision {
  contactId: string;
  handoffKey: string;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  handoff: boolean;
  /** Who gets the hand-off (an email, `queue <key>`, or the org's assignment rules); null without one. */
  owner: string | null;
  /** The team whose rotation placed it, else the first team the owner is a member of; null: none. */
  team: string | null;
  rule: string | null;
}

/**
 * Replays stored evaluations under `config`, in the order given (decision order), from a fresh
 * rotation: each is decided at its own time (working hours, decay, within_days) against the loads
 * of its own day that the replay's earlier hand-offs made (capacity) and the accounts stored with
 * it. A contact held back at install stays held back. Pure; writes nothing.
 */
export function replayEvaluations(evaluations: readonly StoredEvaluation[], config: LeadloopConfig): ReplayedDecision[] {
  const roundRobin: Record<string, number> = {};
  const loads = new Map<string, Record<string, number>>();
  const teamsOf = teamsByMember(config);
  const out: ReplayedDecision[] = [];
  for (const e of evaluations) {
    const day = new Date(e.decidedAt).toISOString().slice(0, 10);
    let loadToday = loads.get(day);
    if (!loadToday) {
      loadToday = {};
      loads.set(day, loadToday);
    }
    // The stored inputs are the properties as pulled: the source is told under the config replayed.
    const properties = withDerivedSource(e.properties, config.mapping, e.decidedAt);
    const decision = decide({ id: e.contactId, properties }, e.history, config, {
      now: e.decidedAt,
      roundRobin,
      loadToday,
      accountByDomain: (domain) => e.accounts[domain],
    });
    const s = decision.score;
    const route = e.kind !== 'held-back' && s.handoff ? decision.route : undefined;
    let owner: string | null = null;
    let team: string | null = null;
    if (route) {
      if (route.roundRobin) roundRobin[route.roundRobin.team] = route.roundRobin.next;
      owner = ownerOf(route.assignee);
      if (route.assignee.kind === 'user' && route.assignee.email) {
        const email = route.assignee.email.toLowerCase();
        loadToday[email] = (loadToday[email] ?? 0) + 1;
      }
      team = route.roundRobin?.team ?? (owner ? (teamsOf.get(owner) ?? null) : null);
    }
    out.push({
      contactId: e.contactId,
      handoffKey: e.handoffKey,
      score: s.score,
      grade: s.grade,
      mql: s.mql,
      handoff: route !== undefined,
      owner,
      team,
      rule: route?.rule ?? null,
    });
  }
  return out;
}

/** How a simulation names an owner. */
export function ownerOf(assignee: Assignee): string {
  if (assignee.kind === 'user') return (assignee.email ?? assignee.salesforceUserId ?? '(unknown user)').toLowerCase();
  if (assignee.kind === 'queue') return `queue ${assignee.queue}`;
  return 'Salesforce assignment rules';
}

function teamsByMember(config: LeadloopConfig): Map<string, string> {
  const teams = new Map<string, string>();
  for (const [name, team] of Object.entries(config.routing.teams)) {
    for (const member of team.members) {
      const email = (typeof member === 'string' ? member : member.email).toLowerCase();
      if (!teams.has(email)) teams.set(email, name);
    }
  }
  return teams;
}
