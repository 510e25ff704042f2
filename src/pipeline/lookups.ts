import type { Connection } from 'jsforce';
import { loadDirectory, type SalesforceDirectory } from '../salesforce/directory.ts';
import { pullAccountIndex } from '../salesforce/accountIndex.ts';

export type AccountsByDomain = Map<string, { accountId: string; ownerId: string }>;

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

  constructor(conn: Connection, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.#conn = conn;
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
        const accounts: AccountsByDomain = new Map();
        for (const a of (await pullAccountIndex(this.#conn, 0)).accounts) accounts.set(a.domain, { accountId: a.accountId, ownerId: a.ownerId });
        return { directory, accounts };
      })();
      this.#loaded.catch(() => (this.#loaded = undefined));
    }
    return this.#loaded;
  }
}
