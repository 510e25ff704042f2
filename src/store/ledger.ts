import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { LedgerUnavailable } from '../errors/index.ts';
import { migrationProvider } from './migrations/index.ts';
import type { LedgerSchema } from './schema.ts';

export interface LedgerOptions {
  /** PostgreSQL URL; when absent, an embedded PGlite database lives in `dataDir`. */
  databaseUrl?: string;
  /** Folder of the embedded database (LEADLOOP_DATA_DIR, default ./data; README.md#configuration-environment). */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); tests use one per run. Default `public`. */
  schema?: string;
}

export interface Ledger {
  readonly db: Kysely<LedgerSchema>;
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the ledger and brings its tables up to date (migrations run at every start). */
export async function openLedger(options: LedgerOptions): Promise<Ledger> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new LedgerUnavailable(`invalid ledger schema name "${schema}"`);
  const { dialect, kind, where } = options.databaseUrl ? postgresDialect(options.databaseUrl, schema) : await pgliteDialect(options.dataDir ?? './data');
  const db = new Kysely<LedgerSchema>({ dialect });
  try {
    if (kind === 'postgres' && schema !== 'public') await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    await migrate(db, schema);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (error instanceof LedgerUnavailable) throw error;
    throw new LedgerUnavailable(`cannot open the ledger database at ${where}: ${describe(error)}`, { cause: error });
  }
  return { db, kind, schema, close: () => db.destroy() };
}

async function migrate(db: Kysely<LedgerSchema>, schema: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new LedgerUnavailable(`ledger migration ${failed ?? ''} failed: ${describe(error)}`, { cause: error });
  }
}

function postgresDialect(databaseUrl: string, schema: string): { dialect: Dialect; kind: 'postgres'; where: string } {
  const url = new URL(databaseUrl);
  // Name host, port and database only: the URL may carry a password.
  const where = `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 5,
    connectionTimeoutMillis: 5_000,
    options: `-c search_path=${schema}`,
  });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  return { dialect: new PostgresDialect({ pool }), kind: 'postgres', where };
}

async function pgliteDialect(dataDir: string): Promise<{ dialect: Dialect; kind: 'pglite'; where: string }> {
  const folder = resolve(dataDir, 'ledger');
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new LedgerUnavailable(`the ledger data folder ${folder} is not writable (set LEADLOOP_DATA_DIR or DATABASE_URL): ${describe(error)}`, {
      cause: error,
    });
  }
  const pglite = await PGlite.create(folder);
  return { dialect: new PGliteDialect(pglite), kind: 'pglite', where: `embedded PGlite in ${folder}` };
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code} ${error.message}` : error.message;
  return String(error);
}
