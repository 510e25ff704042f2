import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../rng.ts';
import { DAY, draw, HOUR, type LeadFacts, type LeadStep, planLeadStory, planOpportunity, type Rep, STATUS } from './plan.ts';
import { SALES_PROFILE, type SalesTeamProfile } from './profile.ts';

const T0 = Date.UTC(2026, 9, 1);
const fast: Rep = { userId: '0055g0000000001AAA', email: 'fast@x.example', responsiveness: 0.5, picksFromQueue: true };
const slow: Rep = { userId: '0055g0000000002AAA', email: 'slow@x.example', responsiveness: 2, picksFromQueue: false };
const QUEUE = '00G5g0000000001AAA';
const lead = (over: Partial<LeadFacts> = {}): LeadFacts => ({
  leadId: '00Q5g0000000001AAA',
  contactId: '1001',
  createdAt: T0,
  ownerId: QUEUE,
  rating: 'Warm',
  leadSource: 'Web',
  detail: null,
  company: 'Acme',
  email: 'ann@acme.example',
  ...over,
});
const stories = (n: number, over: Partial<LeadFacts> = {}, profile: SalesTeamProfile = SALES_PROFILE, currencies?: string[]) =>
  Array.from({ length: n }, (_, i) =>
    planLeadStory(new SeededRandom(i + 1), profile, lead({ contactId: String(1000 + i), ...over }), [fast, slow], { days: 90, ...(currencies ? { currencies } : {}) }),
  );
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('draw', () => {
  it('draws lognormally around the median', () => {
    const r = new SeededRandom(3);
    const xs = Array.from({ length: 4000 }, () => draw(r, { median: 10, spread: 0.5 }));
    expect(median(xs)).toBeGreaterThan(9);
    expect(median(xs)).toBeLessThan(11);
    expect(Math.min(...xs)).toBeGreaterThan(0);
    expect(Math.max(...xs)).toBeGreaterThan(30);
  });
});

describe('planLeadStory', () => {
  it('is the same for the same draws, and its steps are in time order within the period', () => {
    expect(stories(50)).toEqual(stories(50));
    for (const steps of stories(300)) {
      const times = steps.map((s) => s.at);
      expect(times).toEqual(times.toSorted((a, b) => a - b));
      for (const t of times) expect(t).toBeGreaterThan(T0);
      for (const t of times) expect(t).toBeLessThanOrEqual(T0 + 90 * DAY);
    }
  });

  it('has a rep pick a queue-owned lead up before anyone touches it; a rep-owned lead is worked by its owner', () => {
    for (const steps of stories(100)) {
      if (steps.length === 0) continue;
      expect(steps[0]!.kind).toBe('pick-up');
      expect(steps.every((s) => s.userId === fast.userId)).toBe(true);
    }
    for (const steps of stories(100, { ownerId: slow.userId })) {
      expect(steps.some((s) => s.kind === 'pick-up')).toBe(false);
      expect(steps.every((s) => s.userId === slow.userId)).toBe(true);
    }
  });

  it('touches hot leads sooner than cold ones, and a slow rep later than a fast one', () => {
    const firstTouch = (steps: LeadStep[]) => steps.find((s) => s.kind === 'touch')?.at;
    const delays = (over: Partial<LeadFacts>) =>
      stories(400, over)
        .map(firstTouch)
        .filter((t): t is number => t !== undefined)
        .map((t) => t - T0);
    const hot = median(delays({ rating: 'Hot', ownerId: fast.userId }));
    const cold = median(delays({ rating: 'Cold', ownerId: fast.userId }));
    expect(hot).toBeLessThan(2 * HOUR);
    expect(cold).toBeGreaterThan(20 * HOUR);
    expect(median(delays({ rating: 'Warm', ownerId: slow.userId }))).toBeGreaterThan(2 * median(delays({ rating: 'Warm', ownerId: fast.userId })));
    // Some cold leads are never touched at all; nearly every hot one is.
    expect(stories(400, { rating: 'Cold', ownerId: fast.userId }).filter((s) => !firstTouch(s)).length).toBeGreaterThan(50);
    expect(stories(400, { rating: 'Hot', ownerId: fast.userId }).filter((s) => !firstTouch(s)).length).toBeLessThan(25);
  });

  it('writes the org statuses: a reason only with a disqualification, a conversion only after acceptance, followed by its opportunity', () => {
    const all = stories(400, { rating: 'Hot' });
    const statuses = all.flat().filter((s) => s.kind === 'status');
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set([STATUS.accepted, STATUS.disqualified, STATUS.recycled]));
    for (const s of statuses) expect(s.reason !== null).toBe(s.class === 'disqualified');
    const converted = all.filter((steps) => steps.some((s) => s.kind === 'convert'));
    expect(converted.length).toBeGreaterThan(100);
    for (const steps of converted) {
      const at = steps.findIndex((s) => s.kind === 'convert');
      expect(steps.slice(0, at).some((s) => s.kind === 'status' && s.class === 'accepted')).toBe(true);
      expect(steps.slice(at + 1).every((s) => ['stage', 'competitor', 'close', 'reopen', 'delete'].includes(s.kind))).toBe(true);
    }
  });

  it('names another currency only in a multi-currency org', () => {
    const currencyOf = (xs: LeadStep[][]) => xs.flat().flatMap((s) => (s.kind === 'convert' ? [s.currency] : []));
    expect(new Set(currencyOf(stories(300, { rating: 'Hot' })))).toEqual(new Set([null]));
    expect(new Set(currencyOf(stories(300, { rating: 'Hot' }, SALES_PROFILE, ['USD', 'EUR'])))).toEqual(new Set([null, 'EUR']));
  });
});

