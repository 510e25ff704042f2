import { sql, type Kysely } from 'kysely';
import type { LedgerSchema, NewContactScore } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement (9 a row); a sync page is far below.
const ROWS_PER_STATEMENT = 5_000;

/**
 * Upserts the latest score of each contact, one statement per page. A row scored later than
 * this one (a hand-off that overtook a sync page) is kept: the newer score stands.
 */
export async function recordScores(db: Kysely<LedgerSchema>, rows: readonly NewContactScore[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await db
      .insertInto('contact_scores')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) =>
        oc
          .column('hubspot_contact_id')
          .doUpdateSet((eb) => ({
            score: eb.ref('excluded.score'),
            grade: eb.ref('excluded.grade'),
            mql: eb.ref('excluded.mql'),
            scored_at: eb.ref('excluded.scored_at'),
            config_version: eb.ref('excluded.config_version'),
            review_at: eb.ref('excluded.review_at'),
            // A write that does not know the source (none given) keeps the one recorded.
            source: sql<string | null>`coalesce(excluded.source, contact_scores.source)`,
            campaign: sql<string | null>`coalesce(excluded.campaign, contact_scores.campaign)`,
          }))
          .where('contact_scores.scored_at', '<=', (eb) => eb.ref('excluded.scored_at')),
      )
      .execute();
  }
}
