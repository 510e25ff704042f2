import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** Drops the scores of contacts HubSpot no longer has (deleted or merged away); returns how many rows went. */
export async function forgetContactScores(db: Kysely<LedgerSchema>, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('contact_scores')
    .where('hubspot_contact_id', 'in', [...ids])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
