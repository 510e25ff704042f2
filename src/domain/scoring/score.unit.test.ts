import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoringConfigSchema, type ScoringConfigInput } from '../config/scoring.ts';
import { score } from './score.ts';

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
    { id: 'demo-part', when: { property: 'demo_watched', op: 'eq', value: 'partial' }, points: 8, half_life_days: 10, recency: { property: 'demo_watched_date' } },
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
  disqualifiers: [{ id: 'student', when: { property: 'jobtitle', op: 'matches', value: 'student' }, reason: 'students do not buy' }],
  caps: { fit: 20, total: 100 },
  grades: { hot: 60, warm: 30 },
  mql: { min_score: 45, immediate_sources: { property: 'lead_source', op: 'in', value: ['trade_show', 'demo_request'] } },
};
const config = scoringConfigSchema.parse(base);

const run = (properties: Record<string, string | null>, history: Record<string, { changedAt: number }> = {}) => score({ id: '1', properties }, history, config, NOW);
const sum = (r: ReturnType<typeof run>) => r.components.reduce((s, c) => s + c.points, 0);

describe('score', () => {
  it.each([
    ['nothing known', {}, 0, 'cold'],
    ['fit only, capped at 20', { industry: 'COMPUTER_SOFTWARE', numemployees: '1000+' }, 20, 'cold'],
    ['demo in full today', { demo_watched: 'full', demo_watched_date: iso(0) }, 20, 'cold'],
    ['demo in full one half-life ago', { demo_watched: 'full', demo_watched_date: iso(10) }, 10, 'cold'],
    ['demo in full two half-lives ago', { demo_watched: 'full', demo_watched_date: iso(20) }, 5, 'cold'],
    ['demo in part today counts less than in full', { demo_watched: 'partial', demo_watched_date: iso(0) }, 8, 'cold'],
    ['a lifetime counter without a date never counts as fresh', { hs_analytics_num_page_views: '250' }, 0, 'cold'],
    ['all four BANT answers earn the bonus', { bant_budget: 'approved', bant_authority: 'decision_maker', bant_need: 'urgent', bant_timeline: 'within_3_months' }, 27, 'cold'],
    ['three BANT answers, no bonus', { bant_budget: 'approved', bant_authority: 'decision_maker', bant_need: 'urgent' }, 15, 'cold'],
    ['negative points never take the score below 0', { email: 'kid@gmail.com' }, 0, 'cold'],
  ] as const)('%s → %i (%s)', (_label, properties, expected, grade) => {
    const result = run(properties);
    expect(result.score).toBe(expected);
    expect(result.grade).toBe(grade);
    expect(sum(result)).toBe(result.score);
  });

  it('grades at the thresholds: warm from 30, hot from 60', () => {
    const warm = run({ industry: 'COMPUTER_SOFTWARE', numemployees: '1000+', demo_watched: 'partial', demo_watched_date: iso(0), bant_budget: 'approved' });
    expect(warm.score).toBe(33);
    expect(warm.grade).toBe('warm');
    const hot = run({
      industry: 'COMPUTER_SOFTWARE',
      numemployees: '1000+',
      demo_watched: 'full',
      demo_watched_date: iso(0),
      bant_budget: 'approved',
      bant_authority: 'decision_maker',
      bant_need: 'urgent',
      bant_timeline: 'within_3_months',
    });
    expect(hot.score).toBe(67);
    expect(hot.grade).toBe('hot');
    expect(hot.mql).toBe(true);
    expect(hot.handoff).toBe(true);
    expect(hot.handoffReason).toBe('mql');
  });

  it('falls back to the change leadloop observed when the dated property is empty', () => {
    const result = run({ demo_watched: 'full' }, { demo_watched: { changedAt: NOW - 10 * DAY } });
    expect(result.score).toBe(10);
    expect(result.components[0]?.decay).toMatchObject({ recencyFrom: 'observed', ageDays: 10, halfLifeDays: 10 });
    const clicks = run({ hs_email_click: '3' }, { hs_email_click: { changedAt: NOW - 5 * DAY } });
    expect(clicks.score).toBe(5);
  });

  it('hands off an immediate source at once, whatever the score', () => {
    const result = run({ lead_source: 'trade_show' });
    expect(result.score).toBe(0);
    expect(result.mql).toBe(false);
    expect(result.immediateSource).toBe(true);
    expect(result.handoff).toBe(true);
    expect(result.handoffReason).toBe('immediate_source');
  });

  it('a disqualifier vetoes the hand-off but the score is still shown', () => {
    const result = run({ lead_source: 'trade_show', jobtitle: 'PhD Student', industry: 'COMPUTER_SOFTWARE' });
    expect(result.score).toBe(15);
    expect(result.handoff).toBe(false);
    expect(result.handoffReason).toBe('immediate_source');
    expect(result.vetoedBy).toEqual({ rule: 'student', reason: 'students do not buy' });
  });

  it('a contact below the MQL score and from no immediate source stays with marketing', () => {
    const result = run({ industry: 'COMPUTER_SOFTWARE', lead_source: 'web_form' });
    expect(result).toMatchObject({ mql: false, handoff: false, handoffReason: null, vetoedBy: null });
  });

  it('shows caps as components so the breakdown adds up', () => {
    const result = run({ industry: 'COMPUTER_SOFTWARE', numemployees: '1000+' });
    expect(result.components.map((c) => [c.rule, c.points])).toEqual([
      ['software', 15],
      ['big', 10],
      ['fit.cap', -5],
    ]);
  });

  it('is deterministic and never NaN for arbitrary property maps', () => {
    const value = fc.oneof(
      fc.string(),
      fc.constant(null),
      fc.integer().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('full', 'partial', 'approved', '1000+', 'trade_show'),
    );
    const keys = fc.constantFrom(
      'industry',
      'numemployees',
      'demo_watched',
      'demo_watched_date',
      'hs_analytics_num_page_views',
      'hs_email_click',
      'email',
      'jobtitle',
      'lead_source',
      'bant_budget',
      'bant_authority',
      'bant_need',
      'bant_timeline',
      'x',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, value), fc.dictionary(keys, fc.record({ changedAt: fc.double() })), (properties, history) => {
        const a = score({ id: '1', properties }, history, config, NOW);
        const b = score({ id: '1', properties }, history, config, NOW);
        expect(Number.isFinite(a.score)).toBe(true);
        expect(a.score).toBeGreaterThanOrEqual(0);
        expect(a.score).toBeLessThanOrEqual(100);
        expect(sum(a)).toBeCloseTo(a.score, 9);
        expect(b).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });
});

describe('scoring config', () => {
  it('refuses grades out of order and duplicate rule ids', () => {
    const result = scoringConfigSchema.safeParse({ ...base, grades: { hot: 20, warm: 30 }, negative: [{ id: 'software', when: { property: 'x', op: 'exists' }, points: -1 }] });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('grades.hot: grades.hot (20) must be above grades.warm (30)');
    expect(messages).toContain('negative.0.id: rule id "software" is already used in fit');
  });
});
