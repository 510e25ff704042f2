import { describe, expect, it } from 'vitest';
import { scoringConfigSchema } from '../config/scoring.ts';
import { qualifiedAt } from './qualified-at.ts';
import { score } from './score.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 86_400_000;
const iso = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();

const config = scoringConfigSchema.parse({
  fit: [{ id: 'software', when: { property: 'industry', op: 'eq', value: 'COMPUTER_SOFTWARE' }, points: 20 }],
  engagement: [
    { id: 'demo', when: { property: 'demo_watched', op: 'eq', value: 'full' }, points: 40, half_life_days: 60, recency: { property: 'demo_watched_date' } },
    { id: 'webinar', when: { property: 'webinar_attended_date', op: 'exists' }, points: 30, half_life_days: 60, recency: { property: 'webinar_attended_date' } },
  ],
  grades: { hot: 70, warm: 40 },
  mql: {
    min_score: 55,
    immediate_sources: {
      any: [
        { property: 'lead_source', op: 'eq', value: 'trade_show' },
        { property: 'demo_requested_date', op: 'within_days', value: 14 },
      ],
    },
  },
});
const at = (properties: Record<string, string>) => qualifiedAt(score({ id: '1', properties }, {}, config, NOW), properties, config, NOW);

describe('qualified at', () => {
  it('is the latest dated engagement behind an MQL score', () => {
    expect(at({ industry: 'COMPUTER_SOFTWARE', demo_watched: 'full', demo_watched_date: iso(50), webinar_attended_date: iso(40), createdate: iso(300) })).toBe(NOW - 40 * DAY);
  });
  it('is the date of the dated input that made an immediate source true (a demo request 3 days ago)', () => {
    expect(at({ demo_requested_date: iso(3), createdate: iso(400) })).toBe(NOW - 3 * DAY);
  });
  it("falls back on the contact's create date when the rule that held is undated (a booth scan by source alone)", () => {
    expect(at({ lead_source: 'trade_show', createdate: iso(120) })).toBe(NOW - 120 * DAY);
  });
  it('is undefined for a contact that does not qualify', () => {
    expect(at({ industry: 'COMPUTER_SOFTWARE', createdate: iso(1) })).toBeUndefined();
  });
});
