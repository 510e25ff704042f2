/**
 * What the benchmarks share: leadloop composed as `start` composes it (src/app.ts), against a
 * sandbox, under a prefix and a ledger of the run's own, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { compose, type App } from '../src/app.ts';
import { loadEnv, type Env } from '../src/config/env.ts';
import { redisAnswers as answers } from '../src/cli/demo-redis.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { createRedisConnection } from '../src/queue/connection.ts';
import { deleteKeysUnder } from '../src/redis-keys.ts';
import type { SandboxConnectionInfo } from '../src/sandbox/server.ts';
import { openLedger, type Ledger } from '../src/store/ledger.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CONFIG_DIR = join(import.meta.dirname, '../config');

export interface BenchApp {
  app: App;
  env: Env;
  prefix: string;
  ledgerKind: 'postgres' | 'pglite';
  dispose(): Promise<void>;
}

/**
 * leadloop against the sandbox `info` describes: the sandbox's direct Salesforce session, HubSpot
 * set up. With `postgres`, the ledger goes to PostgreSQL (BENCH_DATABASE_URL or the local one) in a
 * schema of this run's own when it answers, as deployed; else the embedded PGlite.
 */
export async function benchApp(info: SandboxConnectionInfo, options: { label: string; postgres?: boolean; configDir?: string; setup?: boolean; now?: () => number }): Promise<BenchApp> {
  const prefix = `bench-${options.label}-${Date.now()}`;
  const dataDir = mkdtempSync(join(tmpdir(), `leadloop-bench-${options.label}-`));
  const pgUrl = BENCH_PG_URL;
  const schema = `bench_${options.label.replace(/\W/g, '_')}_${process.pid}`;
  const usePostgres = options.postgres === true && (await postgresAnswers(pgUrl));
  const env = loadEnv(
    {
      ...info.env,
      SALESFORCE_ACCESS_TOKEN: info.salesforce.accessToken,
      REDIS_URL,
      LEADLOOP_PREFIX: prefix,
      LEADLOOP_CONFIG_DIR: options.configDir ?? CONFIG_DIR,
      LEADLOOP_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...(usePostgres ? { DATABASE_URL: pgUrl } : {}),
    },
    { needs: ['hubspot', 'salesforce', 'webhooks', 'server'] },
  );
  // `now`: leadloop's clock, the sandbox's when the bench moves the sandbox's time (bench/feedback.ts).
  const app = await compose(env, { ...(usePostgres ? { ledgerSchema: schema } : {}), ...(options.now ? { now: options.now } : {}) });
  if (options.setup !== false) await setupHubSpot(app.hubspot, app.deals, app.config.mapping);
  return {
    app,
    env,
    prefix,
    ledgerKind: usePostgres ? 'postgres' : 'pglite',
    async dispose() {
      await app.close();
      await dropDemoState(prefix);
      if (usePostgres) await sql(pgUrl, `drop schema if exists "${schema}" cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes a run's keys (its own prefix) from Redis. */
export async function dropDemoState(prefix: string): Promise<void> {
  const redis = createRedisConnection({ url: REDIS_URL }, 'client');
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Whether Redis answers at REDIS_URL (a bench without it prints `skipped`). */
export function redisAnswers(): Promise<boolean> {
  return answers(REDIS_URL);
}

/** The PostgreSQL a ledger benchmark uses: BENCH_DATABASE_URL, else the tests' one, else the local one. */
export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.LEADLOOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether a PostgreSQL answers at `url` (benchmarks fall back to PGlite alone when none does). */
export async function postgresAnswers(url: string): Promise<boolean> {
  try {
    await sql(url, 'select 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `measure` on each kind of ledger: PostgreSQL in a schema of its own (dropped afterwards;
 * skipped, and said so, when none answers) and PGlite in a temp folder (removed afterwards).
 */
export async function onEachLedger<T>(label: string, measure: (open: () => Promise<Ledger>) => Promise<T>): Promise<{ postgres: T | { skipped: string }; pglite: T }> {
  let postgres: T | { skipped: string };
  if (await postgresAnswers(BENCH_PG_URL)) {
    const schema = `bench_${label}_${process.pid}`;
    postgres = await measure(() => openLedger({ databaseUrl: BENCH_PG_URL, schema }));
    await sql(BENCH_PG_URL, `drop schema if exists "${schema}" cascade`);
    console.log(`PostgreSQL: ${JSON.stringify(postgres)}`);
  } else postgres = { skipped: `PostgreSQL at ${new URL(BENCH_PG_URL).host} does not answer` };
  const dataDir = mkdtempSync(join(tmpdir(), `leadloop-bench-${label}-`));
  try {
    const pglite = await measure(() => openLedger({ dataDir }));
    console.log(`PGlite: ${JSON.stringify(pglite)}`);
    return { postgres, pglite };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sql(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}
