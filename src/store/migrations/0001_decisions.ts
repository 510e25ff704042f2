import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('decisions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('hubspot_contact_id', 'text', (c) => c.notNull())
    .addColumn('handoff_key', 'text', (c) => c.notNull().defaultTo('first'))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('config_version', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull().check(sql`grade in ('hot', 'warm', 'cold')`))
    .addColumn('mql', 'boolean', (c) => c.notNull())
    .addColumn('handoff', 'boolean', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('owner_email', 'text')
    .addColumn('rule', 'text')
    .addColumn('notify', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('trace', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('salesforce_id', 'text')
    .addUniqueConstraint('decisions_contact_handoff_unique', ['hubspot_contact_id', 'handoff_key'])
    .execute();
  await db.schema.createIndex('decisions_decided_at_idx').on('decisions').column('decided_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('decisions').execute();
}
