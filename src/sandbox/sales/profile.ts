/**
 * How the Copperleaf sales team works the leads it is handed: plain data (no functions, no
 * state), so the simulator's plans and the tests that check them read the same numbers. Times
 * are lognormal: a median and a spread (the standard deviation of the log), so most values sit
 * near the median and a few take much longer, as response times do.
 */
import { DISQUALIFIED_REASONS, LOSS_REASONS } from '../salesforce/schema.ts';

/** A duration drawn lognormally: half the draws are under `median`; `spread` is sigma of its log. */
export interface Lognormal {
  median: number;
  spread: number;
}

/** What a lead's temperature (Lead.Rating) makes sales do. Shares are of the leads at that point of the story. */
export interface TemperatureProfile {
  /** Hours from hand-off (or queue pick-up) to the first touch, for a rep of responsiveness 1. */
  firstTouchHours: Lognormal;
  /** Share of leads nobody ever touches. */
  neverTouched: number;
  /** After the first touch: accepted (the org's accepted status), disqualified, recycled; the rest stay open. */
  afterTouch: { accept: number; disqualify: number; recycle: number };
  /** Hours from the first touch to accepting it. */
  acceptHours: Lognormal;
  /** Days from acceptance to the next move (conversion, disqualification, recycling). */
  decisionDays: Lognormal;
  /** Share of accepted leads converted (with an opportunity), before the source's factor. */
  convert: number;
  /** Of accepted leads not converted: disqualified, recycled (the rest stay in work). */
  afterAccept: { disqualify: number; recycle: number };
  /** Share of opportunities won, before the source's and the show's factors. */
  win: number;
  /** Opportunity amount range in the corporate currency, before the source's factor. */
  amount: { min: number; max: number };
}

export interface SourceProfile {
  /** Multiplies the conversion share. */
  convert: number;
  /** Multiplies the win share. */
  win: number;
  /** Multiplies the amount. */
  amount: number;
}

export interface RepProfile {
  email: string;
  /** Multiplies first-touch delays: 0.5 answers twice as fast as the team's median, 2 twice as slow. */
  responsiveness: number;
  /** Picks up queue-owned leads (and leads owned by someone who does not work leads). */
  picksFromQueue: boolean;
}

export type SideDealKind = 'contact-role-email' | 'account-domain' | 'account-domain-no-roles' | 'no-link';

export interface SalesTeamProfile {
  reps: RepProfile[];
  /** Hours before a queue-owned lead is taken by a rep (who becomes its owner). */
  queuePickupHours: Lognormal;
  /** By Lead.Rating; `none` for a lead without one. */
  temperature: Record<'Hot' | 'Warm' | 'Cold' | 'none', TemperatureProfile>;
  /** By LeadSource; `default` for a source not listed. */
  sources: Record<string, SourceProfile>;
  /** Multiplies the win share by Lead_Source_Detail__c (the show or campaign). */
  detailWin: Record<string, number>;
  /** First touch channel weights. */
  firstTouch: { call: number; email: number; meeting: number };
  /** Reasons for Disqualified_Reason__c, weighted. */
  disqualifiedReasons: [string, number][];
  opportunity: {
    /** Days an opportunity spends in each open stage. */
    stageDays: Lognormal;
    /** The open stages a won opportunity goes through after its first, in order. */
    path: string[];
    lossReasons: [string, number][];
    competitors: [string, number][];
    /** Share of lost opportunities that name a competitor; of won ones that met one. */
    competitorOnLoss: number;
    competitorOnWin: number;
    /** Where a competitor is written: the Competitor__c field, an OpportunityCompetitor row, or both. */
    competitorRecorded: { field: number; row: number; both: number };
    /** Share of closed opportunities reopened (and closed again later), and the win share the second time. */
    reopen: number;
    winAfterReopen: number;
    /** Days from closing to reopening. */
    reopenDays: Lognormal;
    /** Share of opportunities deleted (a duplicate, a test) some days after creation. */
    deleted: number;
    /** Share of opportunities in a currency other than the corporate one, in a multi-currency org. */
    otherCurrency: number;
  };
  sideDeals: {
    /** Opportunities leadloop never handed off: this many per handed-off lead. */
    perLead: number;
    kinds: [SideDealKind, number][];
  };
}

const ln = (median: number, spread: number): Lognormal => ({ median, spread });

