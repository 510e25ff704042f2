import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LeaseHeld } from '../errors/index.ts';
import type { RoutingState } from '../domain/handoff/types.ts';
import { RedisKeys } from '../redis-keys.ts';

const LOAD_TTL_S = 3 * 86_400;
/** Routing a batch takes milliseconds; a holder that died frees the lock after this. */
const LOCK_TTL_MS = 30_000;
/** How long a run waits for another's routing before it gives up (and its job is delayed). */
const LOCK_WAIT_MS = 60_000;

/**
 * Round-robin positions and each owner's leads per day, shared by every run (the scheduled sync
 * and webhook hand-offs), in Redis — as a cache of the ledger, which is the truth: when Redis has
 * none (it restarted empty, failed over, or evicted), they are rebuilt from the ledger's
 * decisions, so nobody gets leads past their daily capacity and the rotation goes on where it was.
 */
export class RoutingStateStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #fromLedger: (day: string) => Promise<RoutingState>;

  constructor(redis: Redis, prefix: string, fromLedger: (day: string) => Promise<RoutingState>) {
    this.#redis = redis;
    this.#keys = new RedisKeys(prefix);
    this.#fromLedger = fromLedger;
  }

  /** The state of `day`; missing in Redis, it is rebuilt from the ledger (and, unless `seed` is false, stored back). */
  async load(day: string, options: { seed?: boolean } = {}): Promise<RoutingState> {
    const [[, rr], [, loads]] = (await this.#redis.multi().hgetall(this.#keys.roundRobin()).hgetall(this.#keys.load(day)).exec()) as [[null, Record<string, string>], [null, Record<string, string>]];
    // A marker field says the hash was filled (an empty rotation and a lost one look alike otherwise).
    if (rr['.'] !== undefined && loads['.'] !== undefined) return { roundRobin: numbers(rr), loadToday: numbers(loads) };
    const rebuilt = await this.#fromLedger(day);
    if (options.seed === false) return { roundRobin: rr['.'] !== undefined ? numbers(rr) : rebuilt.roundRobin, loadToday: loads['.'] !== undefined ? numbers(loads) : rebuilt.loadToday };
    await this.#seed(day, rebuilt, rr['.'] === undefined, loads['.'] === undefined);
    const [[, rr2], [, loads2]] = (await this.#redis.multi().hgetall(this.#keys.roundRobin()).hgetall(this.#keys.load(day)).exec()) as [[null, Record<string, string>], [null, Record<string, string>]];
    return { roundRobin: numbers(rr2), loadToday: numbers(loads2) };
  }

  /** Counts stored decisions: each moves its team's rotation to `next` (never back) and adds one to its owner's load of `day`. */
  async apply(day: string, changes: readonly { rotation: { team: string; next: number } | null; ownerEmail: string | null }[]): Promise<void> {
    if (changes.length === 0) return;
    await this.load(day);
    const tx = this.#redis.multi();
    for (const change of changes) {
      if (change.rotation) tx.eval(MAX_LUA, 1, this.#keys.roundRobin(), change.rotation.team, String(change.rotation.next));
      if (change.ownerEmail) tx.hincrby(this.#keys.load(day), change.ownerEmail.toLowerCase(), 1);
    }
    tx.expire(this.#keys.load(day), LOAD_TTL_S);
    await tx.exec();
  }

  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const key = this.#keys.routingLock();
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    while ((await this.#redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new LeaseHeld('routing', { heldUntil: Date.now() + Math.max(0, await this.#redis.pttl(key)) });
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
    try {
      return await work();
    } finally {
      await this.#redis.eval(RELEASE_LUA, 1, key, token);
    }
  }

  async #seed(day: string, state: RoutingState, rotation: boolean, loads: boolean): Promise<void> {
    const tx = this.#redis.multi();
    // HSETNX: a concurrent run that seeded or counted first is not overwritten.
    if (rotation) {
      for (const [team, next] of Object.entries(state.roundRobin)) tx.hsetnx(this.#keys.roundRobin(), team, String(next));
      tx.hsetnx(this.#keys.roundRobin(), '.', '1');
    }
    if (loads) {
      for (const [email, n] of Object.entries(state.loadToday)) tx.hsetnx(this.#keys.load(day), email, String(n));
      tx.hsetnx(this.#keys.load(day), '.', '1');
      tx.expire(this.#keys.load(day), LOAD_TTL_S);
    }
    await tx.exec();
  }
}

// A rotation only moves forward: two runs counting their decisions in either order end at the later position.
const MAX_LUA = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

// Deletes the lock only while it is still this run's (it may have expired and been taken since).
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

function numbers(hash: Record<string, string>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(hash)
      .filter(([k]) => k !== '.')
      .map(([k, v]) => [k, Number(v)]),
  );
}
