import type { LeadloopConfig } from '../config/index.ts';
import type { DecisionTrace, TraceInputs, TraceKind } from '../trace/decision-trace.ts';
import type { RecordedDecision } from './compare.ts';
import { ownerOf, type ReplayedDecision, replayEvaluations, type StoredEvaluation } from './replay.ts';

/** A stored trace as a simulation reads it. */
export interface TraceToReplay {
  contactId: string;
  handoffKey: string;
  kind: TraceKind;
  decidedAt: number;
  inputs: TraceInputs;
  trace: DecisionTrace;
}

/** Both replays of the same decisions, what was recorded for each, and the contacts whose hand-off or owner would change. */
export interface Replays {
  current: ReplayedDecision[];
  proposed: ReplayedDecision[];
  recorded: RecordedDecision[];
  /** Read their closed outcomes from the ledger, then compareReplays. */
  affected: string[];
}

/**
 * Replays stored traces (in decision order) under the config in force and under a proposed one,
 * each from a fresh rotation, with each decision's own time and stored account matches. Pure.
 */
export function replayBoth(traces: readonly TraceToReplay[], current: LeadloopConfig, proposed: LeadloopConfig): Replays {
  const evaluations: StoredEvaluation[] = traces.map((t) => ({
    contactId: t.contactId,
    handoffKey: t.handoffKey,
    kind: t.kind,
    decidedAt: t.decidedAt,
    properties: t.inputs.properties,
    history: t.inputs.history ?? {},
    accounts: t.trace.accounts ?? {},
  }));
  const replayedCurrent = replayEvaluations(evaluations, current);
  const replayedProposed = replayEvaluations(evaluations, proposed);
  const affected = new Set<string>();
  for (let i = 0; i < replayedCurrent.length; i++) {
    const c = replayedCurrent[i]!;
    const p = replayedProposed[i]!;
    if (c.handoff !== p.handoff || (c.handoff && c.owner !== p.owner)) affected.add(c.contactId);
  }
  return {
    current: replayedCurrent,
    proposed: replayedProposed,
    recorded: traces.map((t) => ({ grade: t.trace.score.grade, handoff: t.kind === 'handoff', owner: t.trace.route && t.kind === 'handoff' ? ownerOf(t.trace.route.assignee) : null })),
    affected: [...affected],
  };
}
