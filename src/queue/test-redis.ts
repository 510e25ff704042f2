// Test support for the queue integration tests: a unique prefix per test file and cleanup
// of that prefix's keys only (the Redis here is shared; never FLUSHDB).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisConnection, type ConnectionRole } from './connection.ts';

export const TEST_REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

export function uniqueTestPrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export function testConnection(role: ConnectionRole = 'client'): Redis {
  return createRedisConnection({ url: TEST_REDIS_URL }, role);
}

export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
