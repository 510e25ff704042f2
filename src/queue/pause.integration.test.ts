import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { PauseControl } from './pause.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

const prefix = uniqueTestPrefix('pause');
const redis = testConnection();
const queues = [new Queue('sync', { connection: redis, prefix }), new Queue('handoff', { connection: redis, prefix })];
const pause = new PauseControl({ redis, prefix, queues, registry: new Registry() });

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('PauseControl (real Redis)', () => {
  it('a timed pause keeps the later end, applies to one system, and can be cleared', async () => {
    const now = Date.now();
    await Promise.all([pause.pauseSystemUntil('salesforce', now + 60_000, 'salesforce-daily-limit', now), pause.pauseSystemUntil('salesforce', now + 30_000, 'salesforce-daily-limit', now)]);
    expect(await pause.pausedUntil('salesforce', now)).toBe(now + 60_000);
    expect(await pause.pausedUntil('hubspot', now)).toBeNull();
    expect(await pause.pausedUntil('salesforce', now + 60_000)).toBeNull();
    await pause.clearSystemPause('salesforce');
    expect(await pause.pausedUntil('salesforce', now)).toBeNull();
  });

  it('auth pauses stop every queue until each of them is resolved', async () => {
    await pause.pauseForAuth('hubspot-auth', 'HubSpotAuthError (401)');
    await pause.pauseForAuth('salesforce-auth', 'SalesforceAuthError (INVALID_SESSION_ID)');
    expect(await Promise.all(queues.map((q) => q.isPaused()))).toEqual([true, true]);
    await pause.resume('hubspot-auth');
    expect(await Promise.all(queues.map((q) => q.isPaused()))).toEqual([true, true]);
    expect((await pause.authPauses()).map((p) => p.reason)).toEqual(['salesforce-auth']);
    await pause.resume('salesforce-auth');
    expect(await Promise.all(queues.map((q) => q.isPaused()))).toEqual([false, false]);
  });
});
