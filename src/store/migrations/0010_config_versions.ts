import { sql, type Kysely } from 'kysely';

/**
 * Decisions you can look back on:
 * - `config_versions`: every config a process ran with, keyed by the content hash decisions record
 *   in `config_version`, with the four files' text and when it was first seen;
 * - `decision_traces`: what each decision was made from and how (the contact's inputs, the score's
 *   components, the routing path with the account match it used, what was written where), one per
 *   contact and hand-off key. A separate table so retention and privacy deletion remove traces and
 *   inputs while the decision rows the reports read stay whole. `kind` says what the evaluation
 *   became: a hand-off, held back at install, or scored only (the latest such evaluation is kept
 *   until the contact is handed off under that key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('config_versions')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('files', 'jsonb', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('decision_traces')
    .addColumn('hubspot_contact_id', 'text', (c) => c.notNull())
    .addColumn('handoff_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('handoff', 'held-back', 'scored')`))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
    .addColumn('config_version', 'text', (c) => c.notNull())
    .addColumn('inputs', 'jsonb', (c) => c.notNull())
    .addColumn('trace', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('decision_traces_pk', ['hubspot_contact_id', 'handoff_key'])
    .execute();
  // Retention prunes by age; simulate reads in decision order.
  await db.schema.createIndex('decision_traces_decided_at_idx').on('decision_traces').column('decided_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('decision_traces').execute();
  await db.schema.dropTable('config_versions').execute();
}
