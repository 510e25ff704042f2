import { afterEach, describe, expect, it } from 'vitest';
import { type SandboxApp, sandboxOnItsClock } from '../../test/support/pipeline.ts';
import type { Sandbox } from '../sandbox/server.ts';
import type { SandboxClock } from '../sandbox/clock.ts';
import { checkSla } from './checkSla.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

// Tuesday 1 December 2026, 10:00 in New York: a working morning for the North American reps.
const TUESDAY_MORNING = Date.parse('2026-12-01T15:00:00Z');
const MINUTE = 60_000;

async function world(): Promise<{ sandbox: Sandbox; app: SandboxApp; clock: SandboxClock }> {
  return sandboxOnItsClock({ contacts: 300, seed: 7 }, { label: 'sla' }, { start: TUESDAY_MORNING, frozen: true });
}

type Clock = Awaited<ReturnType<typeof clocksOf>>[number];
const clocksOf = (app: SandboxApp) => app.ledger.db.selectFrom('sla_clocks').selectAll().orderBy('handoff_id').execute();
const at = (value: Date | string | null) => (value === null ? null : new Date(value).getTime());

describe('the SLA clock against the sandbox', () => {
  it('starts a clock per hot and warm hand-off, stops it at the first touch by anyone, restarts it on a person’s reassignment, reminds once and escalates a breach once', async () => {
    const w = await world();
    ({ sandbox, app } = w);
    const { clock } = w;
    const sf = sandbox.salesforce;
    await syncLeads(app.deps, { indexingLagMs: 0 });

    const first = await checkSla(app.deps);
    const handoffs = await app.ledger.db.selectFrom('handoffs').selectAll().execute();
    const withSla = handoffs.filter((h) => h.grade === 'hot' || h.grade === 'warm');
    expect(withSla.length).toBeGreaterThan(10);
    const clocks = await clocksOf(app);
    // Every hot and warm hand-off with a person to answer for it has a clock; cold ones have none (no cohort on a Tuesday).
    expect(first.started).toBe(clocks.length);
    expect(new Set(clocks.map((c) => c.temperature))).toEqual(new Set(['hot', 'warm'].filter((g) => clocks.some((c) => c.temperature === g))));
    expect(clocks.every((c) => c.temperature !== 'cold')).toBe(true);
    expect(clocks.length).toBe(withSla.filter((h) => h.owner_id !== null).length);
    // A queue-owned lead is watched for the queue's manager.
    const rachel = sf.records('User').find((u) => u.Email === 'rachel.stone@copperleaf.example')!.Id as string;
    const queued = clocks.filter((c) => c.assigned_owner_id.startsWith('00G'));
    for (const c of queued) expect(c).toMatchObject({ owner_id: rachel, owner_label: 'rachel.stone@copperleaf.example' });
    // Every clock names its owner as routing.yaml does, for the report.
    for (const c of clocks) expect(c.owner_label).toMatch(/@copperleaf\.example$/);
    // A rerun starts nothing twice; a wake-up before any reminder is due reads no clock at all.
    expect((await checkSla(app.deps)).started).toBe(0);
    sandbox.requestLog.reset();
    const quiet = await checkSla(app.deps, { dueOnly: true });
    expect(quiet).toMatchObject({ started: 0, running: 0 });
    expect(sandbox.requestLog.snapshot().salesforce).not.toHaveProperty('composite');
    // The clocks asked to be woken at each reminder and breach.
    expect(first.wakeAt).toEqual(expect.arrayContaining(clocks.flatMap((c) => [at(c.remind_at)!, at(c.due_at)!])));

    const onTeams = clocks
      .filter((c) => c.salesforce_object === 'Lead' && c.owner_id.startsWith('005') && c.team !== null && c.assigned_owner_id === c.owner_id)
      .sort((a, b) => (a.temperature === b.temperature ? 0 : a.temperature === 'hot' ? -1 : 1));
    expect(onTeams.length).toBeGreaterThanOrEqual(3);
    const [untouched, touched, reassigned] = onTeams as [Clock, Clock, Clock];
    const someoneElse = sf.records('User').find((u) => u.Id !== touched.owner_id && u.IsActive === true && u.Email !== 'rachel.stone@copperleaf.example')!.Id as string;

    // 10 minutes on: someone other than the owner calls the first lead; a person gives the second to a colleague.
    clock.advance(10 * MINUTE);
    sf.create('Task', { Subject: 'Call', WhoId: touched.salesforce_id, OwnerId: someoneElse, Status: 'Completed', TaskSubtype: 'Call' }, { userId: someoneElse, at: clock.now() });
    sf.edit('Lead', reassigned.salesforce_id, { OwnerId: someoneElse }, { userId: someoneElse, at: clock.now() });
    clock.advance(MINUTE);
    const second = await checkSla(app.deps);
    expect(second.touched).toBeGreaterThanOrEqual(1);
    const after = new Map((await clocksOf(app)).map((c) => [c.handoff_id, c]));
    expect(after.get(touched.handoff_id)).toMatchObject({ first_touch_by: someoneElse, first_touch_kind: 'task' });
    expect(at(after.get(touched.handoff_id)!.first_touch_at)).toBe(TUESDAY_MORNING + 10 * MINUTE);
    // It still counts for the owner at hand-off.
    expect(after.get(touched.handoff_id)!.owner_id).toBe(touched.owner_id);
    const restarted = after.get(reassigned.handoff_id)!;
    expect(restarted).toMatchObject({ owner_id: someoneElse, assigned_owner_id: someoneElse });
    expect(at(restarted.restarted_at)).toBe(clock.now());
    expect(at(restarted.due_at)).toBeGreaterThan(at(reassigned.due_at)!);

    // The untouched one: at 75 % its owner gets one reminder.
    clock.set(at(untouched.remind_at)! + 1000);
    const woken = await checkSla(app.deps, { dueOnly: true });
    expect(woken.reminded).toBeGreaterThanOrEqual(1);
    await checkSla(app.deps);
    const tasksOf = (key: string) => sf.records('Task').filter((t) => String(t.Leadloop_Key__c ?? '').endsWith(key) && t.WhoId === untouched.salesforce_id);
    expect(tasksOf(':sla-remind').map((t) => t.OwnerId)).toEqual([untouched.owner_id]);

    // At its breach: reassigned to the next member of the owner's team, who gets a fresh task; the manager gets one. Once.
    clock.set(at(untouched.due_at)! + 1000);
    const breachCheck = await checkSla(app.deps, { dueOnly: true });
    expect(breachCheck.escalated).toBeGreaterThanOrEqual(1);
    const breached = (await clocksOf(app)).find((c) => c.handoff_id === untouched.handoff_id)!;
    expect(at(breached.breached_at)).toBe(at(untouched.due_at));
    const escalation = breached.escalation as { escalated: boolean; reassignTo?: { ownerId: string }; managerId?: string; done: boolean };
    expect(escalation).toMatchObject({ escalated: true, done: true });
    const lead = sf.records('Lead').find((l) => l.Id === untouched.salesforce_id)!;
    expect(lead.OwnerId).toBe(escalation.reassignTo!.ownerId);
    expect(lead.OwnerId).not.toBe(untouched.owner_id);
    expect(tasksOf(':sla-takeover').map((t) => t.OwnerId)).toEqual([escalation.reassignTo!.ownerId]);
    expect(tasksOf(':sla-manager').map((t) => t.OwnerId)).toEqual([escalation.managerId]);

    clock.advance(30 * MINUTE);
    const again = await checkSla(app.deps);
    expect(again.escalated).toBe(0);
    expect(tasksOf(':sla-manager')).toHaveLength(1);
    expect(tasksOf(':sla-takeover')).toHaveLength(1);
    // The reassignment is leadloop's own: it does not restart the clock.
    expect((await clocksOf(app)).find((c) => c.handoff_id === untouched.handoff_id)!.restarted_at).toBeNull();
  }, 120_000);

  it('a dry run reads and decides, and writes nothing', async () => {
    const w = await world();
    ({ sandbox, app } = w);
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const plannedWrites: NonNullable<SandboxApp['deps']['plannedWrites']> = [];
    const summary = await checkSla({ ...app.deps, plannedWrites });
    expect(summary.started).toBeGreaterThan(0);
    expect(plannedWrites.filter((w) => w.operation === 'sla-clock-start')).toHaveLength(summary.started);
    expect(await clocksOf(app)).toEqual([]);
  }, 120_000);
});
