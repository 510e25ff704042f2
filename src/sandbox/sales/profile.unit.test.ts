import { describe, expect, it } from 'vitest';
import { DISQUALIFIED_REASONS, LEAD_SOURCES, LOSS_REASONS, OPPORTUNITY_STAGES } from '../salesforce/schema.ts';
import { SALES_USERS } from '../seed/org.ts';
import { conversionShare, expectedWinPerLead, SALES_PROFILE, sourceProfile, temperatureOf, winShare } from './profile.ts';

describe('SALES_PROFILE', () => {
  it('is plain data that survives a JSON round trip', () => {
    expect(JSON.parse(JSON.stringify(SALES_PROFILE))).toEqual(SALES_PROFILE);
  });

  it("names the org's active reps and its picklist values", () => {
    const active = new Set(SALES_USERS.filter((u) => u.active !== false).map((u) => u.email));
    for (const rep of SALES_PROFILE.reps) expect(active.has(rep.email)).toBe(true);
    expect(SALES_PROFILE.reps.some((r) => r.picksFromQueue)).toBe(true);
    for (const [reason] of SALES_PROFILE.opportunity.lossReasons) expect(LOSS_REASONS).toContain(reason);
    for (const [reason] of SALES_PROFILE.disqualifiedReasons) expect(DISQUALIFIED_REASONS).toContain(reason);
    for (const stage of SALES_PROFILE.opportunity.path) expect(OPPORTUNITY_STAGES).toContain(stage);
    for (const source of Object.keys(SALES_PROFILE.sources).filter((s) => s !== 'default')) expect(LEAD_SOURCES).toContain(source);
  });

  it('has shares that are probabilities', () => {
    for (const t of Object.values(SALES_PROFILE.temperature)) {
      expect(t.afterTouch.accept + t.afterTouch.disqualify + t.afterTouch.recycle).toBeLessThanOrEqual(1);
      expect(t.afterAccept.disqualify + t.afterAccept.recycle).toBeLessThanOrEqual(1);
      for (const p of [t.neverTouched, t.convert, t.win]) expect(p >= 0 && p <= 1).toBe(true);
    }
  });

  it('touches, converts and wins hotter leads more, and sooner', () => {
    const { Hot, Warm, Cold } = SALES_PROFILE.temperature;
    expect(Hot.firstTouchHours.median).toBeLessThan(Warm.firstTouchHours.median);
    expect(Warm.firstTouchHours.median).toBeLessThan(Cold.firstTouchHours.median);
    expect(winShare(SALES_PROFILE, 'Hot', 'Web', null)).toBeGreaterThan(winShare(SALES_PROFILE, 'Warm', 'Web', null));
    expect(winShare(SALES_PROFILE, 'Warm', 'Web', null)).toBeGreaterThan(winShare(SALES_PROFILE, 'Cold', 'Web', null));
    expect(conversionShare(SALES_PROFILE, 'Hot', 'Web')).toBeGreaterThan(conversionShare(SALES_PROFILE, 'Cold', 'Web'));
  });

  it('wins trade show and demo request leads more than content downloads and ads; a favoured show more still', () => {
    for (const good of ['Trade Show', 'Demo Request']) {
      for (const poor of ['Content', 'Advertisement']) expect(expectedWinPerLead(SALES_PROFILE, 'Warm', good, null)).toBeGreaterThan(expectedWinPerLead(SALES_PROFILE, 'Warm', poor, null));
    }
    expect(winShare(SALES_PROFILE, 'Warm', 'Trade Show', 'Dreamforce 2026')).toBeGreaterThan(winShare(SALES_PROFILE, 'Warm', 'Trade Show', 'SaaStr Annual 2026'));
    expect(sourceProfile(SALES_PROFILE, 'Carrier pigeon')).toEqual(SALES_PROFILE.sources.default);
    expect(sourceProfile(SALES_PROFILE, null)).toEqual(SALES_PROFILE.sources.default);
  });

  it('keeps shares between 2 % and 95 %, and reads an unknown rating as none', () => {
    const generous = { ...SALES_PROFILE, sources: { ...SALES_PROFILE.sources, Web: { convert: 50, win: 50, amount: 1 } } };
    expect(winShare(generous, 'Hot', 'Web', null)).toBe(0.95);
    expect(conversionShare(generous, 'Hot', 'Web')).toBe(0.95);
    expect(temperatureOf('Scorching')).toBe('none');
    expect(temperatureOf(null)).toBe('none');
    expect(temperatureOf('Cold')).toBe('Cold');
  });
});
