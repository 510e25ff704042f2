import pg from 'pg';
import { postgresAnswers, TEST_DATABASE_URL } from '../../test/support/postgres.ts';

export { postgresAnswers, TEST_DATABASE_URL };

/**
 * A PostgreSQL database of the scenario's own, for a ledger that several leadloop processes share.
 *
 * Why a database and not a schema (as the in-process tests use): a leadloop process takes its
 * ledger from DATABASE_URL alone, and in `public` — the schema option exists for in-process
 * compositions only (src/store/ledger.ts) — and its migration table is `public.kysely_migration`
 * even when the URL sets another search_path. So processes started from the command line get a
 * database nobody else uses, created on the server of TEST_DATABASE_URL and dropped afterwards.
 */
export class ScenarioDatabase {
  readonly name: string;
  readonly url: string;
  readonly #adminUrl: string;

  private constructor(name: string, url: string, adminUrl: string) {
    this.name = name;
    this.url = url;
    this.#adminUrl = adminUrl;
  }

  static async create(label: string, adminUrl = TEST_DATABASE_URL): Promise<ScenarioDatabase> {
    const name = `chaos_${label.replace(/\W/g, '_').toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await run(adminUrl, `create database "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new ScenarioDatabase(name, url.toString(), adminUrl);
  }

  /** One query on this database (the test reads the ledger with it). */
  async query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** Drops this database only (its connections, if any are left, are closed first). */
  async drop(): Promise<void> {
    await run(this.#adminUrl, `drop database if exists "${this.name}" with (force)`);
  }
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
