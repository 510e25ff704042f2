import { sql, type Kysely } from 'kysely';

/**
 * The SLA clock of each hand-off (`sla_clocks`, one row per `handoffs` row that has an SLA):
 * - who it counts for (the owner at hand-off, by id and by the email routing.yaml knows them by, and
 *   that owner's team), the policy that set it
 *   (`hot: 1 hour`, a cohort's name) and when the reminder and the breach fall, in wall-clock time
 *   computed in the owner's working hours;
 * - the first touch (when, by whom, what: a completed task, a past event, a status change out of
 *   the initial status, a conversion) that stopped it;
 * - what happened at the reminder and at a breach (each recorded once), and a restart when a person
 *   reassigned the lead (the clock then counts for the new owner from that time).
 * `assigned_owner_id` is the Salesforce owner leadloop last set: a breach reassigns only while the
 * lead still has it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sla_clocks')
    .addColumn('handoff_id', 'bigint', (c) => c.primaryKey().references('handoffs.id').onDelete('cascade'))
    .addColumn('hubspot_contact_id', 'text', (c) => c.notNull())
    .addColumn('salesforce_object', 'text', (c) => c.notNull())
    .addColumn('salesforce_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('owner_label', 'text')
    .addColumn('team', 'text')
    .addColumn('temperature', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('remind_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('assigned_owner_id', 'text', (c) => c.notNull())
    .addColumn('first_touch_at', 'timestamptz')
    .addColumn('first_touch_by', 'text')
    .addColumn('first_touch_kind', 'text', (c) => c.check(sql`first_touch_kind in ('task', 'event', 'status', 'converted')`))
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('breached_at', 'timestamptz')
    .addColumn('escalation', 'jsonb')
    .addColumn('restarted_at', 'timestamptz')
    .addColumn('checked_at', 'timestamptz')
    .execute();
  // The clocks still running (the sweep and the first-touch reads take only those).
  await db.schema.createIndex('sla_clocks_open_idx').on('sla_clocks').column('due_at').where(sql.ref('first_touch_at'), 'is', null).execute();
  await db.schema.createIndex('sla_clocks_owner_idx').on('sla_clocks').columns(['owner_id', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sla_clocks').execute();
}
