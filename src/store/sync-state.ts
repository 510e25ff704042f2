import type { Redis } from 'ioredis';
import type { ContactCursor } from '../domain/contact.ts';
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
 * Where the lead sync stands, in Redis: the pull cursor and the backfill position. (What leadloop
 * saw of each contact is in the ledger: src/store/contact-state.ts.)
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
}
