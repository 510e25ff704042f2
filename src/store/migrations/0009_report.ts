import { sql, type Kysely } from 'kysely';

/**
 * What the closed-loop report needs that the ledger did not keep:
 * - `contact_scores.source` and `.campaign`: HubSpot's lead_source and the campaign property
 *   (mapping.yaml campaign.name_from) when the contact was scored, so a contact scored but never
 *   handed off still counts in the funnel of its source (decisions and hand-offs exist only for
 *   hand-offs). Rows scored before this migration have neither and count under `(none)`;
 * - an index on the hand-off time: `report --since/--until` filter on it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contact_scores').addColumn('source', 'text').execute();
  await db.schema.alterTable('contact_scores').addColumn('campaign', 'text').execute();
  await db.schema.createIndex('handoffs_handed_off_at_idx').on('handoffs').column('handed_off_at').execute();
  await db.schema.createIndex('contact_scores_scored_at_idx').on('contact_scores').column('scored_at').execute();
  // The report joins each opportunity's contacts to their hand-offs; a lost one's reason is ranked.
  await db.schema.createIndex('opportunities_live_outcome_idx').on('opportunities').column('outcome').where(sql.ref('deleted_at'), 'is', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('opportunities_live_outcome_idx').execute();
  await db.schema.dropIndex('contact_scores_scored_at_idx').execute();
  await db.schema.dropIndex('handoffs_handed_off_at_idx').execute();
  await db.schema.alterTable('contact_scores').dropColumn('campaign').execute();
  await db.schema.alterTable('contact_scores').dropColumn('source').execute();
}
