import type { Redis } from 'ioredis';
import type { ContactCursor } from '../hubspot/searchModifiedContacts.ts';

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
 * The lead sync's state in Redis: the pull cursor, each contact's input fingerprint (so unchanged
 * contacts and our own write-back are skipped), what leadloop observed changing (recency for
 * lifetime counters), round-robin positions and today's per-owner loads.
 */
export class SyncState {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(name: string): string {
    return `${this.#prefix}:${name}`;
  }

  async cursor(): Promise<ContactCursor | undefined> {
    const raw = await this.#redis.get(this.#key('sync:leads:cursor'));
    return raw ? (JSON.parse(raw) as ContactCursor) : undefined;
  }

  async saveCursor(cursor: ContactCursor): Promise<void> {
    await this.#redis.set(this.#key('sync:leads:cursor'), JSON.stringify(cursor));
  }

  /** A backfill under way (list position after the last page handled), or undefined. */
  async backfill(): Promise<BackfillPosition | undefined> {
    const raw = await this.#redis.get(this.#key('sync:leads:backfill'));
    return raw ? (JSON.parse(raw) as BackfillPosition) : undefined;
  }

  async saveBackfill(position: BackfillPosition): Promise<void> {
    await this.#redis.set(this.#key('sync:leads:backfill'), JSON.stringify(position));
  }

  async clearBackfill(): Promise<void> {
    await this.#redis.del(this.#key('sync:leads:backfill'));
  }

  async fingerprints(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const values = await this.#redis.hmget(this.#key('sync:fingerprints'), ...ids);
    return new Map(ids.flatMap((id, i) => (values[i] ? [[id, values[i]!] as const] : [])));
  }

  async saveFingerprints(entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size > 0) await this.#redis.hset(this.#key('sync:fingerprints'), Object.fromEntries(entries));
  }

  /** Per contact: property → { value, changedAt } as leadloop observed it. */
  async observed(ids: readonly string[]): Promise<Map<string, Record<string, { value: string | null; changedAt: number | null }>>> {
    if (ids.length === 0) return new Map();
    const values = await this.#redis.hmget(this.#key('sync:observed'), ...ids);
    return new Map(ids.flatMap((id, i) => (values[i] ? [[id, JSON.parse(values[i]!)] as const] : [])));
  }

  async saveObserved(entries: ReadonlyMap<string, Record<string, { value: string | null; changedAt: number | null }>>): Promise<void> {
    if (entries.size > 0) await this.#redis.hset(this.#key('sync:observed'), Object.fromEntries([...entries].map(([k, v]) => [k, JSON.stringify(v)])));
  }

  async roundRobin(): Promise<Record<string, number>> {
    const raw = await this.#redis.hgetall(this.#key('routing:round-robin'));
    return Object.fromEntries(Object.entries(raw).map(([team, n]) => [team, Number(n)]));
  }

  async saveRoundRobin(team: string, next: number): Promise<void> {
    await this.#redis.hset(this.#key('routing:round-robin'), team, String(next));
  }

  async loadToday(day: string): Promise<Record<string, number>> {
    const raw = await this.#redis.hgetall(this.#key(`routing:load:${day}`));
    return Object.fromEntries(Object.entries(raw).map(([email, n]) => [email, Number(n)]));
  }

  async addLoad(day: string, email: string): Promise<void> {
    const key = this.#key(`routing:load:${day}`);
    await this.#redis.multi().hincrby(key, email.toLowerCase(), 1).expire(key, 3 * 86_400).exec();
  }

  /** Forgets what leadloop knew of these contacts (merged away or erased): their next sighting is a first one. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#redis.multi().hdel(this.#key('sync:fingerprints'), ...ids).hdel(this.#key('sync:observed'), ...ids).exec();
  }
}
