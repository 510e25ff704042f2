import type { Connection } from 'jsforce';
import { loadDirectory, type SalesforceDirectory } from '../salesforce/directory.ts';
import { pullAccountIndex } from '../salesforce/accountIndex.ts';
import type { AccountIndexStore, AccountsByDomain } from '../store/account-index.ts';

export type { AccountsByDomain };

// SystemModstamp never shows a deleted account: a full pull once a day forgets them.
const FULL_PULL_EVERY_MS = 24 * 3_600_000;

/**
 * The Salesforce reference data routing needs (users, queues, the account index), loaded on first
 * use and kept for the life of this object: a sync cycle makes one, a worker refreshes it after
 * `maxAgeMs` so new users and accounts are seen without a query per lead.
 */
export class SalesforceLookups {
  readonly #conn: Connection;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #loaded: Promise<{ directory: SalesforceDirectory; accounts: AccountsByDomain }> | undefined;
  #loadedAt = 0;

  readonly #store: AccountIndexStore | undefined;

  constructor(conn: Connection, options: { maxAgeMs?: number; now?: () => number; accountIndex?: AccountIndexStore } = {}) {
    this.#conn = conn;
    this.#store = options.accountIndex;
    this.#maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  get(): Promise<{ directory: SalesforceDirectory; accounts: AccountsByDomain }> {
    if (this.#loaded && this.#now() - this.#loadedAt > this.#maxAgeMs) this.#loaded = undefined;
    if (!this.#loaded) {
      const refresh = this.#loadedAt > 0;
      this.#loadedAt = this.#now();
      this.#loaded = (async () => {
        const directory = await loadDirectory(this.#conn, { refresh });
        return { directory, accounts: await this.#accounts() };
      })();
      this.#loaded.catch(() => (this.#loaded = undefined));
    }
    return this.#loaded;
  }

  /** With a store: the accounts changed since the last pull, applied to the stored index; without: all of them. */
  async #accounts(): Promise<AccountsByDomain> {
    if (!this.#store) {
      const accounts: AccountsByDomain = new Map();
      for (const a of (await pullAccountIndex(this.#conn, 0)).accounts) if (a.domain) accounts.set(a.domain, { accountId: a.accountId, ownerId: a.ownerId });
      return accounts;
    }
    const cursor = await this.#store.cursor();
    const now = this.#now();
    const full = !cursor || now - cursor.fullAt > FULL_PULL_EVERY_MS;
    const pulled = await pullAccountIndex(this.#conn, full ? 0 : cursor.since);
    await this.#store.apply(pulled.accounts, { since: Math.max(pulled.newest, cursor?.since ?? 0), fullAt: full ? now : cursor.fullAt }, { full });
    return this.#store.load();
  }
}

/** The caller's lookups (a worker keeps one), else fresh ones for this run over the stored account index. */
export function lookupsFor(deps: { salesforce: Connection; lookups?: SalesforceLookups; accountIndex?: AccountIndexStore }): SalesforceLookups {
  return deps.lookups ?? new SalesforceLookups(deps.salesforce, deps.accountIndex ? { accountIndex: deps.accountIndex } : {});
}
