import { parseSlaSpan, parseWeekdayTime, type SlaConfig, type SlaSpan, WEEKDAYS } from '../config/sla.ts';
import type { ClockTimes, Temperature } from './types.ts';
import { addWorkingTime, localWeek, workingDayMs, workingTimeBetween, type WorkingHours } from './working-time.ts';

function spanMs(span: SlaSpan, hours: WorkingHours): number {
  return span.unit === 'days' ? span.amount * workingDayMs(hours) : span.amount * 60_000;
}

/**
 * The clock of a hand-off made at `startedAt` to an owner working `hours`: the first cohort that
 * covers it (delivered on its day, from its sources and grades) sets its due time to the cohort's
 * day and time of the same week; otherwise its temperature's span, in working time. The reminder
 * falls when `sla.reminder` of the working time to the due time has passed. Undefined: no SLA.
 */
export function clockTimes(sla: SlaConfig, handoff: { grade: Temperature; source: string | null; startedAt: number }, hours: WorkingHours): ClockTimes | undefined {
  const due = cohortDue(sla, handoff, hours) ?? temperatureDue(sla, handoff, hours);
  if (!due) return undefined;
  const remindAt = sla.reminder === undefined ? null : addWorkingTime(handoff.startedAt, Math.round(workingTimeBetween(handoff.startedAt, due.dueAt, hours) * sla.reminder), hours);
  return { policy: due.policy, dueAt: due.dueAt, remindAt: remindAt !== null && remindAt < due.dueAt ? remindAt : null };
}

function temperatureDue(sla: SlaConfig, handoff: { grade: Temperature; startedAt: number }, hours: WorkingHours): { policy: string; dueAt: number } | undefined {
  const text = sla[handoff.grade];
  const span = text === undefined ? undefined : parseSlaSpan(text);
  if (!span) return undefined;
  return { policy: `${handoff.grade}: ${text}`, dueAt: addWorkingTime(handoff.startedAt, spanMs(span, hours), hours) };
}

function cohortDue(sla: SlaConfig, handoff: { grade: Temperature; source: string | null; startedAt: number }, hours: WorkingHours): { policy: string; dueAt: number } | undefined {
  const week = localWeek(handoff.startedAt, hours.timezone);
  for (const cohort of sla.cohorts) {
    if (WEEKDAYS.indexOf(cohort.delivered_on) + 1 !== week.weekday) continue;
    if (cohort.grades && !cohort.grades.includes(handoff.grade)) continue;
    if (cohort.sources && !(handoff.source !== null && cohort.sources.includes(handoff.source))) continue;
    const by = parseWeekdayTime(cohort.worked_by)!;
    let dueAt = week.at(by.weekday, by.minutes);
    // "worked by" a day earlier in the week than the delivery (friday → monday) means next week's.
    if (dueAt <= handoff.startedAt) dueAt = week.at(by.weekday + 7, by.minutes);
    return { policy: cohort.name, dueAt };
  }
  return undefined;
}

/** The temperatures some SLA can cover (a span, or a cohort; a cohort naming no grades covers all): only their hand-offs get clocks. */
export function gradesWithSla(sla: SlaConfig): Temperature[] {
  const all: Temperature[] = ['hot', 'warm', 'cold'];
  return all.filter((grade) => sla[grade] !== undefined || sla.cohorts.some((c) => !c.grades || c.grades.includes(grade)));
}
