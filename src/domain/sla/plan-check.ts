import { DateTime } from 'luxon';
import { parseDuration } from '../config/duration.ts';
import type { SlaConfig } from '../config/sla.ts';
import type { TaskWrite } from '../handoff/types.ts';
import type { SlaPeople } from './people.ts';
import { clockTimes } from './start-clock.ts';
import type { Escalation, OpenClock, RecordObservation, SlaAction, Touch } from './types.ts';

export interface SlaCheckContext {
  now: number;
  sla: SlaConfig;
  people: SlaPeople;
  /** Statuses leadloop itself gives a lead at a hand-off (create, reopen): a change to one is not a touch. */
  initialStatuses: ReadonlySet<string>;
}

/** A touch as the adapter read it; a status change carries the status it moved to. */
export type ObservedTouch = Touch & { toStatus?: string };

/**
 * Decides what each running clock needs now, from what Salesforce holds for its record: the first
 * touch since the hand-off (by anyone) stops it; a person's reassignment before the breach restarts
 * it for the new owner; at its reminder time the owner gets a task; at its breach time the breach
 * is recorded once with the escalation sync.yaml names (reassign while leadloop's owner still has
 * the lead, a task for the manager), or without one when found later than `on_breach.within`.
 * A breach whose writes did not finish is planned again from what was recorded. Pure.
 */
export function planSlaCheck(
  clocks: readonly (OpenClock & { source: string | null })[],
  observed: ReadonlyMap<string, RecordObservation & { touches: ObservedTouch[] }>,
  context: SlaCheckContext,
): SlaAction[] {
  const actions: SlaAction[] = [];
  for (const clock of clocks) {
    const seen = observed.get(clock.salesforceId);
    if (!seen || seen.ownerId === null) continue;
    const touch = firstTouch(clock, seen.touches, context);
    if (touch) {
      const late = clock.breachedAt === null && touch.at > clock.dueAt;
      actions.push({
        kind: 'touched',
        handoffId: clock.handoffId,
        at: touch.at,
        by: touch.by,
        touch: touch.kind,
        ...(late ? { lateBreach: { at: clock.dueAt, escalation: { escalated: false, why: 'touched after the breach, before leadloop saw it', taskKeys: [], done: true } } } : {}),
      });
      continue;
    }
    const ours = seen.ownerId === clock.assignedOwnerId || seen.ownerId === clock.escalation?.reassignTo?.ownerId;
    if (clock.breachedAt === null && !ours) {
      const restarted = restart(clock, seen.ownerId, context);
      if (restarted) actions.push(restarted);
      continue;
    }
    if (clock.breachedAt === null && context.now >= clock.dueAt) {
      actions.push(breach(clock, seen.ownerId, context));
      continue;
    }
    if (clock.breachedAt !== null && clock.escalation && !clock.escalation.done) {
      actions.push(resumeBreach(clock, seen.ownerId, context));
      continue;
    }
    if (clock.breachedAt === null && clock.remindedAt === null && clock.remindAt !== null && context.now >= clock.remindAt) {
      actions.push({ kind: 'reminded', handoffId: clock.handoffId, at: context.now, tasks: [reminderTask(clock, context)] });
    }
  }
  return actions;
}

/** The earliest touch since the hand-off that has happened by now (a future meeting is not one yet). */
export function firstTouch(clock: { startedAt: number }, touches: readonly ObservedTouch[], context: Pick<SlaCheckContext, 'now' | 'initialStatuses'>): ObservedTouch | undefined {
  let first: ObservedTouch | undefined;
  for (const touch of touches) {
    if (touch.at < clock.startedAt || touch.at > context.now) continue;
    if (touch.kind === 'status' && touch.toStatus !== undefined && context.initialStatuses.has(touch.toStatus)) continue;
    if (!first || touch.at < first.at) first = touch;
  }
  return first;
}

/** The instants at which running clocks next need a look: reminders not sent, breaches not reached. */
export function nextWakeTimes(clocks: readonly OpenClock[], actions: readonly SlaAction[], now: number): number[] {
  const restarted = new Map(actions.flatMap((a) => (a.kind === 'restarted' ? [[a.handoffId, a] as const] : [])));
  const stopped = new Set(actions.flatMap((a) => (a.kind === 'touched' || a.kind === 'breached' ? [a.handoffId] : [])));
  const times = new Set<number>();
  for (const clock of clocks) {
    if (stopped.has(clock.handoffId) || clock.breachedAt !== null) continue;
    const r = restarted.get(clock.handoffId);
    const remindAt = r ? r.times.remindAt : clock.remindedAt === null ? clock.remindAt : null;
    const dueAt = r ? r.times.dueAt : clock.dueAt;
    for (const at of [remindAt, dueAt]) if (at !== null && at > now) times.add(at);
  }
  return [...times].sort((a, b) => a - b);
}

function restart(clock: OpenClock & { source: string | null }, ownerId: string, context: SlaCheckContext): SlaAction | undefined {
  const person = context.people.personFor(ownerId);
  if (!person) return undefined;
  const times = clockTimes(context.sla, { grade: clock.temperature, source: clock.source, startedAt: context.now }, context.people.hoursOf(person));
  if (!times) return undefined;
  return {
    kind: 'restarted',
    handoffId: clock.handoffId,
    at: context.now,
    ownerId: person,
    ownerLabel: context.people.labelOf(person),
    team: context.people.teamOf(person),
    times,
    assignedOwnerId: ownerId,
  };
}

