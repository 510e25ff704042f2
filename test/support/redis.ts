// Test support for the queue integration tests: a unique prefix per test file and cleanup
// of that prefix's keys only (the Redis here is shared; never FLUSHDB).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisConnection, type ConnectionRole } from '../../src/queue/connection.ts';
import { deleteKeysUnder } from '../../src/redis-keys.ts';

export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export function uniqueTestPrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export function testConnection(role: ConnectionRole = 'client'): Redis {
  return createRedisConnection({ url: TEST_REDIS_URL }, role);
}

/** Deletes this test's keys only (its unique prefix). */
export function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  return deleteKeysUnder(redis, prefix);
}
