import type { Redis } from 'ioredis';
import { BudgetWaitTooLong } from '../errors/index.ts';
import { RedisKeys } from '../redis-keys.ts';
import { TAKE_BUDGET_LUA } from './budget-script.ts';
import { BudgetRequestTooLarge, hubspotDailyAllowance, parseSforceLimitInfo, salesforceDailyAllowance, type AllowanceState, type BudgetDecision, type Lane } from './budget-math.ts';

/** The APIs whose calls the governor meters. A search call has its own per-second limit. */
export type ApiName = 'hubspot' | 'hubspot-search' | 'salesforce';
export const API_NAMES: readonly ApiName[] = ['hubspot', 'hubspot-search', 'salesforce'];

/** Budgets as `config/sync.yaml` sets them; every field has the default stated. */
export interface BudgetConfig {
  hubspot: {
    /** HubSpot's burst limit per rolling 10 s (Professional/Enterprise: 190). Default 190. */
    per10Seconds: number;
    /** Calls kept below the limit for clock skew and other apps' calls. Default 10. */
    safetyMargin: number;
    /** Share of each window kept for webhook hand-offs. Default 0.2. */
    handoffShare: number;
  };
  hubspotSearch: {
    /** Search endpoints: 5 requests per second per account. Default 5. */
    perSecond: number;
    /** Default 0.2 (one of five calls a second). */
    handoffShare: number;
  };
  hubspotDaily: {
    /** Calls left unused of `X-HubSpot-RateLimit-Daily-Remaining` (other apps share it). Default 1000. */
    safetyMargin: number;
    /** Share of the daily limit kept for hand-offs. Default 0.05. */
    handoffShare: number;
    /** The account's time zone: HubSpot resets the daily limit at its midnight. Default UTC. */
    timeZone: string;
  };
  salesforce: {
    /** leadloop stops when the org's daily usage reaches this share of its allocation. Default 0.5. */
    share: number;
    /** Share of leadloop's part kept for hand-offs. Default 0.1. */
    handoffShare: number;
    /** A Sforce-Limit-Info reading older than this no longer limits (rolling 24 h). Default 15 min. */
    staleAfterMs: number;
  };
}

export const DEFAULT_BUDGETS: BudgetConfig = {
  hubspot: { per10Seconds: 190, safetyMargin: 10, handoffShare: 0.2 },
  hubspotSearch: { perSecond: 5, handoffShare: 0.2 },
  hubspotDaily: { safetyMargin: 1000, handoffShare: 0.05, timeZone: 'UTC' },
  salesforce: { share: 0.5, handoffShare: 0.1, staleAfterMs: 15 * 60_000 },
};

/** `budgets:` of config/sync.yaml (src/domain/config/sync.ts). */
export interface SyncBudgets {
  hubspot: { per_10_seconds: number; search_per_second: number; handoff_reserve: number };
  salesforce: { daily_share: number; handoff_reserve: number };
}

/**
 * The governor's budgets as sync.yaml sets them. Its `per_10_seconds` already keeps a margin
 * below HubSpot's limit, so no further safety margin is taken off; what sync.yaml does not
 * say (the HubSpot daily allowance's margin, reserve and time zone, how long a Salesforce
 * reading stays fresh) keeps the defaults.
 */
export function budgetConfigFromSync(budgets: SyncBudgets, base: BudgetConfig = DEFAULT_BUDGETS): BudgetConfig {
  const h = budgets.hubspot;
  const s = budgets.salesforce;
  return {
    hubspot: { per10Seconds: h.per_10_seconds, safetyMargin: 0, handoffShare: h.handoff_reserve },
    hubspotSearch: { perSecond: h.search_per_second, handoffShare: h.handoff_reserve },
    hubspotDaily: base.hubspotDaily,
    salesforce: { ...base.salesforce, share: s.daily_share, handoffShare: s.handoff_reserve },
  };
}

