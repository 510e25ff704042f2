import pg from 'pg';

/** The PostgreSQL that integration tests may use: LEADLOOP_TEST_DATABASE_URL, else the machine's local one. */
export const TEST_DATABASE_URL = process.env.LEADLOOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether that PostgreSQL answers; tests on it are skipped (and say so) when it does not. */
export async function postgresAnswers(url = TEST_DATABASE_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name of this test run's own, so tests never touch anybody else's tables. */
export function uniqueSchema(tag: string): string {
  return `test_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Drops only the schema the test created. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replaceAll('"', '')}" cascade`);
  } finally {
    await client.end();
  }
}
