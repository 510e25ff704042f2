import { DateTime } from 'luxon';

/** When a person works: their time zone, working days (mon…sun) and the day's start and end, local time. */
export interface WorkingHours {
  timezone: string;
  days: readonly string[];
  start: string;
  end: string;
}

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// Years of days without one working day mean the hours are empty: give up rather than loop.
const MAX_DAYS = 3_700;

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** The working window of the local day that `day` falls in, or undefined on a day off. */
function windowOf(day: DateTime, hours: WorkingHours): { start: DateTime; end: DateTime } | undefined {
  if (!hours.days.includes(DAY_KEYS[day.weekday - 1]!)) return undefined;
  const midnight = day.startOf('day');
  // Local wall-clock times: luxon resolves each against the zone's offset on that day (DST included).
  const at = (clock: string) => midnight.set({ hour: Math.floor(minutesOf(clock) / 60), minute: minutesOf(clock) % 60 });
  const start = at(hours.start);
  const end = at(hours.end);
  return end > start ? { start, end } : undefined;
}

/** How long one working day lasts (ms), the unit of "N working days". */
export function workingDayMs(hours: WorkingHours): number {
  return (minutesOf(hours.end) - minutesOf(hours.start)) * 60_000;
}

/**
 * The instant `spanMs` of working time after `from`, counted in `hours` (in its time zone): time
 * outside the working window and on days off does not count. Starting outside hours, the count
 * begins when the next working day starts.
 */
export function addWorkingTime(from: number, spanMs: number, hours: WorkingHours): number {
  let remaining = spanMs;
  let cursor = DateTime.fromMillis(from, { zone: hours.timezone });
  for (let i = 0; i < MAX_DAYS; i++) {
    const window = windowOf(cursor, hours);
    if (window) {
      const begin = Math.max(cursor.toMillis(), window.start.toMillis());
      if (begin < window.end.toMillis()) {
        const available = window.end.toMillis() - begin;
        if (remaining <= available) return begin + remaining;
        remaining -= available;
      }
    }
    cursor = cursor.startOf('day').plus({ days: 1 });
  }
  throw new RangeError(`working hours ${hours.start}–${hours.end} on [${hours.days.join(', ')}] never reach the end of the span`);
}

/** The working time (ms) between two instants, counted in `hours`. */
export function workingTimeBetween(from: number, to: number, hours: WorkingHours): number {
  if (to <= from) return 0;
  let total = 0;
  let cursor = DateTime.fromMillis(from, { zone: hours.timezone });
  const end = DateTime.fromMillis(to, { zone: hours.timezone });
  for (let i = 0; i < MAX_DAYS && cursor < end; i++) {
    const window = windowOf(cursor, hours);
    if (window) {
      const begin = Math.max(cursor.toMillis(), window.start.toMillis());
      const finish = Math.min(to, window.end.toMillis());
      if (finish > begin) total += finish - begin;
    }
    cursor = cursor.startOf('day').plus({ days: 1 });
  }
  return total;
}

/** The owner's local weekday (1 = Monday) and the instant of `weekday` at `minutes` in the same ISO week, local time. */
export function localWeek(at: number, timezone: string): { weekday: number; at(weekday: number, minutes: number): number } {
  const local = DateTime.fromMillis(at, { zone: timezone });
  return {
    weekday: local.weekday,
    at: (weekday, minutes) =>
      local
        .startOf('day')
        .plus({ days: weekday - local.weekday })
        .set({ hour: Math.floor(minutes / 60), minute: minutes % 60 })
        .toMillis(),
  };
}
