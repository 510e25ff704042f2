import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.ts';

/** A preflight answer as cached: the problems found, for which config version, and when. */
interface CachedPreflight {
  configVersion: string;
  checkedAt: number;
  blocking: unknown[];
  warnings: unknown[];
}

/** The last preflight answer, in Redis with a time to live, shared by every process (and refreshed by `leadloop setup`). */
export class PreflightCacheStore<T extends CachedPreflight = CachedPreflight> {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = new RedisKeys(prefix).preflight();
  }

  async get(): Promise<T | undefined> {
    const raw = await this.#redis.get(this.#key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  async set(entry: T, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#key, JSON.stringify(entry), 'PX', ttlMs);
  }
}
