import type { AccountMatch } from '../domain/routing/types.ts';
import type { OwnerDirectory } from '../domain/handoff/types.ts';
import type { AccountIndexPort, LeadSink } from './ports.ts';

// SystemModstamp never shows a deleted account: a full pull once a day forgets them.
const FULL_PULL_EVERY_MS = 24 * 3_600_000;

/**
 * The Salesforce reference data routing needs — users and queues, and the account index — read
 * on first use and kept for the life of this object: a sync cycle makes one, a worker refreshes it
 * after `maxAgeMs` so new users and accounts are seen without a query per lead. The account index
 * lives in the ledger and is brought up to date a page at a time (only the accounts changed since
 * the last pull, a full pull daily); routing then reads only the domains a batch needs.
 */
export class SalesforceLookups {
  readonly #leads: LeadSink;
  readonly #index: AccountIndexPort;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #loaded: Promise<OwnerDirectory> | undefined;
  #loadedAt = 0;

  constructor(leads: LeadSink, index: AccountIndexPort, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.#leads = leads;
    this.#index = index;
    this.#maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /** Users and queues; the account index is refreshed at the same time. */
  directory(): Promise<OwnerDirectory> {
    if (this.#loaded && this.#now() - this.#loadedAt > this.#maxAgeMs) this.#loaded = undefined;
    if (!this.#loaded) {
      const refresh = this.#loadedAt > 0;
      this.#loadedAt = this.#now();
      this.#loaded = (async () => {
        const directory = await this.#leads.directory({ refresh });
        await this.#refreshIndex();
        return directory;
      })();
      this.#loaded.catch(() => (this.#loaded = undefined));
    }
    return this.#loaded;
  }

  /** The accounts of these domains, with their owners' emails where the directory knows them. */
  async accounts(domains: readonly string[]): Promise<Map<string, AccountMatch>> {
    const directory = await this.directory();
    const found = await this.#index.lookup(domains);
    return new Map(
      [...found].map(([domain, a]) => {
        const ownerEmail = directory.emailsById.get(a.ownerId);
        return [domain, { accountId: a.accountId, ownerId: a.ownerId, ...(ownerEmail ? { ownerEmail } : {}) }];
      }),
    );
  }

  async #refreshIndex(): Promise<void> {
    const cursor = await this.#index.cursor();
    const pulledAt = this.#now();
    const full = !cursor || pulledAt - cursor.fullAt > FULL_PULL_EVERY_MS;
    let newest = full ? 0 : cursor.since;
    for await (const page of this.#leads.accountsChangedSince(newest)) {
      await this.#index.apply(page, pulledAt);
      for (const a of page) if (a.modifiedAt > newest) newest = a.modifiedAt;
    }
    await this.#index.finish({ since: newest, fullAt: full ? pulledAt : cursor.fullAt }, { full, pulledAt });
  }
}