type BudgetSlot = { kind: 'window'; key: string; windowMs: number; limit: number; reserved: number } | { kind: 'allowance'; key: string };

interface RedisWithTake extends Redis {
  leadloopTakeBudget(numKeys: number, ...args: (string | number)[]): Promise<[number, number, number?]>;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Longest total wait before giving up with BudgetWaitTooLong (the job is delayed instead). Default 30 s. */
  maxWaitMs?: number;
}

/**
 * API budget governor: Redis-backed budgets shared by every worker and process, so that a
 * healthy run causes no 429 and a backfill never starves webhook hand-offs. BullMQ's own
 * limiter counts jobs, not API calls, hence this.
 */
export class BudgetGovernor {
  readonly #redis: RedisWithTake;
  readonly #prefix: string;
  readonly #config: BudgetConfig;

  constructor(redis: Redis, prefix: string, config: BudgetConfig = DEFAULT_BUDGETS) {
    if (!('leadloopTakeBudget' in redis)) {
      redis.defineCommand('leadloopTakeBudget', { lua: TAKE_BUDGET_LUA });
    }
    this.#redis = redis as RedisWithTake;
    this.#prefix = prefix;
    this.#config = config;
  }

  /** Takes `n` calls of `api` now, or says how long until they would fit. */
  async take(api: ApiName, n: number, options: { lane: Lane }): Promise<BudgetDecision> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`calls must be a positive integer, got ${n}`);
    const slots = this.#slots(api);
    const args: (string | number)[] = [this.#key('spent'), ...slots.map((s) => s.key), api, n, options.lane];
    for (const slot of slots) {
      if (slot.kind === 'window') args.push('window', slot.windowMs, slot.limit, slot.reserved);
      else args.push('allowance', 0, 0, 0);
    }
    const [status, value, allowance] = await this.#redis.leadloopTakeBudget(1 + slots.length, ...args);
    if (status === -1) {
      throw new BudgetRequestTooLarge(`${n} ${api} calls can never fit a ${options.lane} allowance of ${allowance}`);
    }
    if (status === 1) return { granted: true, remaining: value < 0 ? Number.POSITIVE_INFINITY : value };
    return { granted: false, waitMs: value };
  }

  /** Waits politely (sleeping as the budget says) until `n` calls are granted. */
  async acquire(api: ApiName, n: number, lane: Lane, options: AcquireOptions = {}): Promise<void> {
    const maxWaitMs = options.maxWaitMs ?? 30_000;
    let waited = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const decision = await this.take(api, n, { lane });
      if (decision.granted) return;
      if (waited + decision.waitMs > maxWaitMs) throw new BudgetWaitTooLong(api, decision.waitMs);
      // A little jitter so that the waiting workers do not all retry in the same millisecond.
      const sleepMs = decision.waitMs + Math.floor(Math.random() * 25);
      await sleep(sleepMs, options.signal);
      waited += sleepMs;
    }
  }

  /** Seeds the HubSpot daily allowance from `X-HubSpot-RateLimit-Daily(-Remaining)`. */
  async observeHubSpotDaily(reading: { limit: number; remaining: number }, now = Date.now()): Promise<void> {
    const c = this.#config.hubspotDaily;
    await this.#seed('hubspot-daily', hubspotDailyAllowance({ ...reading, ...c, now }));
  }

  /** Seeds leadloop's Salesforce share from `Sforce-Limit-Info` (header text or jsforce's limitInfo). */
  async observeSalesforceUsage(reading: string | { used: number; limit: number }, now = Date.now()): Promise<void> {
    const usage = typeof reading === 'string' ? parseSforceLimitInfo(reading) : reading;
    if (!usage) return;
    const c = this.#config.salesforce;
    await this.#seed('salesforce-daily', salesforceDailyAllowance({ ...usage, ...c, now }));
  }

  /** leadloop's Salesforce allowance as last read and spent since; null when no reading is fresh. */
  async salesforceAllowance(now = Date.now()): Promise<AllowanceState | null> {
    const raw = await this.#redis.hgetall(this.#key('salesforce-daily'));
    if (raw.remaining === undefined) return null;
    const state = { remaining: Number(raw.remaining), reserved: Number(raw.reserved ?? 0), resetAt: Number(raw.resetAt ?? 0) };
    return now < state.resetAt ? state : null;
  }

  /** Calls granted per API since the counters began (diff two readings for a run's summary). */
  async spent(): Promise<Record<ApiName, number>> {
    const raw = await this.#redis.hgetall(this.#key('spent'));
    const result = {} as Record<ApiName, number>;
    for (const api of API_NAMES) result[api] = Number(raw[api] ?? 0);
    return result;
  }

  /**
   * How much of each budget is in use (metrics and the dashboard): calls in the current window of
   * the rolling budgets against their limits, and what is left of the daily allowances that have a
   * fresh reading from the API.
   */
  async usage(now = Date.now()): Promise<{ budget: string; used?: number; limit?: number; remaining?: number }[]> {
    const readings: { budget: string; used?: number; limit?: number; remaining?: number }[] = [];
    for (const api of ['hubspot', 'hubspot-search'] as const) {
      const window = this.#slots(api).find((slot) => slot.kind === 'window');
      if (window?.kind !== 'window') continue;
      const entries = await this.#redis.zrangebyscore(window.key, `(${now - window.windowMs}`, '+inf');
      const used = entries.reduce((sum, entry) => sum + Number(/:(\d+)$/.exec(entry)?.[1] ?? 0), 0);
      readings.push({ budget: window.key === this.#key('hubspot-10s') ? 'hubspot-10s' : 'hubspot-search-1s', used, limit: window.limit });
    }
    for (const budget of ['hubspot-daily', 'salesforce-daily']) {
      const raw = await this.#redis.hgetall(this.#key(budget));
      if (raw.remaining !== undefined && now < Number(raw.resetAt ?? 0)) readings.push({ budget, remaining: Number(raw.remaining) });
    }
    return readings;
  }

  /** Every Redis key the governor writes (for cleanup and inspection). */
  keys(): string[] {
    return [this.#key('spent'), ...['hubspot-10s', 'hubspot-search-1s', 'hubspot-daily', 'salesforce-daily'].map((b) => this.#key(b))];
  }

  async #seed(budget: string, state: AllowanceState): Promise<void> {
    const key = this.#key(budget);
    await this.#redis.multi().hset(key, { remaining: state.remaining, reserved: state.reserved, resetAt: state.resetAt }).pexpireat(key, state.resetAt).exec();
  }

  #slots(api: ApiName): BudgetSlot[] {
    const c = this.#config;
    const hubspotDaily: BudgetSlot = { kind: 'allowance', key: this.#key('hubspot-daily') };
    switch (api) {
      case 'hubspot': {
        const limit = c.hubspot.per10Seconds - c.hubspot.safetyMargin;
        const reserved = Math.ceil(limit * c.hubspot.handoffShare);
        return [{ kind: 'window', key: this.#key('hubspot-10s'), windowMs: 10_000, limit, reserved }, hubspotDaily];
      }
      case 'hubspot-search': {
        // Search has its own per-second limit and is not counted in the 10-second burst
        // window; it does count against the account's daily limit.
        const limit = c.hubspotSearch.perSecond;
        const reserved = Math.ceil(limit * c.hubspotSearch.handoffShare);
        return [{ kind: 'window', key: this.#key('hubspot-search-1s'), windowMs: 1_000, limit, reserved }, hubspotDaily];
      }
      case 'salesforce':
        return [{ kind: 'allowance', key: this.#key('salesforce-daily') }];
    }
  }

  #key(budget: string): string {
    return new RedisKeys(this.#prefix).budget(budget);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
