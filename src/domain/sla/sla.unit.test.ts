import { describe, expect, it } from 'vitest';
import { slaSchema } from '../config/sla.ts';
import type { OwnerDirectory } from '../handoff/types.ts';
import { routingConfigSchema } from '../config/routing.ts';
import { slaPeople } from './people.ts';
import { firstTouch, nextWakeTimes, planSlaCheck } from './plan-check.ts';
import { clockTimes } from './start-clock.ts';
import type { OpenClock, RecordObservation } from './types.ts';
import { addWorkingTime, workingTimeBetween } from './working-time.ts';

const NY = { timezone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };
const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('working time', () => {
  it('counts an hour inside the working day as an hour', () => {
    // Tue 2026-12-01 10:00 New York (UTC-5) = 15:00Z
    expect(new Date(addWorkingTime(at('2026-12-01T15:00:00Z'), HOUR, NY)).toISOString()).toBe('2026-12-01T16:00:00.000Z');
  });
  it('carries what is left of the day over to the next working morning', () => {
    // Tue 16:30 local + 1 h = Wed 09:30 local
    expect(new Date(addWorkingTime(at('2026-12-01T21:30:00Z'), HOUR, NY)).toISOString()).toBe('2026-12-02T14:30:00.000Z');
  });
  it('starts counting at the next working start when handed off at night, and skips the weekend', () => {
    // Fri 2026-12-04 20:00 local → Mon 09:00 + 1 h = Mon 10:00 local (15:00Z)
    expect(new Date(addWorkingTime(at('2026-12-05T01:00:00Z'), HOUR, NY)).toISOString()).toBe('2026-12-07T15:00:00.000Z');
    // Sat afternoon the same
    expect(new Date(addWorkingTime(at('2026-12-05T19:00:00Z'), HOUR, NY)).toISOString()).toBe('2026-12-07T15:00:00.000Z');
  });
  it('keeps local working hours across a daylight-saving change', () => {
    // Fri 2026-03-06 16:30 EST (21:30Z) + 1 h: 30 min Friday, 30 min Monday 09:00 EDT (13:00Z) → 13:30Z
    expect(new Date(addWorkingTime(at('2026-03-06T21:30:00Z'), HOUR, NY)).toISOString()).toBe('2026-03-09T13:30:00.000Z');
  });
  it('measures working time between two instants, the inverse of adding it', () => {
    const from = at('2026-12-04T20:00:00Z'); // Fri 15:00 local
    const to = addWorkingTime(from, 5 * HOUR, NY);
    expect(workingTimeBetween(from, to, NY)).toBe(5 * HOUR);
  });
});

describe('clock times', () => {
  const sla = slaSchema.parse({
    hot: '1 hour',
    warm: '2 working days',
    reminder: '75%',
    cohorts: [{ name: 'monday batch', delivered_on: 'monday', worked_by: 'wednesday 17:00', sources: ['trade_show'] }],
  });
  it('gives hot one working hour, reminding at 45 minutes', () => {
    const t = clockTimes(sla, { grade: 'hot', source: 'web', startedAt: at('2026-12-01T15:00:00Z') }, NY)!;
    expect(t.policy).toBe('hot: 1 hour');
    expect(t.dueAt).toBe(at('2026-12-01T16:00:00Z'));
    expect(t.remindAt).toBe(at('2026-12-01T15:45:00Z'));
  });
  it('gives warm two working days: the same local time two working days on', () => {
    const t = clockTimes(sla, { grade: 'warm', source: 'web', startedAt: at('2026-12-03T20:00:00Z') }, NY)!; // Thu 15:00
    expect(t.dueAt).toBe(at('2026-12-07T20:00:00Z')); // Mon 15:00
  });
  it('lets a cohort set the due time for its day and sources', () => {
    const monday = at('2026-11-30T14:00:00Z'); // Mon 09:00 local
    const t = clockTimes(sla, { grade: 'warm', source: 'trade_show', startedAt: monday }, NY)!;
    expect(t.policy).toBe('monday batch');
    expect(t.dueAt).toBe(at('2026-12-02T22:00:00Z')); // Wed 17:00 EST
    expect(clockTimes(sla, { grade: 'warm', source: 'web', startedAt: monday }, NY)!.policy).toBe('warm: 2 working days');
  });
  it('has no clock for a temperature without an SLA', () => {
    expect(clockTimes(sla, { grade: 'cold', source: 'web', startedAt: at('2026-12-01T15:00:00Z') }, NY)).toBeUndefined();
  });
});

const routing = routingConfigSchema.parse({
  owners: [
    { email: 'ann@x.example', name: 'Ann' },
    { email: 'bob@x.example', name: 'Bob' },
    { email: 'mia@x.example', name: 'Mia' },
  ],
  default_working_hours: NY,
  teams: { sales: { members: ['ann@x.example', 'bob@x.example'], manager: 'mia@x.example' } },
  queues: { inbound: { salesforce_queue: 'Inbound', manager: 'mia@x.example' } },
  fallback: { assign: 'queue', queue: 'inbound' },
});
const users = { ann: '005000000000001', bob: '005000000000002', mia: '005000000000003', other: '005000000000009' };
const directory: OwnerDirectory = {
  usersByEmail: new Map([
    ['ann@x.example', { id: users.ann, active: true, name: 'Ann' }],
    ['bob@x.example', { id: users.bob, active: true, name: 'Bob' }],
    ['mia@x.example', { id: users.mia, active: true, name: 'Mia' }],
  ]),
  emailsById: new Map([
    [users.ann, 'ann@x.example'],
    [users.bob, 'bob@x.example'],
    [users.mia, 'mia@x.example'],
  ]),
  queuesByName: new Map([['Inbound', '00G000000000001']]),
};

