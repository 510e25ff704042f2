import { sql, type Kysely } from 'kysely';

/**
 * What sales did with the leads leadloop handed off (the feedback):
 * - `lead_status_changes`: each Lead Status change, classed by mapping.yaml (accepted = SQL,
 *   disqualified with its reason, recycled, open), dated by LeadHistory or, where Status history
 *   is not tracked, by SystemModstamp (`approximated`);
 * - `opportunities`: each opportunity as last pulled, with its outcome, its attribution (one source
 *   and one campaign) and how it found its contacts (`link_path`, 'unlinked' when nobody); a
 *   deleted one keeps its row with `deleted_at` and leaves the figures; `deal_fingerprint` is what
 *   the HubSpot deal last written carries;
 * - `opportunity_stage_history`: its OpportunityHistory stages;
 * - `opportunity_contacts`: opportunity ↔ HubSpot contact, many to many;
 * - `contact_keys`: what an opportunity finds a handed-off contact by — a hash of its email and the
 *   domains of its email and website (never the address itself).
 * A privacy deletion deletes a contact's keys and replaces its id in the other tables with a token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lead_status_changes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('hubspot_contact_id', 'text')
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_class', 'text', (c) => c.notNull().check(sql`status_class in ('accepted', 'disqualified', 'recycled', 'open')`))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('approximated', 'boolean', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('lead_status_changes_unique', ['lead_id', 'status', 'changed_at'])
    .execute();
  await db.schema.createIndex('lead_status_changes_contact_idx').on('lead_status_changes').column('hubspot_contact_id').execute();

  await db.schema
    .createTable('opportunities')
    .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('is_closed', 'boolean', (c) => c.notNull())
    .addColumn('is_won', 'boolean', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('open', 'won', 'lost')`))
    .addColumn('reopened', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('times_closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('amount', 'numeric')
    .addColumn('currency', 'text')
    .addColumn('close_date', 'date')
    .addColumn('loss_reason', 'text')
    .addColumn('competitor', 'text')
    .addColumn('competitors_met', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('campaign_id', 'text')
    .addColumn('attributed_source', 'text')
    .addColumn('attributed_campaign', 'text')
    .addColumn('link_path', 'text', (c) => c.notNull().check(sql`link_path in ('converted-lead', 'contact-role-external-id', 'contact-role-email', 'account-domain', 'unlinked')`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('deal_fingerprint', 'text')
    .addColumn('system_modstamp', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opportunities_source_idx').on('opportunities').columns(['attributed_source', 'outcome']).execute();
  await db.schema.createIndex('opportunities_campaign_idx').on('opportunities').columns(['attributed_campaign', 'outcome']).execute();
  await db.schema.createIndex('opportunities_unlinked_idx').on('opportunities').column('opportunity_id').where(sql.ref('link_path'), '=', 'unlinked').execute();

  await db.schema
    .createTable('opportunity_stage_history')
    .addColumn('opportunity_id', 'text', (c) => c.notNull().references('opportunities.opportunity_id').onDelete('cascade'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('is_closed', 'boolean', (c) => c.notNull())
    .addColumn('is_won', 'boolean', (c) => c.notNull())
    .addColumn('amount', 'numeric')
    .addColumn('close_date', 'date')
    .addPrimaryKeyConstraint('opportunity_stage_history_pk', ['opportunity_id', 'changed_at', 'stage'])
    .execute();

  await db.schema
    .createTable('opportunity_contacts')
    .addColumn('opportunity_id', 'text', (c) => c.notNull().references('opportunities.opportunity_id').onDelete('cascade'))
    .addColumn('hubspot_contact_id', 'text', (c) => c.notNull())
    .addColumn('link_path', 'text', (c) => c.notNull().check(sql`link_path in ('converted-lead', 'contact-role-external-id', 'contact-role-email', 'account-domain')`))
    .addPrimaryKeyConstraint('opportunity_contacts_pk', ['opportunity_id', 'hubspot_contact_id'])
    .execute();
  await db.schema.createIndex('opportunity_contacts_contact_idx').on('opportunity_contacts').column('hubspot_contact_id').execute();

  await db.schema
    .createTable('contact_keys')
    .addColumn('hubspot_contact_id', 'text', (c) => c.primaryKey())
    .addColumn('email_key', 'text')
    .addColumn('email_domain', 'text')
    .addColumn('website_domain', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_keys_email_idx').on('contact_keys').column('email_key').where(sql.ref('email_key'), 'is not', null).execute();
  await db.schema.createIndex('contact_keys_email_domain_idx').on('contact_keys').column('email_domain').where(sql.ref('email_domain'), 'is not', null).execute();
  await db.schema.createIndex('contact_keys_website_domain_idx').on('contact_keys').column('website_domain').where(sql.ref('website_domain'), 'is not', null).execute();
  // The earliest hand-off of each contact (attribution) and "was this contact handed off" (linking).
  await db.schema.createIndex('handoffs_contact_time_idx').on('handoffs').columns(['hubspot_contact_id', 'handed_off_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('handoffs_contact_time_idx').execute();
  await db.schema.dropTable('contact_keys').execute();
  await db.schema.dropTable('opportunity_contacts').execute();
  await db.schema.dropTable('opportunity_stage_history').execute();
  await db.schema.dropTable('opportunities').execute();
  await db.schema.dropTable('lead_status_changes').execute();
}
