/**
 * HubSpot's limits for an app with static auth (docs/hubspot-api.md#rate-limits, docs/hubspot-api.md#search):
 * - a rolling 10-second budget per token (190 for Professional/Enterprise since the 2024 increase),
 * - 5 search requests per second, exempt from the 10-second budget and answered with no
 *   rate-limit headers,
 * - a daily budget per account, reported in X-HubSpot-RateLimit-Daily / -Daily-Remaining;
 * - `exempt` calls (the associations v4 batch endpoints, whose operations the spec marks
 *   `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`, docs/hubspot-api.md#associations) count
 *   against the daily budget only, and carry the daily headers only (unconfirmed which headers
 *   HubSpot sends on them).
 */
export interface RateLimitOptions {
  tenSecondlyLimit: number;
  searchPerSecond: number;
  dailyLimit: number;
}

/** Which limits a call counts against: the 10-second budget (`standard`), search's per-second one, or neither (`exempt`); all count daily. */
export type RateLimitKind = 'search' | 'standard' | 'exempt';

export type LimitVerdict = { ok: true; headers: Record<string, string> } | { ok: false; policy: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY'; headers: Record<string, string> };

export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #tenSecond = new Map<string, number[]>();
  #search: number[] = [];
  #daily = 0;

  constructor(options: RateLimitOptions) {
    this.#options = options;
  }

  /** Counts one request and says whether it may pass. */
  admit(token: string, kind: RateLimitKind, now: number, dailyExhausted = false): LimitVerdict {
    const { tenSecondlyLimit, searchPerSecond, dailyLimit } = this.#options;
    if (dailyExhausted || (dailyLimit > 0 && this.#daily >= dailyLimit)) {
      return { ok: false, policy: 'DAILY', headers: kind === 'search' ? {} : this.#dailyHeaders() };
    }
    if (kind === 'exempt') {
      this.#daily += 1;
      return { ok: true, headers: this.#dailyHeaders() };
    }
    if (kind === 'search') {
      this.#search = this.#search.filter((t) => now - t < 1_000);
      if (searchPerSecond > 0 && this.#search.length >= searchPerSecond) return { ok: false, policy: 'SECONDLY', headers: {} };
      this.#search.push(now);
      this.#daily += 1;
      return { ok: true, headers: {} };
    }
    const window = (this.#tenSecond.get(token) ?? []).filter((t) => now - t < 10_000);
    this.#tenSecond.set(token, window);
    if (tenSecondlyLimit > 0 && window.length >= tenSecondlyLimit) {
      return { ok: false, policy: 'TEN_SECONDLY_ROLLING', headers: { ...this.#burstHeaders(0), ...this.#dailyHeaders() } };
    }
    window.push(now);
    this.#daily += 1;
    return { ok: true, headers: { ...this.#burstHeaders(Math.max(0, tenSecondlyLimit - window.length)), ...this.#dailyHeaders() } };
  }

  #burstHeaders(remaining: number): Record<string, string> {
    const max = this.#options.tenSecondlyLimit;
    return {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': String(max),
      'x-hubspot-ratelimit-remaining': String(remaining),
      // Deprecated per-second headers HubSpot still sends (docs/hubspot-api.md#rate-limits).
      'x-hubspot-ratelimit-secondly': String(Math.ceil(max / 10)),
      'x-hubspot-ratelimit-secondly-remaining': String(Math.max(0, Math.min(Math.ceil(max / 10), remaining))),
    };
  }

  #dailyHeaders(): Record<string, string> {
    const limit = this.#options.dailyLimit;
    if (limit <= 0) return {};
    return { 'x-hubspot-ratelimit-daily': String(limit), 'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, limit - this.#daily)) };
  }
}

export const RATE_LIMIT_MESSAGES = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The SDK's retry logic matches this exact message for search 429s (docs/hubspot-api.md#sdk-behaviour).
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
} as const;
