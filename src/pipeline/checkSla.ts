import { parseDuration } from '../domain/config/duration.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { slaPeople, type SlaPeople } from '../domain/sla/people.ts';
import { nextWakeTimes, planSlaCheck } from '../domain/sla/plan-check.ts';
import { clockTimes, gradesWithSla } from '../domain/sla/start-clock.ts';
import type { ClocklessHandoff, SlaAction, StartedClock } from '../domain/sla/types.ts';
import { rejectionReason, type Rejection } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';

/** What one SLA check did. */
export interface SlaSummary {
  /** Clocks started for hand-offs that had none. */
  started: number;
  /** Clocks looked at (still running). */
  running: number;
  touched: number;
  restarted: number;
  reminded: number;
  breached: number;
  escalated: number;
  reassigned: number;
  tasks: number;
  deadLettered: number;
  /** When running clocks next need a look (reminders and breaches ahead), soonest first. */
  wakeAt: number[];
  /** Each breach found, for the log and the metric (no personal data: ids and temperatures). */
  breaches: { handoffId: string; temperature: string; escalated: boolean }[];
}

const PAGE = 300;
// Hand-offs older than this when the clock first sees them (leadloop upgraded, or a long stop) get no clock.
const START_WITHIN_MS = 14 * 86_400_000;

/**
 * One SLA check (`sla check --once`, the check-sla job): starts a clock for each recent hand-off
 * without one (in its owner's working hours: a queue's manager for a queue-owned lead), reads from
 * Salesforce what happened to the records of running clocks (one composite call per 300), decides
 * (planSlaCheck — pure) and carries it out: the first touch stops a clock, a person's reassignment
 * restarts it, the reminder task, and a breach recorded before its escalation's writes (reassign,
 * the new owner's and the manager's tasks) so a crash resumes the same escalation, never a second.
 * A wake-up (`dueOnly`) reads only the clocks with a reminder, a breach or an unfinished
 * escalation due; the sweep reads every running clock, for first touches and reassignments.
 * A dry run reads and decides, and lists what it would write.
 */
export async function checkSla(deps: SyncDeps, run: { signal?: AbortSignal; dueOnly?: boolean } = {}): Promise<SlaSummary> {
  const summary: SlaSummary = { started: 0, running: 0, touched: 0, restarted: 0, reminded: 0, breached: 0, escalated: 0, reassigned: 0, tasks: 0, deadLettered: 0, wakeAt: [], breaches: [] };
  const { config } = deps;
  const now = deps.now();
  const people = slaPeople(config.routing, await deps.leads.directory(), config.sync.sla);

  const startedTimes = await startClocks(deps, people, now, summary);

  const capabilities = await deps.sla.capabilities();
  const context = { now, sla: config.sync.sla, people, initialStatuses: initialStatuses(config) };
  const wake = new Set<number>();
  // New clocks ask for their own reminder and breach (a wake-up does not read the clocks not yet due).
  for (const at of startedTimes) wake.add(at);
  let afterId: string | undefined;
  for (;;) {
    run.signal?.throwIfAborted();
    const clocks = await deps.slaClocks.openClocks({
      watchSince: now - parseDuration(config.sync.sla.watch_for),
      limit: PAGE,
      ...(afterId ? { afterId } : {}),
      ...(run.dueOnly ? { dueBy: now } : {}),
    });
    if (clocks.length === 0) break;
    afterId = clocks.at(-1)!.handoffId;
    summary.running += clocks.length;
    const observed = await deps.sla.observe(
      clocks.map((c) => ({ object: c.object, id: c.salesforceId, since: c.startedAt })),
      capabilities,
      now,
    );
    const actions = planSlaCheck(clocks, observed, context);
    for (const at of nextWakeTimes(clocks, actions, now)) wake.add(at);
    await carryOut(deps, actions, now, summary);
    if (!deps.plannedWrites)
      await deps.slaClocks.markChecked(
        clocks.map((c) => c.handoffId),
        now,
      );
    if (clocks.length < PAGE) break;
  }
  summary.wakeAt = [...wake].sort((a, b) => a - b);
  return summary;
}

async function startClocks(deps: SyncDeps, people: SlaPeople, now: number, summary: SlaSummary): Promise<number[]> {
  const times: number[] = [];
  let afterId: string | undefined;
  for (;;) {
    const handoffs = await deps.slaClocks.handoffsWithoutClock({ since: now - START_WITHIN_MS, limit: PAGE, grades: gradesWithSla(deps.config.sync.sla), ...(afterId ? { afterId } : {}) });
    if (handoffs.length === 0) return times;
    afterId = handoffs.at(-1)!.handoffId;
    const clocks = handoffs.flatMap((h) => startedClock(h, people, deps.config));
    if (deps.plannedWrites) {
      for (const c of clocks) deps.plannedWrites.push({ system: 'ledger', operation: 'sla-clock-start', key: c.handoffId, fields: { policy: c.policy, dueAt: new Date(c.dueAt).toISOString() } });
      summary.started += clocks.length;
    } else summary.started += await deps.slaClocks.startClocks(clocks);
    for (const c of clocks) for (const at of [c.remindAt, c.dueAt]) if (at !== null && at > now) times.push(at);
    if (handoffs.length < PAGE) return times;
  }
}

