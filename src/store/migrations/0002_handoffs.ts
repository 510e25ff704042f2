import { sql, type Kysely } from 'kysely';

/** Every hand-off to sales: the SLA clock and the closed-loop reports read it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('handoffs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('hubspot_contact_id', 'text', (c) => c.notNull())
    .addColumn('handoff_key', 'text', (c) => c.notNull())
    .addColumn('handed_off_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('salesforce_object', 'text', (c) => c.notNull().check(sql`salesforce_object in ('Lead', 'Contact')`))
    .addColumn('salesforce_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('created', 'adopted', 'existing_contact')`))
    .addColumn('owner_kind', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('campaign', 'text')
    .addUniqueConstraint('handoffs_contact_key_unique', ['hubspot_contact_id', 'handoff_key'])
    .execute();
  await db.schema.createIndex('handoffs_source_idx').on('handoffs').columns(['source', 'handed_off_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('handoffs').execute();
}
