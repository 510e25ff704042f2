import { sql, type Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

export interface IndexedAccountRow {
  accountId: string;
  domain: string | null;
  ownerId: string;
  modifiedAt: number;
}

// PostgreSQL takes at most 65,535 parameters a statement (5 a row).
const ROWS_PER_STATEMENT = 2_000;

/**
 * The Salesforce account index in the ledger — normalised website domain → account and owner —
 * so routing matches accounts without a query per lead, each cycle pulls only the accounts
 * changed since the last one, and only the domains a batch needs are read. A full pull now and
 * then catches deleted accounts, which SystemModstamp never shows: the rows it did not see go.
 */
export class AccountIndexTable {
  readonly #db: Kysely<LedgerSchema>;

  constructor(db: Kysely<LedgerSchema>) {
    this.#db = db;
  }

  /** Where the last pull ended (newest SystemModstamp) and when the last full pull ran; undefined before the first. */
  async cursor(): Promise<{ since: number; fullAt: number } | undefined> {
    const row = await this.#db.selectFrom('account_index_state').select(['since', 'full_at']).where('id', '=', 1).executeTakeFirst();
    return row ? { since: new Date(row.since).getTime(), fullAt: new Date(row.full_at).getTime() } : undefined;
  }

  /** Stores one page of pulled accounts (the newer version of an account wins); `pulledAt` marks them seen by this pull. */
  async apply(accounts: readonly IndexedAccountRow[], pulledAt: number): Promise<void> {
    for (let i = 0; i < accounts.length; i += ROWS_PER_STATEMENT) {
      await this.#db
        .insertInto('account_index')
        .values(
          accounts
            .slice(i, i + ROWS_PER_STATEMENT)
            .map((a) => ({ account_id: a.accountId, domain: a.domain, owner_id: a.ownerId, modified_at: new Date(a.modifiedAt), pulled_at: new Date(pulledAt) })),
        )
        .onConflict((oc) =>
          oc.column('account_id').doUpdateSet((eb) => ({
            domain: eb.ref('excluded.domain'),
            owner_id: eb.ref('excluded.owner_id'),
            modified_at: eb.ref('excluded.modified_at'),
            // Never back: a slower pull that started earlier must not make a row look unseen to a full pull.
            pulled_at: sql<Date>`greatest(account_index.pulled_at, excluded.pulled_at)`,
          })),
        )
        .execute();
    }
  }

  /** Ends a pull: saves where it stands; a full pull also removes the accounts it did not see since `pulledAt`. */
  async finish(cursor: { since: number; fullAt: number }, options: { full: boolean; pulledAt: number }): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      if (options.full) await tx.deleteFrom('account_index').where('pulled_at', '<', new Date(options.pulledAt)).execute();
      await tx
        .insertInto('account_index_state')
        .values({ id: 1, since: new Date(cursor.since), full_at: new Date(cursor.fullAt) })
        .onConflict((oc) => oc.column('id').doUpdateSet({ since: new Date(cursor.since), full_at: new Date(cursor.fullAt) }))
        .execute();
    });
  }

  /** The account of each of these domains; where several accounts share a domain, the one changed last. */
  async lookup(domains: readonly string[]): Promise<Map<string, { accountId: string; ownerId: string }>> {
    const wanted = [...new Set(domains)];
    if (wanted.length === 0) return new Map();
    const rows = await this.#db.selectFrom('account_index').select(['domain', 'account_id', 'owner_id']).where('domain', 'in', wanted).orderBy('modified_at').orderBy('account_id').execute();
    // Ordered oldest first: the last row of a domain is the account changed last.
    return new Map(rows.map((r) => [r.domain!, { accountId: r.account_id, ownerId: r.owner_id }]));
  }
}
