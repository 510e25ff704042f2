import { describe, expect, it } from 'vitest';
import { EnvInvalid, loadEnv } from '../config/env.ts';
import { RedisKeys } from '../redis-keys.ts';

describe('Redis settings from the environment', () => {
  it('default to local Redis and the leadloop prefix', () => {
    expect(loadEnv({})).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'leadloop' });
  });

  it('take REDIS_URL and a Cluster hash-tag prefix; our keys live under <prefix>:ll:', () => {
    const env = loadEnv({ REDIS_URL: 'redis://cache:6380/2', LEADLOOP_PREFIX: '{leadloop}' });
    expect(env).toMatchObject({ redisUrl: 'redis://cache:6380/2', prefix: '{leadloop}' });
    expect(new RedisKeys(env.prefix).lease('sync-leads')).toBe('{leadloop}:ll:lease:sync-leads');
  });

  it('refuse prefixes that would break the key layout', () => {
    for (const bad of ['lead:loop', 'lead loop', '{}', '{a', 'a*']) expect(() => loadEnv({ LEADLOOP_PREFIX: bad })).toThrow(EnvInvalid);
  });
});