describe('the SLA check', () => {
  const sla = slaSchema.parse({ hot: '1 hour', reminder: '75%', on_breach: { reassign: 'next_in_team', manager_task: true } });
  const people = slaPeople(routing, directory, sla);
  const started = at('2026-12-01T15:00:00Z');
  const clock: OpenClock & { source: string | null } = {
    handoffId: '1',
    contactId: 'c1',
    handoffKey: 'first',
    object: 'Lead',
    salesforceId: '00Q000000000001',
    ownerId: users.ann,
    ownerLabel: 'ann@x.example',
    team: 'sales',
    temperature: 'hot',
    policy: 'hot: 1 hour',
    startedAt: started,
    remindAt: started + 45 * 60_000,
    dueAt: started + HOUR,
    assignedOwnerId: users.ann,
    remindedAt: null,
    breachedAt: null,
    escalation: null,
    restartedAt: null,
    source: 'web',
  };
  const ctx = (now: number) => ({ now, sla, people, initialStatuses: new Set(['Open - Not Contacted']) });
  const seen = (o: Partial<RecordObservation> = {}) => new Map([[clock.salesforceId, { ownerId: users.ann, touches: [], ...o }]]);

  it('stops at the first touch by anyone, the owner or not, and records who', () => {
    const actions = planSlaCheck([clock], seen({ touches: [{ at: started + 30 * 60_000, by: users.other, kind: 'task' }] }), ctx(started + 50 * 60_000));
    expect(actions).toEqual([{ kind: 'touched', handoffId: '1', at: started + 30 * 60_000, by: users.other, touch: 'task' }]);
  });
  it('does not count a touch before the hand-off, a meeting still to come, or leadloop setting the first status', () => {
    const touch = firstTouch(
      clock,
      [
        { at: started - 1, by: users.ann, kind: 'task' },
        { at: started + 2 * HOUR, by: users.ann, kind: 'event' },
        { at: started + 1000, by: users.ann, kind: 'status', toStatus: 'Open - Not Contacted' },
      ],
      ctx(started + 30 * 60_000),
    );
    expect(touch).toBeUndefined();
  });
  it('reminds the owner once at 75 %, and not before', () => {
    expect(planSlaCheck([clock], seen(), ctx(started + 44 * 60_000))).toEqual([]);
    const [reminder] = planSlaCheck([clock], seen(), ctx(started + 46 * 60_000));
    expect(reminder).toMatchObject({ kind: 'reminded', tasks: [{ ownerId: users.ann, whoId: clock.salesforceId, key: 'c1:first:sla-remind' }] });
    expect(planSlaCheck([{ ...clock, remindedAt: started + 46 * 60_000 }], seen(), ctx(started + 50 * 60_000))).toEqual([]);
  });
  it('escalates a breach once: the next team member takes the lead with a fresh task, the manager gets a task', () => {
    const breach = planSlaCheck([{ ...clock, remindedAt: started + 46 * 60_000 }], seen(), ctx(started + HOUR + 1000))[0];
    if (breach?.kind !== 'breached') throw new Error(`expected a breach, got ${breach?.kind}`);
    expect(breach).toMatchObject({
      kind: 'breached',
      at: started + HOUR,
      reassign: { object: 'Lead', id: clock.salesforceId, ownerId: users.bob },
      escalation: { escalated: true, reassignTo: { ownerId: users.bob }, managerId: users.mia, done: false },
    });
    expect(breach.tasks.map((t) => [t.key, t.ownerId])).toEqual([
      ['c1:first:sla-takeover', users.bob],
      ['c1:first:sla-manager', users.mia],
    ]);
    // Recorded and done: nothing more, even though the lead is still untouched.
    const recorded = { ...clock, breachedAt: started + HOUR, escalation: { ...breach.escalation, done: true }, assignedOwnerId: users.bob };
    expect(planSlaCheck([recorded], seen({ ownerId: users.bob }), ctx(started + 3 * HOUR))).toEqual([]);
  });
  it('restarts the clock for the new owner when a person reassigns the lead before the breach', () => {
    const [action] = planSlaCheck([clock], seen({ ownerId: users.bob }), ctx(started + 20 * 60_000));
    expect(action).toMatchObject({ kind: 'restarted', ownerId: users.bob, ownerLabel: 'bob@x.example', assignedOwnerId: users.bob, times: { dueAt: started + 20 * 60_000 + HOUR } });
  });
  it('does not reassign a lead a person took after the breach was planned, and records why', () => {
    const planned = { ...clock, breachedAt: started + HOUR, escalation: { escalated: true, reassignTo: { ownerId: users.bob, label: 'bob' }, managerId: users.mia, taskKeys: [], done: false } };
    const [resumed] = planSlaCheck([planned], seen({ ownerId: users.other }), ctx(started + HOUR + 5000));
    expect(resumed).toMatchObject({ kind: 'breached', escalation: { notReassigned: 'a person reassigned the lead meanwhile' } });
    expect(resumed && 'reassign' in resumed ? resumed.reassign : undefined).toBeUndefined();
  });
  it('records an old breach found late without escalating it', () => {
    const [late] = planSlaCheck([clock], seen(), ctx(started + 3 * 24 * HOUR));
    expect(late).toMatchObject({ kind: 'breached', escalation: { escalated: false, done: true }, tasks: [] });
  });
  it('wakes at the reminder and the breach still ahead', () => {
    expect(nextWakeTimes([clock], [], started)).toEqual([clock.remindAt, clock.dueAt]);
  });
  it('gives a queue-owned lead to the queue manager', () => {
    expect(people.personFor('00G000000000001')).toBe(users.mia);
    expect(people.personFor(users.ann)).toBe(users.ann);
  });
});
