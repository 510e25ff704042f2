import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import { RedisKeys } from '../redis-keys.ts';
import type { QueueLogger } from './connection.ts';
import type { QueueSystem } from './retry.ts';

/** Why work stopped: a credentials problem (needs a person) or a vendor's daily limit (waits). */
export type PauseReason = 'hubspot-auth' | 'salesforce-auth' | 'hubspot-daily-limit' | 'salesforce-daily-limit';

export interface PauseMetrics {
  paused: Gauge<'reason'>;
  alerts: Counter<'reason'>;
}

const EXTEND_PAUSE_LUA = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const metricsByRegistry = new WeakMap<Registry, PauseMetrics>();

/** `leadloop_paused{reason}` (1 while paused) and `leadloop_pause_alerts_total{reason}`. */
export function pauseMetrics(registry: Registry = defaultRegistry): PauseMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics: PauseMetrics = {
    paused: new Gauge({ name: 'leadloop_paused', help: 'Work paused (1) by reason', labelNames: ['reason'], registers: [registry] }),
    alerts: new Counter({ name: 'leadloop_pause_alerts_total', help: 'Pauses raised, by reason', labelNames: ['reason'], registers: [registry] }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

export interface AuthPause {
  reason: PauseReason;
  /** Log-safe detail: an error name or code, never a token. */
  detail: string;
  at: number;
}

/**
 * Stops work cleanly instead of dead-lettering every record:
 * - on an auth failure every queue is paused (BullMQ `queue.pause()`) until `resume()`;
 * - on a daily limit, work on that system is paused until a time: workers see it through
 *   `pausedUntil()` and re-delay their jobs (nothing lost), other systems carry on.
 */
export class PauseControl {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #queues: readonly Queue[];
  readonly #logger: QueueLogger | undefined;
  readonly #metrics: PauseMetrics;

  constructor(options: { redis: Redis; prefix: string; queues: readonly Queue[]; logger?: QueueLogger; registry?: Registry }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#queues = options.queues;
    this.#logger = options.logger;
    this.#metrics = pauseMetrics(options.registry);
  }

  async pauseForAuth(reason: 'hubspot-auth' | 'salesforce-auth', detail: string, now = Date.now()): Promise<void> {
    const record: AuthPause = { reason, detail, at: now };
    const first = await this.#redis.hsetnx(this.#authKey(), reason, JSON.stringify(record));
    await Promise.all(this.#queues.map((q) => q.pause()));
    this.#metrics.paused.set({ reason }, 1);
    if (first === 1) {
      this.#metrics.alerts.inc({ reason });
      this.#logger?.error({ alert: 'leadloop_paused', reason, detail }, `${reason}: credentials refused; all queues paused until an operator fixes them and runs resume`);
    }
  }

  /** Resumes the queues once no auth pause is left (or all of them when `reason` is omitted). */
  async resume(reason?: 'hubspot-auth' | 'salesforce-auth'): Promise<void> {
    if (reason) await this.#redis.hdel(this.#authKey(), reason);
    else await this.#redis.del(this.#authKey());
    const left = await this.#redis.hlen(this.#authKey());
    for (const r of ['hubspot-auth', 'salesforce-auth'] as const) {
      if (!reason || r === reason) this.#metrics.paused.set({ reason: r }, 0);
    }
    if (left > 0) return;
    await Promise.all(this.#queues.map((q) => q.resume()));
    this.#logger?.info({ reason: reason ?? 'all' }, 'queues resumed');
  }

  async authPauses(): Promise<AuthPause[]> {
    const raw = await this.#redis.hvals(this.#authKey());
    return raw.map((json) => JSON.parse(json) as AuthPause);
  }

  /** Pauses work on `system` until `untilMs` (a later pause wins over an earlier one). */
  async pauseSystemUntil(system: QueueSystem, untilMs: number, reason: PauseReason, now = Date.now()): Promise<void> {
    if (untilMs <= now) return;
    // Atomic "keep the later time": two workers hitting the limit at once must not shorten it.
    const extended = (await this.#redis.eval(EXTEND_PAUSE_LUA, 1, this.#systemKey(system), untilMs, untilMs - now)) as number;
    if (extended !== 1) return;
    this.#metrics.paused.set({ reason }, 1);
    this.#metrics.alerts.inc({ reason });
    this.#logger?.warn({ alert: 'leadloop_paused', reason, system, until: new Date(untilMs).toISOString() }, `${system} work paused until its daily API limit allows again`);
  }

  /** When work on `system` may continue, or null when it is not paused. */
  async pausedUntil(system: QueueSystem, now = Date.now()): Promise<number | null> {
    const value = Number((await this.#redis.get(this.#systemKey(system))) ?? 0);
    return value > now ? value : null;
  }

  /** Ends a timed pause early (e.g. after an operator raised the limit). */
  async clearSystemPause(system: QueueSystem): Promise<void> {
    await this.#redis.del(this.#systemKey(system));
    this.#metrics.paused.set({ reason: `${system}-daily-limit` }, 0);
  }

  keys(): string[] {
    return [this.#authKey(), this.#systemKey('hubspot'), this.#systemKey('salesforce')];
  }

  #authKey(): string {
    return new RedisKeys(this.#prefix).pauseAuth();
  }

  #systemKey(system: QueueSystem): string {
    return new RedisKeys(this.#prefix).pauseUntil(system);
  }
}
