import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoringConfigSchema, type ScoringConfigInput } from '../config/scoring.ts';
import { nextGradeChangeAt } from './nextGradeChangeAt.ts';
import { score } from './score.ts';
import type { ContactHistory } from './types.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 86_400_000;
const iso = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();

const base: ScoringConfigInput = {
  fit: [
    { id: 'software', when: { property: 'industry', op: 'eq', value: 'COMPUTER_SOFTWARE' }, points: 15 },
    { id: 'big', when: { property: 'numemployees', op: 'in', value: ['500-1000', '1000+'] }, points: 10 },
  ],
  engagement: [
    { id: 'demo', when: { property: 'demo_watched', op: 'eq', value: 'full' }, points: 20, half_life_days: 10, recency: { property: 'demo_watched_date', observed: true } },
    { id: 'webinar', when: { property: 'webinar_date', op: 'exists' }, points: 10, half_life_days: 30, recency: { property: 'webinar_date' } },
    { id: 'views', when: { property: 'hs_analytics_num_page_views', op: 'gte', value: 10 }, points: 16, half_life_days: 30 },
    { id: 'clicks', when: { property: 'hs_email_click', op: 'gte', value: 1 }, points: 10, half_life_days: 5, recency: { observed: true } },
  ],
  bant: {
    budget: { when: { property: 'bant_budget', op: 'eq', value: 'approved' }, points: 5 },
    authority: { when: { property: 'bant_authority', op: 'eq', value: 'decision_maker' }, points: 5 },
    need: { when: { property: 'bant_need', op: 'eq', value: 'urgent' }, points: 5 },
    timeline: { when: { property: 'bant_timeline', op: 'eq', value: 'within_3_months' }, points: 5 },
    all_four_bonus: 7,
  },
  negative: [{ id: 'gmail', when: { property: 'email', op: 'matches', value: '@gmail\\.com$' }, points: -12 }],
  caps: { fit: 20, total: 100 },
  grades: { hot: 60, warm: 30 },
  mql: { min_score: 45, immediate_sources: { property: 'lead_source', op: 'in', value: ['trade_show'] } },
};
const config = scoringConfigSchema.parse(base);

const allBant = { bant_budget: 'approved', bant_authority: 'decision_maker', bant_need: 'urgent', bant_timeline: 'within_3_months' };
const fit20 = { industry: 'COMPUTER_SOFTWARE', numemployees: '1000+' };

type Props = Record<string, string | null>;
const next = (properties: Props, history: ContactHistory = {}, scoring = config, now = NOW) => nextGradeChangeAt({ id: '1', properties }, history, scoring, now);
const at = (properties: Props, t: number, history: ContactHistory = {}, scoring = config) => {
  const r = score({ id: '1', properties }, history, scoring, t);
  return { grade: r.grade, mql: r.mql };
};

