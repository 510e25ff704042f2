import { describe, expect, it } from 'vitest';
import { compareReplays, type ContactOutcome } from './compare.ts';
import type { ReplayedDecision } from './replay.ts';

function decision(contactId: string, fields: Partial<ReplayedDecision> = {}): ReplayedDecision {
  return { contactId, handoffKey: 'first', score: 50, grade: 'warm', mql: false, handoff: false, owner: null, team: null, rule: null, ...fields };
}

const handedTo = (owner: string, team: string | null = 'west') => ({ mql: true, handoff: true, owner, team, rule: 'r1' });

describe('compareReplays', () => {
  const current = [
    decision('1', { grade: 'hot', score: 80, ...handedTo('ann@x.example') }),
    decision('2', { score: 60, ...handedTo('bob@x.example') }),
    decision('3', { score: 40 }),
    decision('4', { score: 70, ...handedTo('ann@x.example') }),
  ];
  // The proposed config raises the MQL threshold to 65 and sends contact 4 to Bob.
  const proposed = [
    decision('1', { grade: 'hot', score: 80, ...handedTo('ann@x.example') }),
    decision('2', { score: 60 }),
    decision('3', { score: 40 }),
    decision('4', { score: 70, ...handedTo('bob@x.example') }),
  ];
  const recorded = current.map((c) => ({ grade: c.grade, handoff: c.handoff, owner: c.owner }));
  const outcomes: ContactOutcome[] = [
    { contactId: '2', opportunityId: 'o1', outcome: 'won', amount: 1000, currency: 'USD' },
    { contactId: '2', opportunityId: 'o2', outcome: 'lost', amount: 500, currency: 'USD' },
    { contactId: '4', opportunityId: 'o3', outcome: 'won', amount: 200, currency: 'EUR' },
    { contactId: '1', opportunityId: 'o4', outcome: 'won', amount: 9999, currency: 'USD' },
  ];

  it('counts MQLs and hand-offs gained and lost, by contact', () => {
    const diff = compareReplays(current, proposed, recorded, outcomes);
    expect(diff.decisions).toBe(4);
    expect(diff.mql).toEqual({ current: 3, proposed: 2, gained: [], lost: ['2'] });
    expect(diff.handoffs).toEqual({ current: 3, proposed: 2, gained: [], lost: ['2'] });
    expect(diff.asRecorded).toBe(4);
  });

  it('lists owners reassigned and the load per owner and team side by side', () => {
    const diff = compareReplays(current, proposed, recorded, outcomes);
    expect(diff.reassigned).toEqual([{ contactId: '4', handoffKey: 'first', from: 'ann@x.example', to: 'bob@x.example' }]);
    expect(diff.loadByOwner).toEqual([
      { key: 'ann@x.example', current: 2, proposed: 1 },
      { key: 'bob@x.example', current: 1, proposed: 1 },
    ]);
    expect(diff.loadByTeam).toEqual([{ key: 'west', current: 3, proposed: 2 }]);
  });

  it('sums the won and lost deals of the contacts affected only, each opportunity once', () => {
    const diff = compareReplays(current, proposed, recorded, [...outcomes, { contactId: '4', opportunityId: 'o1', outcome: 'won', amount: 1000, currency: 'USD' }]);
    expect(diff.outcomes).toEqual([
      { change: 'handoff-gained', contacts: 0, won: 0, lost: 0, wonAmount: {}, lostAmount: {} },
      { change: 'handoff-lost', contacts: 1, won: 1, lost: 1, wonAmount: { USD: 1000 }, lostAmount: { USD: 500 } },
      { change: 'owner-changed', contacts: 1, won: 2, lost: 0, wonAmount: { EUR: 200, USD: 1000 }, lostAmount: {} },
    ]);
  });

  it('grade changes count both ways; a lower threshold gains MQLs', () => {
    const diff = compareReplays(proposed, current, recorded, []);
    expect(diff.mql.gained).toEqual(['2']);
    expect(diff.handoffs.gained).toEqual(['2']);
    expect(diff.gradeChanges).toBe(0);
    const regraded = compareReplays(current, [decision('1', { grade: 'warm' }), ...proposed.slice(1)], recorded, []);
    expect(regraded.gradeChanges).toBe(1);
    expect(regraded.grades).toEqual([
      { key: 'hot', current: 1, proposed: 0 },
      { key: 'warm', current: 3, proposed: 4 },
      { key: 'cold', current: 0, proposed: 0 },
    ]);
  });

  it('tells how many replayed decisions match what was recorded', () => {
    const diff = compareReplays(current, proposed, [{ grade: 'hot', handoff: true, owner: 'bob@x.example' }, ...recorded.slice(1)], []);
    expect(diff.asRecorded).toBe(3);
  });

  it('refuses replays of different decisions', () => {
    expect(() => compareReplays(current, proposed.slice(1), recorded, [])).toThrow(RangeError);
  });
});
