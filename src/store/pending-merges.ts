import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.ts';

/**
 * Merges HubSpot announced and not yet applied, per surviving contact. The webhook intake records
 * them before it enqueues the survivor's hand-off, and that hand-off applies them first: stored
 * here rather than in the job, because a hand-off job is deduplicated per contact and would drop
 * a merge that arrived while another event for the survivor was waiting.
 */
export class PendingMerges {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #key(survivorId: string): string {
    return new RedisKeys(this.#prefix).merges(survivorId);
  }

  async add(survivorId: string, mergedIds: readonly string[]): Promise<void> {
    if (mergedIds.length === 0) return;
    // A week: HubSpot retries a delivery for a day, a paused queue may hold the job longer.
    await this.#redis
      .multi()
      .sadd(this.#key(survivorId), ...mergedIds)
      .expire(this.#key(survivorId), 7 * 86_400)
      .exec();
  }

  async of(survivorIds: readonly string[]): Promise<Map<string, string[]>> {
    const pipeline = this.#redis.pipeline();
    for (const id of survivorIds) pipeline.smembers(this.#key(id));
    const replies = (await pipeline.exec()) ?? [];
    const merges = new Map<string, string[]>();
    replies.forEach(([error, members], i) => {
      if (error) throw error;
      if ((members as string[]).length > 0) merges.set(survivorIds[i]!, (members as string[]).sort());
    });
    return merges;
  }

  async applied(survivorId: string, mergedIds: readonly string[]): Promise<void> {
    if (mergedIds.length > 0) await this.#redis.srem(this.#key(survivorId), ...mergedIds);
  }
}
