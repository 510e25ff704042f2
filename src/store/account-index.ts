import type { Redis } from 'ioredis';
import type { IndexedAccount } from '../salesforce/accountIndex.ts';

export type AccountsByDomain = Map<string, { accountId: string; ownerId: string }>;

/**
 * The Salesforce account index in Redis — normalised website domain → account and owner — so
 * routing matches accounts without a query per lead, and each cycle pulls only the accounts
 * changed since the last one. A full pull now and then catches deleted accounts, which
 * SystemModstamp never shows.
 */
export class AccountIndexStore {
  readonly #redis: Redis;
  readonly #byDomain: string;
  readonly #domainOf: string;
  readonly #cursor: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#byDomain = `${prefix}:accounts:by-domain`;
    this.#domainOf = `${prefix}:accounts:domain-of`;
    this.#cursor = `${prefix}:accounts:cursor`;
  }

  /** Where the last pull ended (newest SystemModstamp) and when the last full pull ran; undefined before the first. */
  async cursor(): Promise<{ since: number; fullAt: number } | undefined> {
    const raw = await this.#redis.get(this.#cursor);
    return raw ? (JSON.parse(raw) as { since: number; fullAt: number }) : undefined;
  }

  /** Applies pulled accounts; `full` replaces the whole index (a full pull). */
  async apply(accounts: readonly IndexedAccount[], cursor: { since: number; fullAt: number }, options: { full: boolean }): Promise<void> {
    const previous = options.full ? new Map<string, string>() : await this.#domainsOf(accounts.map((a) => a.accountId));
    const oldDomains = [...new Set(previous.values())];
    const holders = oldDomains.length > 0 ? await this.#redis.hmget(this.#byDomain, ...oldDomains) : [];
    const holderOf = new Map(oldDomains.map((d, i) => [d, holders[i] ? (JSON.parse(holders[i]!) as { accountId: string }).accountId : undefined]));
    const tx = this.#redis.multi();
    if (options.full) tx.del(this.#byDomain, this.#domainOf);
    for (const a of accounts) {
      const old = previous.get(a.accountId);
      // The website changed or went: the old domain no longer leads to this account (unless another holds it now).
      if (old && old !== a.domain && holderOf.get(old) === a.accountId) tx.hdel(this.#byDomain, old);
      if (a.domain) {
        tx.hset(this.#byDomain, a.domain, JSON.stringify({ accountId: a.accountId, ownerId: a.ownerId }));
        tx.hset(this.#domainOf, a.accountId, a.domain);
      } else {
        tx.hdel(this.#domainOf, a.accountId);
      }
    }
    tx.set(this.#cursor, JSON.stringify(cursor));
    await tx.exec();
  }

  async load(): Promise<AccountsByDomain> {
    const raw = await this.#redis.hgetall(this.#byDomain);
    return new Map(Object.entries(raw).map(([domain, json]) => [domain, JSON.parse(json) as { accountId: string; ownerId: string }]));
  }

  async #domainsOf(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const values = await this.#redis.hmget(this.#domainOf, ...accountIds);
    return new Map(accountIds.flatMap((id, i) => (values[i] ? [[id, values[i]!] as const] : [])));
  }
}