describe('nextGradeChangeAt', () => {
  it('finds the millisecond a hot contact cools to warm as its demo decays', () => {
    // 20 fit + 27 BANT + 20 demo today = 67 (hot). Below 60 once the demo is worth ≤ 12 points:
    // 20 × 0.5^(d/10) < 12.5 ⇒ d > 10 × log2(1.6) ≈ 6.78 days.
    const contact = { ...fit20, ...allBant, demo_watched: 'full', demo_watched_date: iso(0) };
    const t = next(contact)!;
    expect(t).toBeGreaterThan(NOW);
    expect((t - NOW) / DAY).toBeCloseTo(10 * Math.log2(1.6), 6);
    expect(at(contact, t - 1)).toEqual({ grade: 'hot', mql: true });
    expect(at(contact, t + 2)).toEqual({ grade: 'warm', mql: true });
  });

  it('then points at the next change, and at none once the rest stands above the thresholds', () => {
    // 15 fit + 27 BANT + 20 demo = 62: warm below 60 (demo ≤ 17), no longer MQL below 45 (demo ≤ 2), then 42 for good.
    const contact = { industry: 'COMPUTER_SOFTWARE', ...allBant, demo_watched: 'full', demo_watched_date: iso(0) };
    const first = next(contact)!;
    expect((first - NOW) / DAY).toBeCloseTo(10 * Math.log2(20 / 17.5), 6);
    const second = next(contact, {}, config, first + 2)!;
    expect((second - NOW) / DAY).toBeCloseTo(10 * Math.log2(8), 6);
    expect(at(contact, second - 1)).toEqual({ grade: 'warm', mql: true });
    expect(at(contact, second + 2)).toEqual({ grade: 'warm', mql: false });
    expect(next(contact, {}, config, second + 2)).toBeNull();
  });

  it('is null when nothing decays: fit and BANT only, undated counters, a decay already spent', () => {
    expect(next({ ...fit20, ...allBant })).toBeNull();
    expect(next({ ...fit20, hs_analytics_num_page_views: '250' })).toBeNull();
    expect(next({ ...fit20, ...allBant, demo_watched: 'full', demo_watched_date: iso(400) })).toBeNull();
  });

  it('is null for a cold non-MQL contact whose decay can only take it lower', () => {
    expect(next({ demo_watched: 'full', demo_watched_date: iso(0), webinar_date: iso(40) })).toBeNull();
  });

  it('decays from the change leadloop observed when the dated property is empty', () => {
    // 20 fit + 10 clicks observed today = 30 (warm); below 30 once clicks are worth ≤ 9: 10 × 0.5^(d/5) < 9.5.
    const contact = { ...fit20, hs_email_click: '3' };
    const history = { hs_email_click: { changedAt: NOW } };
    const t = next(contact, history)!;
    expect((t - NOW) / DAY).toBeCloseTo(5 * Math.log2(10 / 9.5), 6);
    expect(at(contact, t - 1, history).grade).toBe('warm');
    expect(at(contact, t + 2, history).grade).toBe('cold');
    expect(next(contact)).toBeNull();
  });

  it('counts from a date in the future only once it has come', () => {
    const contact = { ...fit20, ...allBant, demo_watched: 'full', demo_watched_date: iso(-3) };
    const t = next(contact)!;
    expect((t - NOW) / DAY).toBeCloseTo(3 + 10 * Math.log2(1.6), 6);
  });

  it('sees a within_days condition flip, and a negative engagement rule that fades upwards', () => {
    const scoring = scoringConfigSchema.parse({
      ...base,
      fit: [...base.fit!, { id: 'recent-form', when: { property: 'form_date', op: 'within_days', value: 7 }, points: 30 }],
      caps: { total: 100 },
      engagement: [...base.engagement!, { id: 'unsubscribed', when: { property: 'unsub_date', op: 'exists' }, points: -20, half_life_days: 10, recency: { property: 'unsub_date' } }],
    });
    const recent = { form_date: iso(2) };
    const t = next(recent, {}, scoring)!;
    expect(t).toBe(NOW - 2 * DAY + 7 * DAY);
    expect(at(recent, t - 1, {}, scoring).grade).toBe('warm');
    expect(at(recent, t + 1, {}, scoring).grade).toBe('cold');
    // On the condition's last millisecond the flip is still ahead: one millisecond later.
    expect(next(recent, {}, scoring, t)).toBe(t + 1);

    // 15 fit + 27 BANT − 20 unsubscribed today = 22 (cold); warm again once the penalty is worth ≥ −12.
    const penalised = { industry: 'COMPUTER_SOFTWARE', ...allBant, unsub_date: iso(0) };
    const up = next(penalised, {}, scoring)!;
    expect((up - NOW) / DAY).toBeCloseTo(10 * Math.log2(20 / 12.5), 6);
    expect(at(penalised, up - 1, {}, scoring).grade).toBe('cold');
    expect(at(penalised, up + 2, {}, scoring).grade).toBe('warm');
  });

  it('agrees with score() for arbitrary contacts: same state until the answer, a change just after it', () => {
    const scoring = scoringConfigSchema.parse({
      ...base,
      fit: [...base.fit!, { id: 'recent-form', when: { property: 'form_date', op: 'within_days', value: 7 }, points: 12 }],
      engagement: [...base.engagement!, { id: 'unsubscribed', when: { property: 'unsub_date', op: 'exists' }, points: -9, half_life_days: 4, recency: { property: 'unsub_date' } }],
    });
    const date = fc.integer({ min: -30, max: 120 }).map((d) => iso(d));
    const contact = fc.record(
      {
        industry: fc.constantFrom('COMPUTER_SOFTWARE', 'RETAIL'),
        numemployees: fc.constantFrom('1000+', '10-50'),
        demo_watched: fc.constantFrom('full', 'partial'),
        demo_watched_date: date,
        webinar_date: date,
        hs_email_click: fc.constantFrom('0', '2'),
        bant_budget: fc.constantFrom('approved', 'no'),
        bant_authority: fc.constantFrom('decision_maker', 'no'),
        bant_need: fc.constantFrom('urgent', 'no'),
        bant_timeline: fc.constantFrom('within_3_months', 'no'),
        form_date: date,
        unsub_date: date,
      },
      { requiredKeys: [] },
    );
    const history = fc.record({ hs_email_click: fc.record({ changedAt: fc.integer({ min: -20, max: 5 }).map((d) => NOW - d * DAY) }) }, { requiredKeys: [] });
    for (const scoringConfig of [config, scoring]) {
      fc.assert(
        fc.property(contact, history, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), (properties, h, samples) => {
          const now = at(properties, NOW, h, scoringConfig);
          const t = next(properties, h, scoringConfig);
          const horizon = t ?? NOW + 400 * DAY;
          for (const s of samples) expect(at(properties, NOW + Math.floor(s * (horizon - 1 - NOW)), h, scoringConfig)).toEqual(now);
          if (t !== null) {
            expect(t).toBeGreaterThan(NOW);
            expect([at(properties, t + 1, h, scoringConfig), at(properties, t + 2, h, scoringConfig)]).not.toEqual([now, now]);
          } else {
            expect(at(properties, NOW + 400 * DAY, h, scoringConfig)).toEqual(now);
          }
        }),
        { numRuns: 1000 },
      );
    }
  });
});
