import type { Redis } from 'ioredis';
import type { ContactCursor } from '../domain/contact.ts';
import type { Observed } from '../domain/inputs.ts';
import { RedisKeys } from '../redis-keys.ts';

/** Where a full backfill through the list endpoint stands, saved after each batch is handled. */
export interface BackfillPosition {
  /** When the backfill began (epoch ms): the search cursor starts there (minus the indexing lag) when it completes. */
  startedAt: number;
  /** The list endpoint's `after` for the next page; absent before the first page. */
  after?: string;
  /** Contacts handled so far (for progress across a resume). */
  pulled: number;
  /** Every page was handled: only the search cursor is left to set. */
  done?: boolean;
}

/**
 * The lead sync's state in Redis: the pull cursor and backfill position, each contact's input
 * fingerprint (so unchanged contacts and our own write-back are skipped) and what leadloop
 * observed changing (recency for lifetime counters).
 */
export class SyncState {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#keys = new RedisKeys(prefix);
  }

  async cursor(): Promise<ContactCursor | undefined> {
    const raw = await this.#redis.get(this.#keys.syncCursor());
    return raw ? (JSON.parse(raw) as ContactCursor) : undefined;
  }

  async saveCursor(cursor: ContactCursor): Promise<void> {
    await this.#redis.set(this.#keys.syncCursor(), JSON.stringify(cursor));
  }

  /** A backfill under way (list position after the last page handled), or undefined. */
  async backfill(): Promise<BackfillPosition | undefined> {
    const raw = await this.#redis.get(this.#keys.backfill());
    return raw ? (JSON.parse(raw) as BackfillPosition) : undefined;
  }

  async saveBackfill(position: BackfillPosition): Promise<void> {
    await this.#redis.set(this.#keys.backfill(), JSON.stringify(position));
  }

  async clearBackfill(): Promise<void> {
    await this.#redis.del(this.#keys.backfill());
  }

  async fingerprints(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const values = await this.#redis.hmget(this.#keys.fingerprints(), ...ids);
    return new Map(ids.flatMap((id, i) => (values[i] ? [[id, values[i]!] as const] : [])));
  }

  async saveFingerprints(entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size > 0) await this.#redis.hset(this.#keys.fingerprints(), Object.fromEntries(entries));
  }

  /** Per contact: property → { value, changedAt } as leadloop observed it. */
  async observed(ids: readonly string[]): Promise<Map<string, Observed>> {
    if (ids.length === 0) return new Map();
    const values = await this.#redis.hmget(this.#keys.observed(), ...ids);
    return new Map(ids.flatMap((id, i) => (values[i] ? [[id, JSON.parse(values[i]!) as Observed] as const] : [])));
  }

  async saveObserved(entries: ReadonlyMap<string, Observed>): Promise<void> {
    if (entries.size > 0) await this.#redis.hset(this.#keys.observed(), Object.fromEntries([...entries].map(([k, v]) => [k, JSON.stringify(v)])));
  }

  /** Forgets what leadloop knew of these contacts (merged away or erased): their next sighting is a first one. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#redis
      .multi()
      .hdel(this.#keys.fingerprints(), ...ids)
      .hdel(this.#keys.observed(), ...ids)
      .exec();
  }
}
