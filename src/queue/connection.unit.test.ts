import { describe, expect, it } from 'vitest';
import { RedisKeys } from '../redis-keys.ts';
import { InvalidRedisPrefix, readRedisSettings } from './connection.ts';

describe('readRedisSettings', () => {
  it('defaults to local Redis and the leadloop prefix', () => {
    expect(readRedisSettings({})).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'leadloop' });
  });

  it('takes REDIS_URL and a Cluster hash-tag prefix', () => {
    const settings = readRedisSettings({ REDIS_URL: 'redis://cache:6380/2', LEADLOOP_PREFIX: '{leadloop}' });
    expect(settings).toEqual({ url: 'redis://cache:6380/2', prefix: '{leadloop}' });
    expect(new RedisKeys(settings.prefix).lease('sync-leads')).toBe('{leadloop}:ll:lease:sync-leads');
  });

  it('refuses prefixes that would break the key layout', () => {
    for (const bad of ['lead:loop', 'lead loop', '{}', '{a', 'a*']) {
      expect(() => readRedisSettings({ LEADLOOP_PREFIX: bad })).toThrow(InvalidRedisPrefix);
    }
  });
});
