import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.ts';

// HubSpot retries a delivery for a day and a paused queue may hold a job for longer: a month
// covers any hand-off still in flight for an erased contact.
const REMEMBER_MS = 30 * 86_400_000;

/**
 * Contacts erased by a HubSpot privacy deletion. The webhook intake marks them before anything
 * else, and every write to Salesforce or HubSpot checks the mark just before it is made, so a
 * hand-off that read the contact before the erasure cannot write it back afterwards. Only ids
 * are kept.
 */
export class ErasedContacts {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(id: string): string {
    return new RedisKeys(this.#prefix).erased(id);
  }

  async mark(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const tx = this.#redis.multi();
    for (const id of ids) tx.set(this.#key(id), '1', 'PX', REMEMBER_MS);
    await tx.exec();
  }

  /** Which of these contacts were erased. */
  async among(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const values = await this.#redis.mget(...ids.map((id) => this.#key(id)));
    return new Set(ids.filter((_, i) => values[i] !== null));
  }
}