describe('planOpportunity', () => {
  const lives = (n: number, winP: number) =>
    Array.from({ length: n }, (_, i) => planOpportunity(new SeededRandom(i + 7), SALES_PROFILE, { start: T0, end: T0 + 365 * DAY, userId: fast.userId, winP }));

  it('wins about as often as it is told to, with a loss reason only when lost and the competitor field only on a loss', () => {
    const firstClose = (steps: ReturnType<typeof lives>[number]) => steps.find((s) => s.kind === 'close');
    const closes = lives(1000, 0.3).map(firstClose);
    const won = closes.filter((c) => c?.kind === 'close' && c.won).length;
    expect(won).toBeGreaterThan(240);
    expect(won).toBeLessThan(360);
    for (const c of closes) {
      if (c?.kind !== 'close') continue;
      expect(c.lossReason === null).toBe(c.won);
      if (c.won) expect(c.competitorField).toBeNull();
    }
  });

  it('goes through the stages in order, reopens some, deletes a few and stops there', () => {
    const all = lives(1000, 0.5);
    for (const steps of all) {
      const stages = steps.filter((s) => s.kind === 'stage').map((s) => (s.kind === 'stage' ? s.stage : ''));
      const path = SALES_PROFILE.opportunity.path;
      const firstClose = steps.findIndex((s) => s.kind === 'close');
      expect(stages.slice(0, firstClose === -1 ? undefined : firstClose)).toEqual(path.slice(0, stages.slice(0, firstClose === -1 ? undefined : firstClose).length));
      const del = steps.findIndex((s) => s.kind === 'delete');
      if (del !== -1) expect(del).toBe(steps.length - 1);
    }
    const reopened = all.filter((steps) => steps.some((s) => s.kind === 'reopen'));
    expect(reopened.length).toBeGreaterThan(30);
    expect(reopened.length).toBeLessThan(120);
    for (const steps of reopened) {
      const reopen = steps.findIndex((s) => s.kind === 'reopen');
      expect(steps.slice(0, reopen).some((s) => s.kind === 'close')).toBe(true);
    }
    expect(all.filter((steps) => steps.some((s) => s.kind === 'delete')).length).toBeGreaterThan(5);
  });

  it('drops what falls after the end of the period, leaving the opportunity open', () => {
    const cut = Array.from({ length: 200 }, (_, i) => planOpportunity(new SeededRandom(i + 1), SALES_PROFILE, { start: T0, end: T0 + 10 * DAY, userId: fast.userId, winP: 0.5 }));
    for (const steps of cut) for (const s of steps) expect(s.at).toBeLessThanOrEqual(T0 + 10 * DAY);
    expect(cut.filter((steps) => !steps.some((s) => s.kind === 'close')).length).toBeGreaterThan(100);
  });
});
