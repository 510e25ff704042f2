import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** When leadloop first saw a contact (its first sync): the install time; undefined before the first sync wrote anything. */
export async function installedAt(db: Kysely<LedgerSchema>): Promise<number | undefined> {
  const row = await db.selectFrom('contact_state').select(sql<Date | string | null>`min(seen_at)`.as('first')).executeTakeFirst();
  return row?.first ? new Date(row.first).getTime() : undefined;
}
