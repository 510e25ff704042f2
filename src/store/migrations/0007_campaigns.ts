import { sql, type Kysely } from 'kysely';

/**
 * The Salesforce Campaigns the feedback sees (those its hand-offs and opportunities name), as last
 * read: name, type, costs (ActualCost, BudgetedCost) and Salesforce's own won roll-ups
 * (NumberOfWonOpportunities, AmountWonOpportunities, in the campaign's currency), for the report.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('campaign_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('actual_cost', 'numeric')
    .addColumn('budgeted_cost', 'numeric')
    .addColumn('won_opportunities', 'integer')
    .addColumn('won_amount', 'numeric')
    .addColumn('pulled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Hand-offs grouped by the campaign they carried (the campaign figures).
  await db.schema.createIndex('handoffs_campaign_idx').on('handoffs').column('campaign').where(sql.ref('campaign'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('handoffs_campaign_idx').execute();
  await db.schema.dropTable('campaigns').execute();
}
