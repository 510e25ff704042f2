import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/app.ts';
import { loadEnv } from '../src/config/env.ts';
import { checkSla } from '../src/pipeline/checkSla.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { createSandboxClock, type SandboxClock } from '../src/sandbox/clock.ts';
import type { LoggedRequest } from '../src/sandbox/request-log.ts';
import { openLedger } from '../src/store/ledger.ts';
import { diffEndStates, endState } from './support/end-state.ts';
import { killAt, type KillPoint } from './support/kill-points.ts';
import type { LeadloopProcess } from './support/process.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { waitFor, World } from './support/world.ts';

const CONTACTS = 1_200;
const SEED = 31;
const MINUTE = 60_000;
const DAY = 86_400_000;
const SLA_CHECK = ['sla', 'check', '--once'] as const;
/**
 * A run after a kill is started when the killed run's lease has less than this to live: about
 * how long a process takes to reach its lease (its ledger opened: PostgreSQL in 2 s, PGlite in 10).
 */
const LEASE_OVERLAP_MS = { postgres: 1_000, pglite: 8_000 };
const TASK_KEY = 'Leadloop_Key__c';

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * When the world's hand-offs are made: the latest Tuesday 10:00 in New York at least three days
 * before real now. Every hot (1 working hour) and warm (2 working days) clock of every owner's
 * working hours is then due before real now, whatever day the suite runs on — a leadloop process
 * lives in real time — so the `sla check --once` processes find every untouched clock breached.
 */
