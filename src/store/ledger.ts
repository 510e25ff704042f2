import { accessSync, constants, mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { LedgerUnavailable } from '../errors/index.ts';
import { lockFolder, type LockHolder } from './folder-lock.ts';
import { migrationProvider } from './migrations/index.ts';
import type { LedgerSchema } from './schema.ts';

export interface LedgerOptions {
  /** PostgreSQL URL; when absent, an embedded PGlite database lives in `dataDir`. */
  databaseUrl?: string;
  /** Folder of the embedded database (LEADLOOP_DATA_DIR, default ./data; README.md#configuration-environment). */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); tests use one per run. Default `public`. */
  schema?: string;
  /**
   * What this process is, told to another process that finds the embedded ledger in use.
   * Default: its command line (`leadloop start --role worker`, `leadloop sync leads --once`).
   */
  role?: string;
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
  const { dialect, kind, where, release } = options.databaseUrl ? postgresDialect(options.databaseUrl, schema) : await pgliteDialect(options.dataDir ?? './data', options.role ?? commandLine());
  const db = new Kysely<LedgerSchema>({ dialect });
  try {
    if (kind === 'postgres' && schema !== 'public') await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    await migrate(db, schema);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    await release();
    if (error instanceof LedgerUnavailable) throw error;
    throw new LedgerUnavailable(`cannot open the ledger database at ${where}: ${describe(error)}`, { cause: error });
  }
  return {
    db,
    kind,
    schema,
    async close() {
      try {
        await db.destroy();
      } finally {
        await release();
      }
    },
  };
}

async function migrate(db: Kysely<LedgerSchema>, schema: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new LedgerUnavailable(`ledger migration ${failed ?? ''} failed: ${describe(error)}`, { cause: error });
  }
}

interface Opened {
  dialect: Dialect;
  kind: 'postgres' | 'pglite';
  where: string;
  /** Gives the embedded ledger's folder back (nothing to give back for PostgreSQL). */
  release(): Promise<void>;
}

function postgresDialect(databaseUrl: string, schema: string): Opened {
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
  // PostgreSQL serves any number of processes: no lock.
  return { dialect: new PostgresDialect({ pool }), kind: 'postgres', where, release: async () => undefined };
}

/**
 * The embedded ledger belongs to one process at a time: PGlite takes no lock of its own, and two
 * processes on one folder each keep their own copy of the database, the last to write its files
 * wiping what the other committed. The folder is locked (src/store/folder-lock.ts: the operating
 * system frees the lock when its holder dies, even by `kill -9`) before PGlite reads it.
 */
async function pgliteDialect(dataDir: string, role: string | undefined): Promise<Opened> {
  const folder = resolve(dataDir, 'ledger');
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new LedgerUnavailable(`the ledger data folder ${folder} is not writable (set LEADLOOP_DATA_DIR or DATABASE_URL): ${describe(error)}`, {
      cause: error,
    });
  }
  let attempt: Awaited<ReturnType<typeof lockFolder>>;
  try {
    attempt = await lockFolder(folder, role ? { role } : {});
  } catch (error) {
    throw new LedgerUnavailable(
      `cannot lock the embedded ledger in ${folder} (${describe(error)}): leadloop keeps a Unix socket in its .lock folder while it has it open. ` +
        'On a file system without Unix sockets (some network or VM mounts), put LEADLOOP_DATA_DIR on a local disk, or set DATABASE_URL to a PostgreSQL database.',
      { cause: error },
    );
  }
  if (!attempt.ok) throw new LedgerUnavailable(inUse(folder, attempt.holder));
  const { lock } = attempt;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(folder);
  } catch (error) {
    await lock.release();
    // PGlite fails with "PGlite failed to initialize properly", or aborts (RuntimeError: Aborted()).
    throw new LedgerUnavailable(
      `the embedded ledger in ${folder} cannot be opened: its files are damaged or are not a PGlite database (${describe(error)}). ` +
        `leadloop changed nothing in the folder. Move it aside (\`mv ${folder} ${folder}.damaged\`) to start with an empty ledger, ` +
        'or restore the folder from a backup; or set DATABASE_URL to a PostgreSQL database.',
      { cause: error },
    );
  }
  return { dialect: new PGliteDialect(pglite), kind: 'pglite', where: `embedded PGlite in ${folder}`, release: lock.release };
}

/** The message for a folder another open holds: who holds it, and the way out. */
function inUse(folder: string, holder: LockHolder): string {
  const self = holder.pid === process.pid;
  const who = [holder.pid ? `pid ${holder.pid}` : 'pid unknown', holder.role ? `"${holder.role}"` : '', holder.since ? `since ${holder.since}` : '', holder.answered ? '' : 'not answering']
    .filter(Boolean)
    .join(', ');
  const what = self
    ? `is already open in this process (${who}): close that ledger before opening it again`
    : holder.holding
      ? `is in use by another process (${who}): stop that process`
      : `is being opened by another process at the same moment (${who}): stop one of them`;
  return (
    `the embedded ledger in ${folder} ${what}, ` +
    'or set DATABASE_URL to a PostgreSQL database. The embedded ledger belongs to one process at a time; ' +
    'several processes (a worker and a server, or `--once` beside a worker) need PostgreSQL.'
  );
}

/** `leadloop start --role worker`, `leadloop sync leads --once`: what this process was started to do. */
function commandLine(): string | undefined {
  const script = process.argv[1]
    ? basename(process.argv[1])
        .replace(/\.[cm]?[jt]s$/, '')
        .replace(/^cli$/, 'leadloop')
    : '';
  const line = [script, ...process.argv.slice(2)].filter(Boolean).join(' ');
  return line ? line.slice(0, 120) : undefined;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code} ${error.message}` : error.message;
  return String(error);
}
