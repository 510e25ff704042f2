import type { Redis } from 'ioredis';
import { leadloopMetrics, reasonLabel } from '../metrics.ts';
import { RedisKeys } from '../redis-keys.ts';

export type DeadLetterSystem = 'hubspot' | 'salesforce' | 'leadloop';

/** A record a system refused for good (validation, required field, too long, ...). */
export interface DeadLetterInput {
  system: DeadLetterSystem;
  /** What was attempted, e.g. `lead-upsert`, `contact-update`, `task-create`. */
  operation: string;
  /** The record's id only (HubSpot contact id, Salesforce id): never an email or a name. */
  recordKey: string;
  /** Short reason a person can act on, e.g. `REQUIRED_FIELD_MISSING: Company`. */
  reason: string;
  /** The vendor's raw error (body or error object), kept for `dlq show`, never logged. */
  error: unknown;
  /** What to send again on replay (may contain personal data: never logged). */
  payload?: unknown;
  /** When it failed (ms since epoch). */
  at: number;
}

export interface DeadLetterRecord extends DeadLetterInput {
  /** `system:operation:recordKey`: the same record failing again replaces its entry. */
  id: string;
  /** How many times this record has been dead-lettered. */
  failures: number;
  firstAt: number;
}

/** The log-safe view of a record: ids and reason, no payload and no raw error. */
export type DeadLetterSummary = Pick<DeadLetterRecord, 'id' | 'system' | 'operation' | 'recordKey' | 'reason' | 'at' | 'failures'>;

export class DeadLetterNotFound extends Error {
  override name = 'DeadLetterNotFound';
}

export function summarizeDeadLetter(record: DeadLetterRecord): DeadLetterSummary {
  const { id, system, operation, recordKey, reason, at, failures } = record;
  return { id, system, operation, recordKey, reason, at, failures };
}

/** How long a dead letter is kept after it last failed. Default 30 days. */
export const DEAD_LETTER_RETENTION_MS = 30 * 86_400_000;

/**
 * The dead-letter list of one prefix: a hash of records by id, a sorted set by time, and a set of
 * ids per HubSpot contact. Keyed by record so a record that keeps failing is listed once (with a
 * failure count). Entries not failing again within the retention are dropped, so the list cannot
 * grow without end.
 */
export class DeadLetterList {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #records: string;
  readonly #byTime: string;
  readonly #retentionMs: number;

  constructor(redis: Redis, prefix: string, options: { retentionMs?: number } = {}) {
    this.#redis = redis;
    this.#keys = new RedisKeys(prefix);
    this.#records = this.#keys.deadLetterRecords();
    this.#byTime = this.#keys.deadLetterByTime();
    this.#retentionMs = options.retentionMs ?? DEAD_LETTER_RETENTION_MS;
  }

