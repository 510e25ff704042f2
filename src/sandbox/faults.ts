import { SeededRandom } from './rng.ts';

/**
 * Faults an emulator injects, deterministic for a given seed. Rates are probabilities per
 * request in [0, 1]. Counters (`...AfterCalls`) count requests to that system.
 */
export interface FaultOptions {
  /** Share of requests answered 429 with the vendor's rate-limit body. Default 0. */
  rate429?: number;
  /** Share of requests answered 500/502/503 with the vendor's error body. Default 0. */
  rate5xx?: number;
  /** Added latency per request, in ms. Default 0. */
  latencyMs?: number;
  /** Share of requests that never get an answer (the client must time out). Default 0. */
  hangRate?: number;
  /** Share of requests carried out whose answer is lost: the write is applied, the client times out. Default 0. */
  lostAnswerRate?: number;
  /** Share of requests answered with their headers and half the body, the rest never sent (a stalled body). Default 0. */
  stallBodyRate?: number;
  /** Share of requests answered with their headers and half the body, then the connection is closed (a cut body). Default 0. */
  cutBodyRate?: number;
  /** The current session/token expires after this many calls (Salesforce: 401 INVALID_SESSION_ID). */
  sessionExpiryAfterCalls?: number;
  /** The daily API allocation is spent after this many calls (HubSpot 429 DAILY, Salesforce 403 REQUEST_LIMIT_EXCEEDED). */
  dailyLimitAfterCalls?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rate-limit' }
  | { kind: 'server-error'; status: 500 | 502 | 503 }
  | { kind: 'hang' }
  | { kind: 'lost-answer' }
  | { kind: 'partial-body'; ending: 'stall' | 'cut' };

/** Rolls the dice for one system's requests; each emulator renders the decision in its own error shape. */
export class FaultInjector {
  readonly options: Readonly<FaultOptions>;
  readonly #random: SeededRandom;

  constructor(options: FaultOptions = {}, seed = 1) {
    this.options = options;
    this.#random = new SeededRandom(seed);
  }

  decide(): FaultDecision {
    const { rate429 = 0, rate5xx = 0, hangRate = 0, lostAnswerRate = 0, stallBodyRate = 0, cutBodyRate = 0 } = this.options;
    if (rate429 + rate5xx + hangRate + lostAnswerRate + stallBodyRate + cutBodyRate === 0) return { kind: 'none' };
    const roll = this.#random.next();
    if (roll < hangRate) return { kind: 'hang' };
    if (roll < hangRate + lostAnswerRate) return { kind: 'lost-answer' };
    if (roll < hangRate + lostAnswerRate + stallBodyRate) return { kind: 'partial-body', ending: 'stall' };
    if (roll < hangRate + lostAnswerRate + stallBodyRate + cutBodyRate) return { kind: 'partial-body', ending: 'cut' };
    const rest = hangRate + lostAnswerRate + stallBodyRate + cutBodyRate;
    if (roll < rest + rate429) return { kind: 'rate-limit' };
    if (roll < rest + rate429 + rate5xx) return { kind: 'server-error', status: this.#random.pick([500, 502, 503] as const) };
    return { kind: 'none' };
  }

  get latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }
}