function startedClock(h: ClocklessHandoff, people: SlaPeople, config: LeadloopConfig): StartedClock[] {
  const person = people.personFor(h.ownerId);
  if (!person || !h.ownerId) return [];
  const times = clockTimes(config.sync.sla, { grade: h.grade, source: h.source, startedAt: h.handedOffAt }, people.hoursOf(person));
  if (!times) return [];
  return [
    {
      ...times,
      handoffId: h.handoffId,
      contactId: h.contactId,
      object: h.object,
      salesforceId: h.salesforceId,
      ownerId: person,
      ownerLabel: people.labelOf(person),
      team: people.teamOf(person),
      temperature: h.grade,
      startedAt: h.handedOffAt,
      assignedOwnerId: h.ownerId,
    },
  ];
}

/** Statuses leadloop itself gives a lead at a hand-off (mapping.yaml's create value, the reopen status): a change to one is not a touch. */
function initialStatuses(config: LeadloopConfig): Set<string> {
  const created = config.mapping.lead.fields.flatMap((f) => (f.salesforce === 'Status' && f.value !== undefined ? [String(f.value)] : []));
  return new Set([...created, config.mapping.back_to_marketing.reopen_status]);
}

async function carryOut(deps: SyncDeps, actions: readonly SlaAction[], now: number, summary: SlaSummary): Promise<void> {
  const planned = deps.plannedWrites;
  for (const action of actions) {
    switch (action.kind) {
      case 'touched':
        summary.touched += 1;
        if (action.lateBreach) summary.breached += 1;
        if (planned) planned.push({ system: 'ledger', operation: 'sla-touch', key: action.handoffId, fields: { at: new Date(action.at).toISOString(), kind: action.touch } });
        else await deps.slaClocks.recordTouch(action.handoffId, { at: action.at, by: action.by, kind: action.touch }, action.lateBreach);
        break;
      case 'restarted':
        summary.restarted += 1;
        if (planned) planned.push({ system: 'ledger', operation: 'sla-restart', key: action.handoffId, fields: { dueAt: new Date(action.times.dueAt).toISOString() } });
        else
          await deps.slaClocks.recordRestart(action.handoffId, {
            at: action.at,
            ownerId: action.ownerId,
            ownerLabel: action.ownerLabel,
            team: action.team,
            assignedOwnerId: action.assignedOwnerId,
            ...action.times,
          });
        break;
      case 'reminded': {
        summary.reminded += 1;
        if (planned) {
          for (const t of action.tasks) planned.push({ system: 'salesforce', operation: 'task-create', key: t.key, fields: { ...t.fields, OwnerId: t.ownerId, WhoId: t.whoId } });
          break;
        }
        const created = await deps.leads.createTasks(action.tasks);
        summary.tasks += created.created.length;
        summary.deadLettered += await deadLetter(deps, created.rejections, now);
        await deps.slaClocks.recordReminded(action.handoffId, now);
        break;
      }
      case 'breached':
        await breach(deps, action, now, summary);
        break;
    }
  }
}

async function breach(deps: SyncDeps, action: Extract<SlaAction, { kind: 'breached' }>, now: number, summary: SlaSummary): Promise<void> {
  const planned = deps.plannedWrites;
  if (planned) {
    planned.push({ system: 'ledger', operation: 'sla-breach', key: action.handoffId, fields: { at: new Date(action.at).toISOString(), escalated: action.escalation.escalated } });
    if (action.reassign) planned.push({ system: 'salesforce', operation: 'lead-reassign', key: action.reassign.id, fields: { OwnerId: action.reassign.ownerId } });
    for (const t of action.tasks) planned.push({ system: 'salesforce', operation: 'task-create', key: t.key, fields: { ...t.fields, OwnerId: t.ownerId, WhoId: t.whoId } });
    summary.breached += 1;
    return;
  }
  // Recorded first: a crash after this resumes the same escalation (its `done` is still false).
  const fresh = await deps.slaClocks.recordBreach(action.handoffId, action.at, action.escalation);
  if (fresh) {
    summary.breached += 1;
    summary.breaches.push({ handoffId: action.handoffId, temperature: action.temperature, escalated: action.escalation.escalated });
  }
  if (!action.escalation.escalated) return;
  if (action.escalation.escalated && fresh) summary.escalated += 1;
  let reassigned: string | undefined;
  if (action.reassign) {
    const result = await deps.sla.reassign([{ id: action.reassign.id, ownerId: action.reassign.ownerId }]);
    summary.deadLettered += await deadLetter(deps, result.rejections, now);
    if (result.updated.length > 0) {
      summary.reassigned += 1;
      reassigned = action.reassign.ownerId;
    }
  }
  const created = await deps.leads.createTasks(action.tasks);
  summary.tasks += created.created.length;
  summary.deadLettered += await deadLetter(deps, created.rejections, now);
  await deps.slaClocks.finishEscalation(action.handoffId, action.escalation, reassigned);
}

async function deadLetter(deps: SyncDeps, rejections: readonly Rejection[], at: number): Promise<number> {
  for (const r of rejections) {
    await deps.deadLetter.add({
      system: 'salesforce',
      operation: r.recordKey.includes(':sla-') ? 'task-create' : 'lead-reassign',
      recordKey: r.recordKey,
      reason: rejectionReason(r),
      error: { code: r.code, fields: r.fields },
      at,
    });
  }
  return rejections.length;
}
