import { afterEach, describe, expect, it } from 'vitest';
import { syncLeads } from './pipeline/syncLeads.ts';
import { moveLegacyKeys, RedisKeys } from './redis-keys.ts';
import { startSandbox, type Sandbox } from './sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../test/support/pipeline.ts';
import { compose } from './app.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../test/support/redis.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

describe('Redis key layout', () => {
  it("names every key of ours under <prefix>:ll:, outside BullMQ's <prefix>:<queue>: namespace", () => {
    const keys = new RedisKeys('{ll-test}');
    for (const key of [
      keys.syncCursor(),
      keys.backfill(),
      keys.legacyContactState().fingerprints,
      keys.roundRobin(),
      keys.load('2026-12-01'),
      keys.erased('1'),
      keys.merges('1'),
      keys.preflight(),
      keys.lease('sync-leads'),
      keys.deadLetterRecords(),
    ]) {
      expect(key.startsWith('{ll-test}:ll:')).toBe(true);
    }
  });

  it('an installation from before the layout is moved at start and resumes from its cursor and fingerprints: no second backfill, nobody re-scored', async () => {
    sandbox = await startSandbox({ contacts: 300, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'upgrade' });
    const first = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(first.pulled).toBe(300);
    // As the previous release kept them: the sync's state under `<prefix>:sync:…` (the `sync`
    // queue's namespace), and each contact's fingerprint and observations in Redis hashes.
    const keys = new RedisKeys(app.prefix);
    const redis = app.testRedis;
    const legacy: [string, string][] = [
      [keys.syncCursor(), `${app.prefix}:sync:leads:cursor`],
      [keys.roundRobin(), `${app.prefix}:routing:round-robin`],
    ];
    for (const [now, before] of legacy) if (await redis.exists(now)) await redis.rename(now, before);
    const rows = await app.ledger.db.selectFrom('contact_state').selectAll().execute();
    expect(rows).toHaveLength(300);
    await redis.hset(`${app.prefix}:sync:fingerprints`, Object.fromEntries(rows.map((r) => [r.hubspot_contact_id, r.fingerprint!])));
    await redis.hset(`${app.prefix}:sync:observed`, Object.fromEntries(rows.map((r) => [r.hubspot_contact_id, JSON.stringify(r.observed)])));
    await app.ledger.db.deleteFrom('contact_state').execute();
    await redis.set(`${app.prefix}:erased:4711`, '1');
    expect(await redis.exists(keys.syncCursor())).toBe(0);
    await app.release();

    // The upgraded release starts: compose moves the keys, and the next cycle is incremental.
    const upgraded = await compose(app.env);
    try {
      expect(await redis.exists(keys.syncCursor())).toBe(1);
      expect(await redis.exists(`${app.prefix}:sync:leads:cursor`)).toBe(0);
      expect(await redis.get(keys.erased('4711'))).toBe('1');
      // What it saw of each contact is in the ledger now, and Redis keeps no copy.
      expect(await upgraded.ledger.db.selectFrom('contact_state').select('hubspot_contact_id').execute()).toHaveLength(300);
      expect(await redis.exists(keys.legacyContactState().fingerprints, keys.legacyContactState().observed, `${app.prefix}:sync:fingerprints`)).toBe(0);
      sandbox.requestLog.reset();
      const next = await syncLeads(upgraded.deps, { indexingLagMs: 0 });
      expect(sandbox.requestLog.snapshot().hubspot['contacts.list']).toBeUndefined();
      expect(next.scored).toBe(0);
      expect(next.created).toBe(0);
    } finally {
      await upgraded.close();
    }
  });

  it('moving is idempotent and never overwrites a key of the new layout', async () => {
    const redis = testConnection();
    const prefix = uniqueTestPrefix('movekeys');
    try {
      const keys = new RedisKeys(prefix);
      await redis.set(`${prefix}:sync:leads:cursor`, 'old');
      await redis.set(keys.syncCursor(), 'new');
      await redis.set(`${prefix}:merges:77`, 'm');
      expect(await moveLegacyKeys(redis, prefix)).toBe(1);
      expect(await redis.get(keys.syncCursor())).toBe('new');
      expect(await redis.get(keys.merges('77'))).toBe('m');
      expect(await moveLegacyKeys(redis, prefix)).toBe(0);
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
