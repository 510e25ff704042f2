// Pure arithmetic of the API budget governor. The Lua scripts in budget-scripts.ts apply
// exactly these rules atomically in Redis; this file lets the rules be tested without Redis.

/** Webhook hand-offs may use the whole budget; bulk work (sync, backfill) stops at the reserve. */
export type Lane = 'handoff' | 'bulk';

export type BudgetDecision = { granted: true; remaining: number } | { granted: false; waitMs: number };

export class BudgetRequestTooLarge extends Error {
  override name = 'BudgetRequestTooLarge';
}

/** Calls granted within a rolling window: when and how many. */
export interface WindowEntry {
  at: number;
  n: number;
}

export interface WindowBudget {
  windowMs: number;
  /** Calls allowed in any window of `windowMs` (already minus the safety margin). */
  limit: number;
  /** Calls of the window that only the hand-off lane may use. */
  reserved: number;
}

/** How many calls a lane may use of a budget. */
export function laneAllowance(limit: number, reserved: number, lane: Lane): number {
  return lane === 'handoff' ? limit : Math.max(0, limit - reserved);
}

/**
 * Rolling window (HubSpot counts calls "per 10 seconds, rolling", and search per second):
 * a grant is allowed when the calls of the last `windowMs` plus `n` stay within the lane's
 * allowance. Otherwise the wait is until enough of the oldest grants leave the window.
 * A plain token bucket would allow twice the limit in one window (full bucket + refill).
 */
export function decideWindow(budget: WindowBudget, entries: readonly WindowEntry[], n: number, lane: Lane, now: number): BudgetDecision {
  const allowance = laneAllowance(budget.limit, budget.reserved, lane);
  if (n > allowance) {
    throw new BudgetRequestTooLarge(`${n} calls can never fit a ${lane} allowance of ${allowance}`);
  }
  const live = entries.filter((e) => e.at > now - budget.windowMs).sort((a, b) => a.at - b.at);
  const used = live.reduce((sum, e) => sum + e.n, 0);
  if (used + n <= allowance) return { granted: true, remaining: allowance - used - n };
  const mustFree = used + n - allowance;
  let freed = 0;
  for (const entry of live) {
    freed += entry.n;
    if (freed >= mustFree) return { granted: false, waitMs: Math.max(1, entry.at + budget.windowMs - now) };
  }
  // Unreachable: n <= allowance means freeing every live entry is always enough.
  return { granted: false, waitMs: budget.windowMs };
}

/**
 * A daily allowance as the vendor last reported it. Outside [seededAt, resetAt) we know
 * nothing newer than the vendor's next response will tell us, so calls are granted (and
 * that response re-seeds the allowance).
 */
export interface AllowanceState {
  remaining: number;
  /** Calls of the allowance that only the hand-off lane may use. */
  reserved: number;
  resetAt: number;
}

export function decideAllowance(state: AllowanceState | null, n: number, lane: Lane, now: number): BudgetDecision {
  if (state === null || now >= state.resetAt) return { granted: true, remaining: Number.POSITIVE_INFINITY };
  const usable = lane === 'handoff' ? state.remaining : state.remaining - state.reserved;
  if (n <= usable) return { granted: true, remaining: usable - n };
  return { granted: false, waitMs: Math.max(1, state.resetAt - now) };
}

/**
 * HubSpot's daily limit resets at midnight in the account's time zone
 * (`X-HubSpot-RateLimit-Daily-Remaining` counts down until then).
 */
export function nextMidnightIn(timeZone: string, now: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(now));
  const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const msIntoDay = ((field('hour') * 60 + field('minute')) * 60 + field('second')) * 1000 + (now % 1000);
  const guess = now - msIntoDay + 86_400_000;
  // A DST change today shifts local midnight by the offset difference; correct once.
  const offsetAt = (t: number): number => zoneOffsetMs(timeZone, t);
  return guess + (offsetAt(now) - offsetAt(guess));
}

function zoneOffsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return asUtc - (at - (at % 1000));
}

/** HubSpot daily allowance from `X-HubSpot-RateLimit-Daily` / `-Daily-Remaining`. */
export function hubspotDailyAllowance(input: {
  limit: number;
  remaining: number;
  /** Calls kept back from the vendor's count (other apps share the account's daily limit). */
  safetyMargin: number;
  handoffShare: number;
  timeZone: string;
  now: number;
}): AllowanceState {
  return {
    remaining: Math.max(0, input.remaining - input.safetyMargin),
    reserved: Math.ceil(input.limit * input.handoffShare),
    resetAt: nextMidnightIn(input.timeZone, input.now),
  };
}

/** A reading that says the bulk share is spent is trusted this long: then one call reads the usage again. */
export const SPENT_READING_MS = 60_000;

/**
 * Salesforce daily share from `Sforce-Limit-Info: api-usage=used/limit`. Salesforce counts
 * the whole org over a rolling 24 h, so leadloop stops once the ORG's usage reaches
 * `share × limit`: the rest stays for the org's other integrations and users. The reading
 * goes stale after `staleAfterMs` (usage falls as old calls age out of the 24 h window) — or,
 * when it says the bulk share is spent, after a minute, so a raised allocation (or usage that
 * aged out) is used at once instead of 15 minutes later: the next call's answer re-reads it.
 */
export function salesforceDailyAllowance(input: { used: number; limit: number; share: number; handoffShare: number; staleAfterMs: number; now: number }): AllowanceState {
  const cap = Math.floor(input.limit * input.share);
  const remaining = Math.max(0, cap - input.used);
  const reserved = Math.ceil(cap * input.handoffShare);
  return { remaining, reserved, resetAt: input.now + (remaining <= reserved ? Math.min(input.staleAfterMs, SPENT_READING_MS) : input.staleAfterMs) };
}

/** Parses `api-usage=10018/100000` (optionally followed by `; api-bursts=1/750`). */
export function parseSforceLimitInfo(header: string): { used: number; limit: number } | null {
  const match = /api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match) return null;
  return { used: Number(match[1]), limit: Number(match[2]) };
}
