import type { Redis } from 'ioredis';
import type { ContactCursor } from '../domain/contact.ts';
import type { FeedbackFlow, KeysetCursor } from '../domain/feedback/types.ts';
import { LeaseLost } from '../errors/index.ts';
import { RedisKeys } from '../redis-keys.ts';

// KEYS[1] the lease, KEYS[2] the position; ARGV[1] the holder's token. Written only by the holder.
const FENCED_SET_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;
const FENCED_DEL_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return 1`;

interface FencedRedis extends Redis {
  leadloopFencedSet(lease: string, key: string, token: string, value: string): Promise<number>;
  leadloopFencedDel(lease: string, key: string, token: string): Promise<number>;
}

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
  readonly #fence: { key: string; token: string; name: string } | undefined;

  constructor(redis: Redis, prefix: string, fence?: { key: string; token: string; name: string }) {
    this.#redis = redis;
    this.#keys = new RedisKeys(prefix);
    this.#fence = fence;
    if (!('leadloopFencedSet' in redis)) {
      redis.defineCommand('leadloopFencedSet', { numberOfKeys: 2, lua: FENCED_SET_LUA });
      redis.defineCommand('leadloopFencedDel', { numberOfKeys: 2, lua: FENCED_DEL_LUA });
    }
  }

  /**
   * This state with every save fenced by a lease: a position is saved only while the lease's key
   * still holds its token (compared and set in one Lua script), else LeaseLost is thrown and
   * nothing is saved — a run whose lease expired can never move the cursor past a second run's.
   */
  fencedBy(fence: { key: string; token: string; name: string }): SyncState {
    return new SyncState(this.#redis, this.#keys.prefix, fence);
  }

  async cursor(): Promise<ContactCursor | undefined> {
    const raw = await this.#redis.get(this.#keys.syncCursor());
    return raw ? (JSON.parse(raw) as ContactCursor) : undefined;
  }

  async saveCursor(cursor: ContactCursor): Promise<void> {
    await this.#set(this.#keys.syncCursor(), JSON.stringify(cursor));
  }

  /** A backfill under way (list position after the last page handled), or undefined. */
  async backfill(): Promise<BackfillPosition | undefined> {
    const raw = await this.#redis.get(this.#keys.backfill());
    return raw ? (JSON.parse(raw) as BackfillPosition) : undefined;
  }

  async saveBackfill(position: BackfillPosition): Promise<void> {
    await this.#set(this.#keys.backfill(), JSON.stringify(position));
  }

  async clearBackfill(): Promise<void> {
    if (!this.#fence) {
      await this.#redis.del(this.#keys.backfill());
      return;
    }
    const done = await (this.#redis as FencedRedis).leadloopFencedDel(this.#fence.key, this.#keys.backfill(), this.#fence.token);
    if (done !== 1) throw new LeaseLost(this.#fence.name);
  }

  async feedbackCursor(flow: FeedbackFlow): Promise<KeysetCursor | undefined> {
    const raw = await this.#redis.get(this.#keys.feedbackCursor(flow));
    return raw ? (JSON.parse(raw) as KeysetCursor) : undefined;
  }

  async saveFeedbackCursor(flow: FeedbackFlow, cursor: KeysetCursor): Promise<void> {
    await this.#set(this.#keys.feedbackCursor(flow), JSON.stringify(cursor));
  }

  async pastMembersPass(): Promise<{ after: number; done: boolean } | undefined> {
    const raw = await this.#redis.get(this.#keys.pastMembersPass());
    return raw ? (JSON.parse(raw) as { after: number; done: boolean }) : undefined;
  }

  async savePastMembersPass(position: { after: number; done: boolean }): Promise<void> {
    await this.#set(this.#keys.pastMembersPass(), JSON.stringify(position));
  }

  async #set(key: string, value: string): Promise<void> {
    if (!this.#fence) {
      await this.#redis.set(key, value);
      return;
    }
    const done = await (this.#redis as FencedRedis).leadloopFencedSet(this.#fence.key, key, this.#fence.token, value);
    if (done !== 1) throw new LeaseLost(this.#fence.name);
  }
}
