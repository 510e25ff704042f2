import { sql, type Kysely } from 'kysely';

/**
 * What leadloop saw of each contact, kept in the ledger rather than in Redis (a cache that can lose
 * its data and must not grow with every contact ever seen): the input fingerprint that lets an
 * unchanged contact (and leadloop's own write-back) be skipped, and the changes leadloop observed
 * (recency for lifetime counters). Deleted, merged-away and erased contacts lose their row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contact_state')
    .addColumn('hubspot_contact_id', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text')
    .addColumn('observed', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contact_state').execute();
}
