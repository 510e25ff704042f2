import { Redis, type RedisOptions } from 'ioredis';

/** Minimal logger shape (pino's `Logger` satisfies it). */
export interface QueueLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/**
 * `worker`: blocking consumers. BullMQ requires `maxRetriesPerRequest: null` there, otherwise
 * ioredis gives up on a blocked BRPOPLPUSH/BZPOPMIN during a Redis restart and the worker dies.
 * `client`: producers and our own state; fail fast so an HTTP handler answers quickly.
 */
export type ConnectionRole = 'worker' | 'client';

export function createRedisConnection(settings: { url: string }, role: ConnectionRole, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = role === 'worker' ? { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra } : { maxRetriesPerRequest: 3, enableOfflineQueue: true, ...extra };
  return new RedisFromUrl(settings.url, options);
}

// ioredis 6's overloads infer a reply-mapping type parameter that a pre-built RedisOptions
// value does not satisfy under exactOptionalPropertyTypes; this is the (url, options) overload.
const RedisFromUrl = Redis as unknown as new (url: string, options: RedisOptions) => Redis;

export type EvictionCheck = { ok: true; policy: 'noeviction' } | { ok: false; policy: string | null; message: string };

/**
 * BullMQ requires `maxmemory-policy noeviction`: with any eviction policy Redis may silently
 * delete job keys under memory pressure, and jobs vanish. Managed Redis often refuses
 * CONFIG GET; then we can only warn that we could not check.
 */
export async function checkEvictionPolicy(redis: Redis, logger?: QueueLogger): Promise<EvictionCheck> {
  let policy: string | null = null;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') policy = reply[1];
  } catch {
    policy = null;
  }
  if (policy === 'noeviction') return { ok: true, policy };
  const message =
    policy === null
      ? 'could not read Redis maxmemory-policy (CONFIG GET refused?); BullMQ needs noeviction'
      : `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or jobs may be evicted`;
  logger?.warn({ policy }, message);
  return { ok: false, policy, message };
}
