import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { LeaseHeld, LeaseLost } from '../errors/index.ts';
import { RedisKeys } from '../redis-keys.ts';

// Only the holder's token may extend or delete the key: a holder that stalled past its TTL
// must not delete the lease that someone else has taken since.
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface RedisWithLease extends Redis {
  leadloopRenewLease(key: string, token: string, ttlMs: number): Promise<number>;
  leadloopReleaseLease(key: string, token: string): Promise<number>;
}

export interface LeaseOptions {
  /** How long the lease lives without renewal. Default LEASE_TTL_MS (15 s). */
  ttlMs?: number;
  /** Renewal period. Default a third of ttlMs, so two renewals may fail before expiry. */
  renewEveryMs?: number;
}

/**
 * A Redis lease (SET NX PX + token) so that two lead syncs never overlap: a BullMQ
 * scheduler adds the next job when the last one *starts*, and `sync leads --once` runs
 * outside the queue. The holder renews it in the background; `signal` aborts when it is lost.
 */
export class Lease {
  readonly name: string;
  readonly token: string;
  readonly #redis: RedisWithLease;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #released = false;

  private constructor(redis: RedisWithLease, key: string, name: string, token: string, ttlMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.name = name;
    this.token = token;
    this.#ttlMs = ttlMs;
  }

  /** Takes the lease named `name`, or returns null when someone else holds it. */
  static async tryAcquire(redis: Redis, prefix: string, name: string, options: LeaseOptions = {}): Promise<Lease | null> {
    defineLeaseCommands(redis);
    const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
    const key = new RedisKeys(prefix).lease(name);
    // Who holds it, for a person told to wait: host and process, then a random part only we know.
    const token = `${hostname()}:${process.pid}:${randomUUID()}`;
    const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    const lease = new Lease(redis as RedisWithLease, key, name, token, ttlMs);
    lease.#startRenewing(options.renewEveryMs ?? Math.floor(ttlMs / 3));
    return lease;
  }

  /** Like tryAcquire, but throws LeaseHeld instead of returning null. */
  static async acquire(redis: Redis, prefix: string, name: string, options: LeaseOptions = {}): Promise<Lease> {
    const lease = await Lease.tryAcquire(redis, prefix, name, options);
    if (!lease) throw new LeaseHeld(name);
    return lease;
  }

  /** The Redis key and token that prove holding it: writes fenced by the lease compare them (src/store/sync-state.ts). */
  get fence(): { key: string; token: string; name: string } {
    return { key: this.#key, token: this.token, name: this.name };
  }

  /** Aborts (reason: LeaseLost) when a renewal finds the lease gone or someone else's. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Extends the lease now; false (and the signal aborts) when it was lost. */
  async renew(): Promise<boolean> {
    if (this.#released) return false;
    const extended = await this.#redis.leadloopRenewLease(this.#key, this.token, this.#ttlMs);
    if (extended !== 1) this.#lose();
    return extended === 1;
  }

  /** Gives the lease back if it is still ours; stops renewing either way. */
  async release(): Promise<boolean> {
    this.#stopRenewing();
    if (this.#released) return false;
    this.#released = true;
    return (await this.#redis.leadloopReleaseLease(this.#key, this.token)) === 1;
  }

  #startRenewing(everyMs: number): void {
    this.#timer = setInterval(() => {
      // A Redis error is not proof of loss; the next tick (or the TTL) decides.
      this.renew().catch(() => undefined);
    }, everyMs);
    this.#timer.unref();
  }

  #stopRenewing(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #lose(): void {
    this.#stopRenewing();
    this.#released = true;
    this.#controller.abort(new LeaseLost(this.name));
  }
}

/**
 * A short lease, renewed every third of it (a heartbeat): a run that crashed frees it within this,
 * and one that stalls past it (a long GC, a Redis blip) loses it and stops writing.
 */
export const LEASE_TTL_MS = 15_000;

/** Who holds the lease `name` (host:pid) and until when it lives unless renewed; undefined when free. */
export async function leaseHolder(redis: Redis, prefix: string, name: string): Promise<{ holder: string; heldUntil: number } | undefined> {
  const key = new RedisKeys(prefix).lease(name);
  const [[, token], [, ttl]] = (await redis.multi().get(key).pttl(key).exec()) as [[null, string | null], [null, number]];
  if (!token) return undefined;
  return { holder: token.split(':').slice(0, -1).join(':'), heldUntil: Date.now() + Math.max(0, ttl) };
}

/**
 * Runs `work` while holding the lease `name`, renewed meanwhile. The work gets a signal that
 * aborts when the lease is lost (a stall past its time to live, a Redis blip) or `signal` aborts
 * (shutdown): it must stop writing then. The lease is given back only once the work has stopped,
 * so no second run starts while this one still writes. `{ held: false }` without running the work
 * when another run holds it, naming that run and when its lease ends unless renewed.
 */
export async function whileHolding<T>(
  redis: Redis,
  prefix: string,
  name: string,
  work: (signal: AbortSignal, lease: Lease) => Promise<T>,
  options: { signal?: AbortSignal; ttlMs?: number } = {},
): Promise<{ held: true; value: T } | { held: false; heldBy: string; heldUntil?: number }> {
  const lease = await Lease.tryAcquire(redis, prefix, name, { ttlMs: options.ttlMs ?? LEASE_TTL_MS });
  if (!lease) {
    const holder = await leaseHolder(redis, prefix, name);
    return { held: false, heldBy: holder?.holder ?? 'another run', ...(holder ? { heldUntil: holder.heldUntil } : {}) };
  }
  const signal = options.signal ? AbortSignal.any([lease.signal, options.signal]) : lease.signal;
  try {
    return { held: true, value: await work(signal, lease) };
  } finally {
    await lease.release();
  }
}

function defineLeaseCommands(redis: Redis): void {
  if ('leadloopRenewLease' in redis) return;
  redis.defineCommand('leadloopRenewLease', { numberOfKeys: 1, lua: RENEW_LUA });
  redis.defineCommand('leadloopReleaseLease', { numberOfKeys: 1, lua: RELEASE_LUA });
}
