import { sql, type Kysely } from 'kysely';

/**
 * The latest score of every contact leadloop scored, and when decay alone could next change its
 * grade or MQL state: the daily rescore reads only the contacts that are due.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contact_scores')
    .addColumn('hubspot_contact_id', 'text', (c) => c.primaryKey())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull().check(sql`grade in ('hot', 'warm', 'cold')`))
    .addColumn('mql', 'boolean', (c) => c.notNull())
    .addColumn('scored_at', 'timestamptz', (c) => c.notNull())
    .addColumn('config_version', 'text', (c) => c.notNull())
    .addColumn('review_at', 'timestamptz')
    .execute();
  // Partial: most contacts never need a review (nothing decaying), and the rescore pages through the due ones in this order.
  await db.schema.createIndex('contact_scores_review_idx').on('contact_scores').columns(['review_at', 'hubspot_contact_id']).where('review_at', 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contact_scores').execute();
}