export const SALES_PROFILE: SalesTeamProfile = {
  reps: [
    { email: 'dana.whitfield@copperleaf.example', responsiveness: 0.6, picksFromQueue: false },
    { email: 'marco.bellini@copperleaf.example', responsiveness: 1.2, picksFromQueue: false },
    { email: 'priya.raman@copperleaf.example', responsiveness: 0.5, picksFromQueue: true },
    { email: 'tom.okafor@copperleaf.example', responsiveness: 1.0, picksFromQueue: true },
    { email: 'jenna.brooks@copperleaf.example', responsiveness: 0.8, picksFromQueue: true },
    { email: 'lukas.meyer@copperleaf.example', responsiveness: 1.4, picksFromQueue: true },
    { email: 'sofia.alvarez@copperleaf.example', responsiveness: 0.9, picksFromQueue: true },
    { email: 'chloe.martin@copperleaf.example', responsiveness: 1.1, picksFromQueue: false },
    { email: 'ben.carter@copperleaf.example', responsiveness: 0.7, picksFromQueue: true },
    { email: 'aisha.khan@copperleaf.example', responsiveness: 1.0, picksFromQueue: true },
    { email: 'kevin.oneil@copperleaf.example', responsiveness: 2.0, picksFromQueue: true },
  ],
  queuePickupHours: ln(16, 0.8),
  temperature: {
    Hot: {
      firstTouchHours: ln(2, 0.7),
      neverTouched: 0.02,
      afterTouch: { accept: 0.8, disqualify: 0.1, recycle: 0.05 },
      acceptHours: ln(1, 0.8),
      decisionDays: ln(7, 0.5),
      convert: 0.65,
      afterAccept: { disqualify: 0.5, recycle: 0.3 },
      win: 0.5,
      amount: { min: 30_000, max: 150_000 },
    },
    Warm: {
      firstTouchHours: ln(20, 0.7),
      neverTouched: 0.08,
      afterTouch: { accept: 0.6, disqualify: 0.15, recycle: 0.15 },
      acceptHours: ln(6, 0.8),
      decisionDays: ln(12, 0.5),
      convert: 0.45,
      afterAccept: { disqualify: 0.45, recycle: 0.35 },
      win: 0.32,
      amount: { min: 15_000, max: 90_000 },
    },
    Cold: {
      firstTouchHours: ln(90, 0.7),
      neverTouched: 0.25,
      afterTouch: { accept: 0.35, disqualify: 0.3, recycle: 0.25 },
      acceptHours: ln(24, 0.8),
      decisionDays: ln(18, 0.5),
      convert: 0.25,
      afterAccept: { disqualify: 0.4, recycle: 0.4 },
      win: 0.15,
      amount: { min: 5_000, max: 40_000 },
    },
    none: {
      firstTouchHours: ln(48, 0.8),
      neverTouched: 0.15,
      afterTouch: { accept: 0.45, disqualify: 0.25, recycle: 0.2 },
      acceptHours: ln(12, 0.8),
      decisionDays: ln(14, 0.5),
      convert: 0.3,
      afterAccept: { disqualify: 0.4, recycle: 0.4 },
      win: 0.2,
      amount: { min: 5_000, max: 60_000 },
    },
  },
  sources: {
    'Demo Request': { convert: 1.3, win: 1.4, amount: 1.1 },
    'Trade Show': { convert: 1.2, win: 1.3, amount: 1.3 },
    'Partner Referral': { convert: 1.2, win: 1.2, amount: 1.2 },
    Webinar: { convert: 1.0, win: 1.0, amount: 1.0 },
    Web: { convert: 0.9, win: 0.9, amount: 0.9 },
    Advertisement: { convert: 0.7, win: 0.7, amount: 0.8 },
    Content: { convert: 0.6, win: 0.55, amount: 0.7 },
    default: { convert: 0.8, win: 0.8, amount: 0.9 },
  },
  detailWin: { 'Dreamforce 2026': 1.15, 'Big Data London 2026': 1.1, 'State of BI 2026 report': 0.8 },
  firstTouch: { call: 5, email: 4, meeting: 1 },
  disqualifiedReasons: DISQUALIFIED_REASONS.map((reason) => [reason, reason === 'Not a fit' || reason === 'No budget' ? 3 : 1]),
  opportunity: {
    stageDays: ln(8, 0.7),
    path: ['Qualification', 'Needs Analysis', 'Value Proposition', 'Proposal/Price Quote', 'Negotiation/Review'],
    lossReasons: LOSS_REASONS.map((reason) => [reason, reason === 'Price' || reason === 'No decision' ? 3 : 2]),
    competitors: [
      ['Rivalytics', 4],
      ['DataPeak', 3],
      ['Tableau', 2],
      ['Power BI', 2],
    ],
    competitorOnLoss: 0.6,
    competitorOnWin: 0.2,
    competitorRecorded: { field: 2, row: 1, both: 1 },
    reopen: 0.07,
    winAfterReopen: 0.5,
    reopenDays: ln(8, 0.5),
    deleted: 0.02,
    otherCurrency: 0.25,
  },
  sideDeals: {
    perLead: 0.12,
    kinds: [
      ['contact-role-email', 3],
      ['account-domain', 3],
      ['account-domain-no-roles', 2],
      ['no-link', 3],
    ],
  },
};

export type Temperature = keyof SalesTeamProfile['temperature'];

/** The temperature profile key of a Lead.Rating value. */
export function temperatureOf(rating: unknown): Temperature {
  return rating === 'Hot' || rating === 'Warm' || rating === 'Cold' ? rating : 'none';
}

export function sourceProfile(profile: SalesTeamProfile, leadSource: string | null): SourceProfile {
  return (leadSource ? profile.sources[leadSource] : undefined) ?? profile.sources.default ?? { convert: 1, win: 1, amount: 1 };
}

const clamp = (p: number) => Math.min(0.95, Math.max(0.02, p));

/** The share of accepted leads of this kind sales converts into an opportunity. */
export function conversionShare(profile: SalesTeamProfile, rating: unknown, leadSource: string | null): number {
  return clamp(profile.temperature[temperatureOf(rating)].convert * sourceProfile(profile, leadSource).convert);
}

/** The share of opportunities of this kind sales wins (the first time it closes them). */
export function winShare(profile: SalesTeamProfile, rating: unknown, leadSource: string | null, detail: string | null): number {
  const byDetail = (detail ? profile.detailWin[detail] : undefined) ?? 1;
  return clamp(profile.temperature[temperatureOf(rating)].win * sourceProfile(profile, leadSource).win * byDetail);
}

/**
 * What a handed-off lead of this kind is expected to end as, from the profile alone: the chance
 * it is touched, converted and won (ignoring the period's end, which leaves some opportunities open).
 */
export function expectedWinPerLead(profile: SalesTeamProfile, rating: unknown, leadSource: string | null, detail: string | null): number {
  const t = profile.temperature[temperatureOf(rating)];
  return (1 - t.neverTouched) * t.afterTouch.accept * conversionShare(profile, rating, leadSource) * winShare(profile, rating, leadSource, detail);
}