function breach(clock: OpenClock, ownerNow: string, context: SlaCheckContext): SlaAction {
  const { people, sla, now } = context;
  if (now - clock.dueAt > parseDuration(sla.on_breach.within)) {
    const escalation: Escalation = {
      escalated: false,
      why: `found ${Math.round((now - clock.dueAt) / 60_000)} min after the breach (on_breach.within ${sla.on_breach.within})`,
      taskKeys: [],
      done: true,
    };
    return { kind: 'breached', handoffId: clock.handoffId, at: clock.dueAt, temperature: clock.temperature, escalation, tasks: [] };
  }
  let reassignTo: { ownerId: string; label: string } | undefined;
  let notReassigned: string | undefined;
  if (sla.on_breach.reassign !== 'none') {
    if (clock.object !== 'Lead') notReassigned = 'an existing Contact keeps its owner';
    else if (ownerNow !== clock.assignedOwnerId) notReassigned = "the lead no longer has leadloop's owner";
    else reassignTo = people.takeOver(clock.ownerId);
    if (!reassignTo && !notReassigned) notReassigned = 'nobody else to take it';
  }
  const managerId = sla.on_breach.manager_task ? people.managerOf(clock.ownerId, clock.assignedOwnerId) : undefined;
  const escalation: Escalation = {
    escalated: true,
    ...(reassignTo ? { reassignTo } : {}),
    ...(notReassigned ? { notReassigned } : {}),
    ...(managerId ? { managerId } : {}),
    taskKeys: [],
    done: false,
  };
  return breachAction(clock, escalation, context);
}

/** A breach recorded with its escalation whose writes did not all land (a crash): the same writes again. */
function resumeBreach(clock: OpenClock, ownerNow: string, context: SlaCheckContext): SlaAction {
  const escalation = clock.escalation!;
  const stillOurs = ownerNow === clock.assignedOwnerId || ownerNow === escalation.reassignTo?.ownerId;
  const { reassignTo: _dropped, ...rest } = escalation;
  const resumed: Escalation = stillOurs ? escalation : { ...rest, notReassigned: 'a person reassigned the lead meanwhile' };
  return breachAction(clock, resumed, context);
}

function breachAction(clock: OpenClock, escalation: Escalation, context: SlaCheckContext): SlaAction {
  const { people } = context;
  const tasks: (TaskWrite & { whoId: string })[] = [];
  const base = `${clock.contactId}:${clock.handoffKey}:sla`;
  const due = formatLocal(clock.dueAt, people.hoursOf(clock.ownerId).timezone);
  const takeOver = escalation.reassignTo;
  if (takeOver?.ownerId.startsWith('005')) {
    tasks.push(
      task(`${base}-takeover`, clock, takeOver.ownerId, {
        Subject: `Call now: lead reassigned to you (first touch was due ${due})`,
        Priority: 'High',
        Type: 'Call',
        description: `Handed off to ${people.labelOf(clock.ownerId)} (${clock.policy}); not touched by ${due}.`,
        dueAt: context.now,
      }),
    );
  }
  if (escalation.managerId) {
    const reassigned = takeOver ? ` Reassigned to ${takeOver.label}.` : escalation.notReassigned ? ` Not reassigned: ${escalation.notReassigned}.` : '';
    tasks.push(
      task(`${base}-manager`, clock, escalation.managerId, {
        Subject: `SLA breached: ${clock.temperature} lead not touched by ${due}`,
        Priority: 'High',
        Type: 'Other',
        description: `Owner: ${people.labelOf(clock.ownerId)}. SLA: ${clock.policy}.${reassigned}`,
        dueAt: context.now,
      }),
    );
  }
  const recorded: Escalation = { ...escalation, taskKeys: tasks.map((t) => t.key) };
  return {
    kind: 'breached',
    handoffId: clock.handoffId,
    at: clock.dueAt,
    temperature: clock.temperature,
    escalation: recorded,
    tasks,
    ...(takeOver ? { reassign: { object: 'Lead' as const, id: clock.salesforceId, ownerId: takeOver.ownerId } } : {}),
  };
}

function reminderTask(clock: OpenClock, context: SlaCheckContext): TaskWrite & { whoId: string } {
  const due = formatLocal(clock.dueAt, context.people.hoursOf(clock.ownerId).timezone);
  return task(`${clock.contactId}:${clock.handoffKey}:sla-remind`, clock, clock.ownerId, {
    Subject: `Reminder: first touch due by ${due}`,
    Priority: 'High',
    Type: 'Call',
    description: `This ${clock.temperature} lead was handed off to you (${clock.policy}) and has not been touched yet.`,
    dueAt: clock.dueAt,
  });
}

function task(key: string, clock: OpenClock, ownerId: string, text: { Subject: string; Priority: string; Type: string; description: string; dueAt: number }): TaskWrite & { whoId: string } {
  return {
    key,
    contactId: clock.contactId,
    kind: 'sla',
    ownerId,
    whoId: clock.salesforceId,
    fields: {
      Subject: text.Subject.slice(0, 255),
      Priority: text.Priority,
      Type: text.Type,
      Status: 'Not Started',
      ActivityDate: new Date(text.dueAt).toISOString().slice(0, 10),
      Description: text.description,
    },
  };
}

/** "Wed 3 Dec 17:00 America/New_York": the owner's own clock. */
function formatLocal(at: number, timezone: string): string {
  return `${DateTime.fromMillis(at, { zone: timezone }).toFormat('ccc d LLL HH:mm')} ${timezone}`;
}
