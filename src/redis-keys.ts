import type { Redis } from 'ioredis';

/**
 * The one module that names leadloop's own Redis keys. They all live under `<prefix>:ll:`, outside
 * BullMQ's namespace (`<prefix>:<queue>:…`, and no queue is named `ll`), so neither can overwrite
 * the other. Redis holds only what queues need and caches: the ledger is the system of record.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Any key of ours: `<prefix>:ll:<parts…>`. */
  key(...parts: string[]): string {
    return [this.prefix, 'll', ...parts].join(':');
  }

  lease(name: string): string {
    return this.key('lease', name);
  }
  budget(name: string): string {
    return this.key('budget', name);
  }
  pauseAuth(): string {
    return this.key('pause', 'auth');
  }
  pauseUntil(system: string): string {
    return this.key('pause', 'until', system);
  }
  deadLetterRecords(): string {
    return this.key('dlq', 'records');
  }
  /** The dead letters about one HubSpot contact (its lead, its tasks), so a privacy purge reads only those. */
  deadLettersOf(contactId: string): string {
    return this.key('dlq', 'by-contact', contactId);
  }
  deadLetterByTime(): string {
    return this.key('dlq', 'by-time');
  }
  syncCursor(): string {
    return this.key('sync', 'leads', 'cursor');
  }
  backfill(): string {
    return this.key('sync', 'leads', 'backfill');
  }
  feedbackCursor(flow: string): string {
    return this.key('sync', 'feedback', flow, 'cursor');
  }
  /** The one-time pass adding campaign members to hand-offs made before campaign membership. */
  pastMembersPass(): string {
    return this.key('sync', 'feedback', 'past-members');
  }
  /** Where installations before the ledger's contact_state kept fingerprints and observations: read once, imported, deleted. */
  legacyContactState(): { fingerprints: string; observed: string } {
    return { fingerprints: this.key('sync', 'fingerprints'), observed: this.key('sync', 'observed') };
  }
  roundRobin(): string {
    return this.key('routing', 'round-robin');
  }
  load(day: string): string {
    return this.key('routing', 'load', day);
  }
  routingLock(): string {
    return this.key('routing', 'lock');
  }
  erased(contactId: string): string {
    return this.key('erased', contactId);
  }
  merges(survivorId: string): string {
    return this.key('merges', survivorId);
  }
  preflight(): string {
    return this.key('setup', 'preflight');
  }
}

/**
 * Moves the keys of an installation from before the `<prefix>:ll:` layout, idempotently and
 * without overwriting (RENAMENX): an upgraded installation resumes from its cursor instead of
 * starting a second backfill. The old account index in Redis is dropped: it lives in the ledger
 * now and the next cycle pulls it afresh. Returns how many keys moved.
 */
export async function moveLegacyKeys(redis: Redis, prefix: string): Promise<number> {
  const keys = new RedisKeys(prefix);
  const fixed: [string, string][] = [
    [`${prefix}:sync:leads:cursor`, keys.syncCursor()],
    [`${prefix}:sync:leads:backfill`, keys.backfill()],
    [`${prefix}:sync:fingerprints`, keys.legacyContactState().fingerprints],
    [`${prefix}:sync:observed`, keys.legacyContactState().observed],
    [`${prefix}:routing:round-robin`, keys.roundRobin()],
  ];
  const patterned: [string, (rest: string) => string][] = [
    [`${prefix}:routing:load:`, (day) => keys.load(day)],
    [`${prefix}:erased:`, (id) => keys.erased(id)],
    [`${prefix}:merges:`, (id) => keys.merges(id)],
  ];
  let moved = 0;
  for (const [from, to] of fixed) moved += await renameIfFree(redis, from, to);
  for (const [head, to] of patterned) {
    for await (const batch of redis.scanStream({ match: `${escapeGlob(head)}*`, count: 500 }) as AsyncIterable<string[]>) {
      for (const key of batch) moved += await renameIfFree(redis, key, to(key.slice(head.length)));
    }
  }
  await redis.del(`${prefix}:accounts:by-domain`, `${prefix}:accounts:domain-of`, `${prefix}:accounts:cursor`, `${prefix}:setup:preflight`);
  return moved;
}

async function renameIfFree(redis: Redis, from: string, to: string): Promise<number> {
  try {
    return (await redis.renamenx(from, to)) === 1 ? 1 : 0;
  } catch (error) {
    // ERR no such key: nothing to move (or another process moved it first).
    if (/no such key/i.test((error as Error).message)) return 0;
    throw error;
  }
}

/**
 * Deletes every key under `prefix` — ours and BullMQ's — and nothing else: the demo and benches
 * run under a unique prefix on a Redis that may be the user's (never FLUSHDB). Returns how many.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const batch of redis.scanStream({ match: `${escapeGlob(prefix)}:*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (batch.length > 0) deleted += await redis.unlink(...batch);
  }
  return deleted;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
