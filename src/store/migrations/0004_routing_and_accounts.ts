import { sql, type Kysely } from 'kysely';

/**
 * Two things the ledger now holds rather than Redis, which is a cache that can lose its data:
 * - each decision records the team rotation it moved, so round-robin positions (and today's loads,
 *   from `decided_at` and the owner) can be rebuilt from the ledger when Redis has none;
 * - the Salesforce account index (website domain → account and owner) for routing, read a few
 *   domains at a time instead of loaded whole, so an org of a million accounts costs no memory.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('decisions').addColumn('rotation_team', 'text').execute();
  await db.schema.alterTable('decisions').addColumn('rotation_next', 'integer').execute();
  await db.schema
    .createTable('account_index')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('domain', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('pulled_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_index_domain_idx').on('account_index').columns(['domain', 'modified_at']).where(sql.ref('domain'), 'is not', null).execute();
  await db.schema
    .createTable('account_index_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('full_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_index_state').execute();
  await db.schema.dropTable('account_index').execute();
  await db.schema.alterTable('decisions').dropColumn('rotation_next').execute();
  await db.schema.alterTable('decisions').dropColumn('rotation_team').execute();
}
