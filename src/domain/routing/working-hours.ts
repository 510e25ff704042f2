import type { RoutingOwner } from '../config/routing.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const DAY_NAMES: Record<string, string> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** Whether `now` falls inside the owner's working hours, in the owner's own time zone. */
export function isWithinWorkingHours(hours: NonNullable<RoutingOwner['working_hours']>, now: number): boolean {
  let format = formatters.get(hours.timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(hours.timezone, format);
  }
  let day = '';
  let hour = '00';
  let minute = '00';
  for (const part of format.formatToParts(now)) {
    if (part.type === 'weekday') day = DAY_NAMES[part.value] ?? '';
    else if (part.type === 'hour') hour = part.value;
    else if (part.type === 'minute') minute = part.value;
  }
  const local = `${hour}:${minute}`;
  return (hours.days as string[]).includes(day) && local >= hours.start && local < hours.end;
}