function tuesdayMorning(now: number): number {
  let at = DateTime.fromMillis(now, { zone: 'America/New_York' }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  while (at.weekday !== 2 || at.toMillis() + 3 * DAY > now) at = at.minus({ days: 1 });
  return at.toMillis();
}

/**
 * The scenario's sync.yaml: a breach is escalated when found within 14 days of it (the hand-offs
 * are 3 to 10 days old when the processes look; the shipped 1 day would record them unescalated).
 */
function editConfig(file: string, text: string): string {
  if (file !== 'sync.yaml') return text;
  const line = '    manager: rachel.stone@copperleaf.example';
  if (!text.includes(line)) throw new Error('sla-kill: sync.yaml no longer names on_breach.manager as the scenario expects');
  return text.replace(line, `${line}\n    within: 14d`);
}

/** What the scenario did to the world besides leadloop: leads touched by their owner, one given to a colleague by a person. */
interface Prepared {
  handedOff: number;
  clocks: number;
  touched: string[];
  reassigned: { leadId: string; to: string };
}

/**
 * One world as the breach finds it, made on the sandbox's frozen clock so that two worlds made
 * from the same seeds carry the same record times to the millisecond: the contacts handed off by
 * leadloop in-process at the Tuesday morning, the clocks started by one in-process SLA check a
 * minute later (leadloop living in the sandbox's time), then 10 minutes on a sales user completes
 * a call on every fifth running Lead clock and a person gives one more Lead to a colleague; the
 * clock is then set to real now, past every breach time.
 */
async function prepare(world: World, clock: SandboxClock): Promise<Prepared> {
  const app = await compose(loadEnv(world.env, { needs: ['hubspot', 'salesforce'] }), { now: () => clock.now() });
  let handedOff: number;
  let clocks: Awaited<ReturnType<typeof app.deps.slaClocks.openClocks>>;
  try {
    const summary = await syncLeads(app.deps, { indexingLagMs: 0 });
    handedOff = summary.created + summary.adopted;
    clock.advance(MINUTE);
    const first = await checkSla(app.deps);
    expect(first.breached).toBe(0);
    clocks = await app.deps.slaClocks.openClocks({ watchSince: 0, limit: 10_000 });
    expect(clocks.length).toBe(first.started);
  } finally {
    await app.close();
  }
  const sf = world.sandbox.salesforce;
  const leads = clocks.filter((c) => c.object === 'Lead' && c.ownerId.startsWith('005') && c.assignedOwnerId === c.ownerId).toSorted((a, b) => Number(a.contactId) - Number(b.contactId));
  clock.advance(10 * MINUTE);
  const touched = leads.filter((_, i) => i % 5 === 1);
  for (const c of touched) sf.create('Task', { Subject: 'Call', WhoId: c.salesforceId, OwnerId: c.ownerId, Status: 'Completed', TaskSubtype: 'Call' }, { userId: c.ownerId, at: clock.now() });
  const given = leads.find((_, i) => i % 5 === 3)!;
  const colleague = String(
    sf.records('User').find((u) => u.Email === 'ben.carter@copperleaf.example' && u.Id !== given.ownerId)?.Id ?? sf.records('User').find((u) => u.Email === 'aisha.khan@copperleaf.example')!.Id,
  );
  sf.edit('Lead', given.salesforceId, { OwnerId: colleague }, { userId: colleague, at: clock.now() });
  clock.set(Date.now());
  return { handedOff, clocks: clocks.length, touched: touched.map((c) => c.salesforceId), reassigned: { leadId: given.salesforceId, to: colleague } };
}

/** A clock as the ledger keeps it, by `<contact>:<handoffKey>` (ids of the ledger and times of writing left out). */
interface ClockRow {
  key: string;
  object: string;
  salesforceId: string;
  temperature: string;
  breachedAt: string | null;
  escalation: Record<string, unknown> | null;
  assignedOwnerId: string;
  touched: boolean;
  restarted: boolean;
}

const CLOCKS_QUERY = `select h.hubspot_contact_id || ':' || h.handoff_key as key, c.salesforce_object as object, c.salesforce_id, c.temperature,
  (extract(epoch from c.breached_at) * 1000)::bigint::text as breached_at, c.escalation::text as escalation, c.assigned_owner_id,
  c.first_touch_at is not null as touched, c.restarted_at is not null as restarted
  from sla_clocks c join handoffs h on h.id = c.handoff_id order by 1`;

async function ledgerClocks(world: World): Promise<Map<string, ClockRow>> {
  let rows: Record<string, unknown>[];
  if (world.database) rows = await world.database.query(CLOCKS_QUERY);
  else {
    // The embedded ledger admits one opener: every process of the world has ended by now.
    const ledger = await openLedger({ dataDir: world.dataDir, role: 'chaos suite (reading the SLA clocks)' });
    try {
      rows = (await sql.raw<Record<string, unknown>>(CLOCKS_QUERY).execute(ledger.db)).rows;
    } finally {
      await ledger.close();
    }
  }
  return new Map(
    rows.map((r) => [
      String(r.key),
      {
        key: String(r.key),
        object: String(r.object),
        salesforceId: String(r.salesforce_id),
        temperature: String(r.temperature),
        breachedAt: r.breached_at === null ? null : String(r.breached_at),
        escalation: r.escalation === null ? null : (JSON.parse(String(r.escalation)) as Record<string, unknown>),
        assignedOwnerId: String(r.assigned_owner_id),
        touched: r.touched === true,
        restarted: r.restarted === true,
      },
    ]),
  );
}

/** JSON with sorted keys: the ledger's jsonb orders keys its own way. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).toSorted(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** The SLA escalation tasks in a sandbox, counted per key. */
function slaTasks(world: World): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of world.sandbox.salesforce.records('Task')) {
    const key = t[TASK_KEY];
    if (typeof key === 'string' && !t.IsDeleted && /:sla-(takeover|manager)$/.test(key)) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** Owner changes per Lead, from LeadHistory (Lead.OwnerId is tracked in these worlds): lead id → new owners, in order. */
function ownerChanges(world: World): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of world.sandbox.salesforce.records('LeadHistory')) if (row.Field === 'OwnerId') out.set(String(row.LeadId), [...(out.get(String(row.LeadId)) ?? []), String(row.NewValue)]);
  return out;
}

/** Salesforce writes the sandbox answered so far (lead reassignments and task creates: sObject Collections). */
const salesforceWrites = (world: World) => world.sandbox.requestLog.total('salesforce', 'sobjects.collections.update') + world.sandbox.requestLog.total('salesforce', 'sobjects.collections.create');

