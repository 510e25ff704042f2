import type { ReplayedDecision } from './replay.ts';

/** A closed opportunity of a contact, from the ledger's outcomes. */
export interface ContactOutcome {
  contactId: string;
  opportunityId: string;
  outcome: 'won' | 'lost';
  amount: number | null;
  currency: string | null;
}

/** What a change did to one contact (a contact whose hand-off or owner would change). */
export type ChangeKind = 'handoff-gained' | 'handoff-lost' | 'owner-changed';

export interface OutcomeFigures {
  change: ChangeKind;
  contacts: number;
  won: number;
  lost: number;
  /** Won and lost amounts by currency ('' when the ledger has none). */
  wonAmount: Record<string, number>;
  lostAmount: Record<string, number>;
}

export interface SideBySide<K extends string = string> {
  key: K;
  current: number;
  proposed: number;
}

/** What a proposed config would change in a set of replayed decisions, beside the config in force. */
export interface SimulationDiff {
  decisions: number;
  /** Replayed under the config in force, how many decide as recorded (grade, hand-off and owner): how much the replay can be trusted. */
  asRecorded: number;
  grades: SideBySide<'hot' | 'warm' | 'cold'>[];
  gradeChanges: number;
  mql: { current: number; proposed: number; gained: string[]; lost: string[] };
  handoffs: { current: number; proposed: number; gained: string[]; lost: string[] };
  reassigned: { contactId: string; handoffKey: string; from: string; to: string }[];
  loadByOwner: SideBySide[];
  loadByTeam: SideBySide[];
  outcomes: OutcomeFigures[];
}

/** What was recorded for an evaluation, to tell how far the replay under the config in force matches it. */
export interface RecordedDecision {
  grade: string;
  handoff: boolean;
  owner: string | null;
}

/**
 * Compares the replay of the same decisions under the config in force (`current`) and a proposed
 * one, row by row (same order), and sums the ledger's closed outcomes of the contacts whose
 * hand-off or owner would change. Pure.
 */
export function compareReplays(
  current: readonly ReplayedDecision[],
  proposed: readonly ReplayedDecision[],
  recorded: readonly RecordedDecision[],
  outcomes: readonly ContactOutcome[],
): SimulationDiff {
  if (current.length !== proposed.length || current.length !== recorded.length) throw new RangeError('the replays must cover the same decisions');
  const grades = { hot: [0, 0], warm: [0, 0], cold: [0, 0] } as Record<'hot' | 'warm' | 'cold', [number, number]>;
  const mqlGained = new Set<string>();
  const mqlLost = new Set<string>();
  const handoffGained = new Set<string>();
  const handoffLost = new Set<string>();
  const reassigned: SimulationDiff['reassigned'] = [];
  const ownerLoad = new Map<string, [number, number]>();
  const teamLoad = new Map<string, [number, number]>();
  let mqlCurrent = 0;
  let mqlProposed = 0;
  let handoffsCurrent = 0;
  let handoffsProposed = 0;
  let gradeChanges = 0;
  let asRecorded = 0;
  const count = (map: Map<string, [number, number]>, key: string | null, side: 0 | 1) => {
    if (key === null) return;
    const pair = map.get(key) ?? [0, 0];
    pair[side]++;
    map.set(key, pair);
  };
  for (let i = 0; i < current.length; i++) {
    const c = current[i]!;
    const p = proposed[i]!;
    const r = recorded[i]!;
    if (r.grade === c.grade && r.handoff === c.handoff && (!c.handoff || r.owner === c.owner)) asRecorded++;
    grades[c.grade][0]++;
    grades[p.grade][1]++;
    if (c.grade !== p.grade) gradeChanges++;
    if (c.mql) mqlCurrent++;
    if (p.mql) mqlProposed++;
    if (p.mql && !c.mql) mqlGained.add(p.contactId);
    if (c.mql && !p.mql) mqlLost.add(c.contactId);
    if (c.handoff) {
      handoffsCurrent++;
      count(ownerLoad, c.owner, 0);
      count(teamLoad, c.team, 0);
    }
    if (p.handoff) {
      handoffsProposed++;
      count(ownerLoad, p.owner, 1);
      count(teamLoad, p.team, 1);
    }
    if (p.handoff && !c.handoff) handoffGained.add(p.contactId);
    if (c.handoff && !p.handoff) handoffLost.add(c.contactId);
    if (c.handoff && p.handoff && c.owner !== p.owner) reassigned.push({ contactId: c.contactId, handoffKey: c.handoffKey, from: c.owner ?? '', to: p.owner ?? '' });
  }
  const affected: [ChangeKind, Set<string>][] = [
    ['handoff-gained', handoffGained],
    ['handoff-lost', handoffLost],
    ['owner-changed', new Set(reassigned.map((r) => r.contactId))],
  ];
  return {
    decisions: current.length,
    asRecorded,
    grades: (['hot', 'warm', 'cold'] as const).map((g) => ({ key: g, current: grades[g][0], proposed: grades[g][1] })),
    gradeChanges,
    mql: { current: mqlCurrent, proposed: mqlProposed, gained: [...mqlGained].sort(), lost: [...mqlLost].sort() },
    handoffs: { current: handoffsCurrent, proposed: handoffsProposed, gained: [...handoffGained].sort(), lost: [...handoffLost].sort() },
    reassigned,
    loadByOwner: sideBySide(ownerLoad),
    loadByTeam: sideBySide(teamLoad),
    outcomes: affected.map(([change, contacts]) => outcomeFigures(change, contacts, outcomes)),
  };
}

function sideBySide(map: Map<string, [number, number]>): SideBySide[] {
  return [...map].map(([key, [current, proposed]]) => ({ key, current, proposed })).sort((a, b) => b.current - a.current || a.key.localeCompare(b.key));
}

function outcomeFigures(change: ChangeKind, contacts: ReadonlySet<string>, outcomes: readonly ContactOutcome[]): OutcomeFigures {
  const figures: OutcomeFigures = { change, contacts: contacts.size, won: 0, lost: 0, wonAmount: {}, lostAmount: {} };
  // An opportunity several affected contacts share counts once.
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (!contacts.has(o.contactId) || seen.has(o.opportunityId)) continue;
    seen.add(o.opportunityId);
    const amounts = o.outcome === 'won' ? figures.wonAmount : figures.lostAmount;
    if (o.outcome === 'won') figures.won++;
    else figures.lost++;
    if (o.amount !== null) amounts[o.currency ?? ''] = (amounts[o.currency ?? ''] ?? 0) + o.amount;
  }
  return figures;
}
