import { describe, expect, it } from 'vitest';
import { parseReportDate } from './report.ts';

describe('report --since/--until', () => {
  it('a date is its day in UTC, --until taking the whole day; a time without an offset is UTC', () => {
    expect(parseReportDate('2026-07-01', 'since').toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(parseReportDate('2026-09-30', 'until').toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(parseReportDate('2026-07-01T10:00', 'until').toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(parseReportDate('2026-07-01T10:00+02:00', 'since').toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });
  it('anything else is a usage error naming the flag', () => {
    expect(() => parseReportDate('2026-13-45', 'since')).toThrow(/--since must be an ISO date/);
    expect(() => parseReportDate('last week', 'until')).toThrow(/--until must be an ISO date/);
  });
});
