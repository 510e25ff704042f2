import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** Records a config version with its files the first time any process runs with it; later sightings change nothing. */
export async function recordConfigVersion(db: Kysely<LedgerSchema>, version: string, files: Readonly<Record<string, string>>, seenAt: number): Promise<void> {
  await db
    .insertInto('config_versions')
    .values({ version, files: JSON.stringify(files), first_seen_at: new Date(seenAt) })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

/** A stored config version: its files and when it was first seen. */
export async function findConfigVersion(db: Kysely<LedgerSchema>, version: string): Promise<{ version: string; files: Record<string, string>; firstSeenAt: number } | undefined> {
  const row = await db.selectFrom('config_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row ? { version: row.version, files: row.files, firstSeenAt: new Date(row.first_seen_at).getTime() } : undefined;
}