describe('kill -9 during the SLA clock’s escalations (chaos)', () => {
  it('an `sla check --once` killed three times — inside a Lead reassignment, inside a Task create, between breach records — then run again escalates every breach exactly once, as a clean run does', async () => {
    const started = Date.now();
    const pg = await postgresAnswers();
    const handoffAt = tuesdayMorning(Date.now());
    const [cleanClock, chaosClock] = [createSandboxClock({ start: handoffAt, frozen: true }), createSandboxClock({ start: handoffAt, frozen: true })];
    const sandbox = (clock: SandboxClock) => ({ contacts: CONTACTS, seed: SEED, clock, salesforce: { fieldHistoryTracking: ['Lead.Status', 'Lead.OwnerId'] } });
    // The killed runs' ledger is PostgreSQL when one answers (a process opens it in 2 s, the
    // embedded PGlite in about 10: four runs in a row); the clean run keeps the embedded ledger.
    const [clean, chaos] = await Promise.all([
      World.open({ label: 'sla-clean', redisUrl: redis.url, sandbox: sandbox(cleanClock), editConfig }),
      World.open({ label: 'sla-kill', redisUrl: redis.url, sandbox: sandbox(chaosClock), postgres: pg, editConfig }),
    ]);
    const leaseOverlapMs = pg ? LEASE_OVERLAP_MS.postgres : LEASE_OVERLAP_MS.pglite;
    try {
      const [cleanWorld, chaosWorld] = await Promise.all([prepare(clean, cleanClock), prepare(chaos, chaosClock)]);
      expect(chaosWorld).toEqual(cleanWorld);
      const preparedMs = Date.now() - started;

      const cleanWritesBefore = salesforceWrites(clean);
      const reference = clean.spawn(SLA_CHECK, 'clean sla check');
      const cleanDone = reference.finished(90_000).then((exit) => ({ exit, ms: Date.now() - reference.startedAt }));

      const chaosWritesBefore = salesforceWrites(chaos);
      const leaseKey = chaos.keys.lease('check-sla');
      const reassign = (e: LoggedRequest) => e.system === 'salesforce' && e.endpoint === 'sobjects.collections.update';
      const taskCreate = (e: LoggedRequest) => e.system === 'salesforce' && e.endpoint === 'sobjects.collections.create';
      const managerTasks = () => [...slaTasks(chaos).keys()].filter((k) => k.endsWith(':sla-manager')).length;
      let creates = 0;
      // Every point is met by a run that resumes the previous run's unfinished escalation first.
      const points: { name: string; arm: (run: LeadloopProcess) => { killed: Promise<{ at: number; what: string }>; cancel(): void } }[] = [
        // The first breach recorded with its escalation, its Lead given to the next in team, the answer never received.
        { name: 'inside the first Lead reassignment, answer lost', arm: (run) => killAt(chaos, () => run, { name: 'reassign', request: reassign } satisfies KillPoint) },
        // The resumed escalation finished; two more breaches' tasks created; the third's created, answer lost.
        {
          name: 'inside the third Task create of the run, answer lost',
          arm: (run) => {
            creates = 0;
            return killAt(chaos, () => run, { name: 'task create', request: (e) => taskCreate(e) && ++creates >= 3 });
          },
        },
        // Killed from outside as the escalations go on: somewhere between one breach's ledger writes and the next's.
        {
          name: 'between breach records (half the breaches left escalated)',
          arm: (run) => {
            const from = managerTasks();
            const half = from + Math.max(3, Math.floor((cleanWorld.clocks - cleanWorld.touched.length - 1 - from) / 2));
            let cancelled = false;
            const killed = waitFor(() => cancelled || managerTasks() >= half || !run.alive, 60_000, 2).then(async () => {
              if (cancelled || !run.alive) return new Promise<never>(() => undefined);
              await new Promise((r) => setTimeout(r, 3));
              await run.kill9();
              return { at: Date.now(), what: `${managerTasks() - from} manager tasks into the run` };
            });
            return { killed, cancel: () => (cancelled = true) };
          },
        },
      ];
      const kills: { point: string; what: string; afterMs: number; writes: number; restartAfterMs?: number }[] = [];
      let steppedAside = 0;
      let killedAt: number | undefined;
      // A killed run's lease (15 s, renewed every 5 s) outlives it: a run is started in its last
      // seconds, and one that still finds it held steps aside (exit 75, nothing done) and is started again once it is gone.
      const startRun = async (label: string) => {
        await waitFor(async () => (await chaos.redis.pttl(leaseKey)) < leaseOverlapMs, 30_000, 100);
        const run = chaos.spawn(SLA_CHECK, label);
        if (killedAt !== undefined && kills.at(-1)!.restartAfterMs === undefined) kills.at(-1)!.restartAfterMs = Date.now() - killedAt;
        return run;
      };
      const stoodAside = async (run: LeadloopProcess) => {
        const exit = await run.exited;
        if (exit.code !== 75 || run.summary()?.reason !== 'lease-held') return false;
        steppedAside++;
        await waitFor(async () => (await chaos.redis.exists(leaseKey)) === 0, 30_000, 100);
        return true;
      };
      for (const [i, point] of points.entries()) {
        const writesBefore = salesforceWrites(chaos);
        for (;;) {
          const run = await startRun(`sla check #${chaos.processes.length + 1}`);
          const armed = point.arm(run);
          const outcome = await Promise.race([armed.killed, run.exited.then(() => (run.crashed ? undefined : armed.killed)), sleep(60_000).then(() => undefined)]);
          armed.cancel();
          if (outcome === undefined && !run.alive && (await stoodAside(run))) continue;
          expect(
            outcome,
            `kill point ${i + 1} "${point.name}" was never reached (exit ${JSON.stringify(run.alive ? 'running' : await run.exited)})\n${run.stdout.slice(-2_000)}\n${run.tail()}`,
          ).toBeDefined();
          killedAt = Date.now();
          kills.push({ point: point.name, what: outcome!.what, afterMs: outcome!.at - run.startedAt, writes: salesforceWrites(chaos) - writesBefore });
          console.log(JSON.stringify({ kill: kills.at(-1) }));
          break;
        }
      }
      /** A run to its end (started again if it stood aside for the killed run's lease). */
      const toTheEnd = async (label: string) => {
        for (;;) {
          const run = await startRun(label);
          await run.finished(90_000);
          if (await stoodAside(run)) continue;
          return { run, exit: await run.exited, ms: Date.now() - run.startedAt };
        }
      };
      const { run: last, exit: lastExit, ms: lastMs } = await toTheEnd('sla check to completion');
      expect(lastExit.code, `${last.stdout.slice(-2_000)}\n${last.tail()}`).toBe(0);
      const lastSummary = last.summary() as { ok?: boolean; breached: number; escalated: number; deadLettered: number; tasks: number; reassigned: number };
      expect(lastSummary.deadLettered).toBe(0);

      const { exit: cleanExit, ms: cleanMs } = await cleanDone;
      expect(cleanExit.code, `${reference.stdout.slice(-2_000)}\n${reference.tail()}`).toBe(0);
      const cleanSummary = reference.summary() as { breached: number; escalated: number; reassigned: number; tasks: number; touched: number; restarted: number; deadLettered: number };
      expect(cleanSummary.deadLettered).toBe(0);

      // A further run finds every escalation done: it writes nothing to Salesforce.
      const writesBeforeRerun = salesforceWrites(chaos);
      const { run: rerun, exit: rerunExit } = await toTheEnd('rerun');
      expect(rerunExit.code, rerun.tail()).toBe(0);
      expect(salesforceWrites(chaos) - writesBeforeRerun).toBe(0);
      expect(rerun.summary()).toMatchObject({ breached: 0, escalated: 0, reassigned: 0, tasks: 0, started: 0 });

      const [expected, after] = [await ledgerClocks(clean), await ledgerClocks(chaos)];
      const breached = [...expected.values()].filter((c) => c.breachedAt !== null);
      const escalatedClocks = breached.filter((c) => c.escalation?.escalated === true);
      const reassignedClocks = escalatedClocks.filter((c) => c.escalation?.reassignTo);
      // The clean run breached and escalated the untouched hand-offs: enough of them for the kills to land among them.
      expect(cleanSummary.escalated).toBe(escalatedClocks.length);
      expect(escalatedClocks.length).toBeGreaterThan(60);
      expect(reassignedClocks.length).toBeGreaterThan(20);
      // Every clock of the world is settled (touched, breached or restarted past real now): no breach left to find.
      for (const c of expected.values()) expect(c.touched || c.breachedAt !== null || c.restarted, `clock ${c.key} still running`).toBe(true);

      // The ledger: the same clocks, the same breaches at the same times, with the same escalation, done.
      expect([...after.keys()]).toEqual([...expected.keys()]);
      const ledgerDiffs: string[] = [];
      for (const [key, want] of expected) {
        const got = after.get(key)!;
        const shape = (c: ClockRow) => canonical({ ...c, escalation: c.escalation });
        if (shape(got) !== shape(want)) ledgerDiffs.push(`${key}: ${shape(got)} where the clean run has ${shape(want)}`);
      }
      expect(ledgerDiffs.slice(0, 20)).toEqual([]);
      for (const c of breached) expect(c.escalation?.done, c.key).toBe(true);

      // Salesforce: every lead, task and write-back as the clean run left them, none twice.
      const [cleanState, afterState] = [endState(clean.sandbox), endState(chaos.sandbox)];
      expect(diffEndStates(cleanState, afterState)).toEqual([]);
      expect(afterState.duplicateTasks).toEqual([]);
      expect(chaos.tap.repeated(chaos.tap.taskCreates)).toEqual([]);
      expect(chaos.tap.repeated(chaos.tap.leadCreates)).toEqual([]);

      // Exactly one take-over task per reassigned breach, one manager task per escalated breach, none else.
      const [cleanTasks, tasks] = [slaTasks(clean), slaTasks(chaos)];
      expect(tasks).toEqual(cleanTasks);
      const wantedKeys = escalatedClocks.flatMap((c) => (c.escalation!.taskKeys as string[]) ?? []).toSorted();
      expect([...tasks.keys()].toSorted()).toEqual(wantedKeys);
      expect([...tasks.values()].every((n) => n === 1)).toBe(true);
      expect([...tasks.keys()].filter((k) => k.endsWith(':sla-manager')).length).toBe(escalatedClocks.filter((c) => c.escalation!.managerId).length);
      expect([...tasks.keys()].filter((k) => k.endsWith(':sla-takeover')).length).toBe(
        reassignedClocks.filter((c) => String((c.escalation!.reassignTo as { ownerId: string }).ownerId).startsWith('005')).length,
      );

      // Each reassigned lead changed owner once, to the clean run's next in team; no other lead's owner moved, but the one a person gave away.
      const [cleanOwners, owners] = [ownerChanges(clean), ownerChanges(chaos)];
      expect(owners).toEqual(cleanOwners);
      const leadOf = (id: string) => chaos.sandbox.salesforce.records('Lead').find((l) => l.Id === id)!;
      for (const c of reassignedClocks) {
        const to = (c.escalation!.reassignTo as { ownerId: string }).ownerId;
        expect(owners.get(c.salesforceId), c.key).toEqual([to]);
        expect(leadOf(c.salesforceId).OwnerId).toBe(to);
        expect(c.assignedOwnerId).toBe(to);
      }
      expect(owners.get(chaosWorld.reassigned.leadId)).toEqual([chaosWorld.reassigned.to]);
      expect(owners.size).toBe(reassignedClocks.length + 1);

      // The touched leads and the lead a person reassigned: no breach, no escalation, no SLA task.
      const bySalesforceId = new Map([...after.values()].map((c) => [c.salesforceId, c]));
      for (const id of chaosWorld.touched) expect(bySalesforceId.get(id)).toMatchObject({ touched: true, breachedAt: null, escalation: null });
      expect(bySalesforceId.get(chaosWorld.reassigned.leadId)).toMatchObject({ restarted: true, breachedAt: null, escalation: null, assignedOwnerId: chaosWorld.reassigned.to });
      const spared = new Set([...chaosWorld.touched, chaosWorld.reassigned.leadId]);
      for (const t of chaos.sandbox.salesforce.records('Task')) if (/:sla-/.test(String(t[TASK_KEY] ?? ''))) expect(spared.has(String(t.WhoId)), String(t[TASK_KEY])).toBe(false);
      expect(chaosWorld.touched.length).toBeGreaterThan(10);

      expect(chaos.unhandledErrors()).toEqual([]);
      expect(clean.unhandledErrors()).toEqual([]);
      console.log(
        JSON.stringify({
          scenario: 'kill-sla',
          contacts: CONTACTS,
          handedOff: cleanWorld.handedOff,
          clocks: cleanWorld.clocks,
          handoffAt: new Date(handoffAt).toISOString(),
          touched: chaosWorld.touched.length,
          personReassigned: 1,
          breaches: breached.length,
          escalated: escalatedClocks.length,
          reassigned: reassignedClocks.length,
          tasks: { takeover: [...tasks.keys()].filter((k) => k.endsWith(':sla-takeover')).length, manager: [...tasks.keys()].filter((k) => k.endsWith(':sla-manager')).length },
          kills: kills.length,
          // Runs of the killed world: the three killed, the one to completion, the rerun that wrote nothing.
          runs: chaos.processes.length,
          reruns: chaos.processes.length - 1,
          steppedAside,
          killPoints: kills,
          duplicates: afterState.duplicateTasks.length + chaos.tap.repeated(chaos.tap.taskCreates).length,
          refusedTaskCreates: chaos.tap.refusedTaskCreates,
          leadUpdates: { clean: clean.tap.total(clean.tap.leadUpdates), killedRuns: chaos.tap.total(chaos.tap.leadUpdates) },
          salesforceWrites: { clean: salesforceWrites(clean) - cleanWritesBefore, killedRuns: writesBeforeRerun - chaosWritesBefore, rerun: 0 },
          finalRun: { breached: lastSummary.breached, escalated: lastSummary.escalated, reassigned: lastSummary.reassigned, tasks: lastSummary.tasks, durationMs: lastMs },
          cleanRunMs: cleanMs,
          preparedMs,
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), chaos.close()]);
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