  async add(input: DeadLetterInput): Promise<DeadLetterRecord> {
    const id = `${input.system}:${input.operation}:${input.recordKey}`;
    const previous = await this.show(id);
    const record: DeadLetterRecord = {
      ...input,
      error: toStorableError(input.error),
      id,
      failures: (previous?.failures ?? 0) + 1,
      firstAt: previous?.firstAt ?? input.at,
    };
    await this.#redis
      .multi()
      .hset(this.#records, id, JSON.stringify(record))
      .zadd(this.#byTime, input.at, id)
      .sadd(this.#keys.deadLettersOf(contactOf(input.recordKey)), id)
      .exec();
    await this.prune(input.at);
    leadloopMetrics().deadLetters.inc({ system: input.system, operation: operationLabel(input.operation), reason: reasonLabel(input.reason) });
    return record;
  }

  /**
   * Indexes by contact the entries an older installation wrote without that index (once: a marker
   * says it was done), so that a privacy purge finds them too; returns how many were indexed.
   */
  async indexOlderEntries(): Promise<number> {
    const marker = this.#keys.key('dlq', 'indexed-by-contact');
    if (await this.#redis.exists(marker)) return 0;
    let indexed = 0;
    for await (const batch of this.#redis.hscanStream(this.#records, { count: 500 }) as AsyncIterable<string[]>) {
      const tx = this.#redis.multi();
      for (let i = 0; i < batch.length; i += 2) {
        const recordKey = (JSON.parse(batch[i + 1]!) as DeadLetterRecord).recordKey;
        tx.sadd(this.#keys.deadLettersOf(contactOf(recordKey)), batch[i]!);
        indexed += 1;
      }
      await tx.exec();
    }
    await this.#redis.set(marker, '1');
    return indexed;
  }

  /** Drops the entries that last failed before the retention; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    const expired = await this.#redis.zrangebyscore(this.#byTime, '-inf', `(${now - this.#retentionMs}`);
    let dropped = 0;
    for (const id of expired) if (await this.drop(id)) dropped += 1;
    return dropped;
  }

  /** Newest first. */
  async list(options: { offset?: number; limit?: number; system?: DeadLetterSystem } = {}): Promise<DeadLetterRecord[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    const ids = await this.#redis.zrevrange(this.#byTime, 0, -1);
    if (ids.length === 0) return [];
    const raw = await this.#redis.hmget(this.#records, ...ids);
    const records = raw.flatMap((json) => (json ? [JSON.parse(json) as DeadLetterRecord] : []));
    const wanted = options.system ? records.filter((r) => r.system === options.system) : records;
    return wanted.slice(offset, offset + limit);
  }

  async show(id: string): Promise<DeadLetterRecord | null> {
    const json = await this.#redis.hget(this.#records, id);
    return json ? (JSON.parse(json) as DeadLetterRecord) : null;
  }

  /**
   * Hands the record to `enqueue` (which re-enqueues it) and removes it only once that
   * succeeded, so a failed replay loses nothing.
   */
  async replay<T>(id: string, enqueue: (record: DeadLetterRecord) => Promise<T>): Promise<T> {
    const record = await this.show(id);
    if (!record) throw new DeadLetterNotFound(`no dead letter "${id}"`);
    const result = await enqueue(record);
    await this.drop(id);
    return result;
  }

  async drop(id: string): Promise<boolean> {
    const recordKey = id.split(':').slice(2).join(':');
    const [[, removed] = [null, 0]] =
      (await this.#redis
        .multi()
        .hdel(this.#records, id)
        .zrem(this.#byTime, id)
        .srem(this.#keys.deadLettersOf(contactOf(recordKey)), id)
        .exec()) ?? [];
    return removed === 1;
  }

  /** Drops every entry about one contact (its lead, its tasks), reading only its own entries; returns how many. */
  async dropForRecord(contactId: string): Promise<number> {
    const ids = await this.#redis.smembers(this.#keys.deadLettersOf(contactId));
    let dropped = 0;
    for (const id of ids) if (await this.drop(id)) dropped += 1;
    await this.#redis.del(this.#keys.deadLettersOf(contactId));
    return dropped;
  }

  /** Total, and per system and operation (for run summaries and metrics). */
  async counts(): Promise<{ total: number; bySystem: Record<string, number>; byOperation: Record<string, number> }> {
    const records = await this.list({ limit: Number.MAX_SAFE_INTEGER });
    const bySystem: Record<string, number> = {};
    const byOperation: Record<string, number> = {};
    for (const r of records) {
      bySystem[r.system] = (bySystem[r.system] ?? 0) + 1;
      const op = `${r.system}:${r.operation}`;
      byOperation[op] = (byOperation[op] ?? 0) + 1;
    }
    return { total: records.length, bySystem, byOperation };
  }
}

/** The HubSpot contact a record key is about: the key itself, or the part before a task key's `:`. */
function contactOf(recordKey: string): string {
  return recordKey.split(':')[0]!;
}

/** Error objects do not JSON-serialise their fields; keep name, message and vendor data. */
function toStorableError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) fields[key] = value;
  return fields;
}

/** Operations are named in code (`lead-upsert`, `task-create`); anything else is counted as `other`, so the label stays bounded. */
function operationLabel(operation: string): string {
  return /^[a-z][a-z0-9-]{0,40}$/.test(operation) ? operation : 'other';
}
