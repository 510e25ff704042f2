import { type Kysely, sql } from 'kysely';
import type { LedgerCampaignFigures, StoredCampaign } from '../domain/feedback/campaigns.ts';
import type { LedgerSchema } from './schema.ts';

/**
 * What the Campaign figures come from: hand-offs by the campaign they carried (the show name at
 * hand-off) with how many of their contacts sales accepted (SQL, as the per-source figures count
 * it), and opportunities by attribution — the Primary Campaign Source's id where the ledger has it,
 * else the campaign's name — won and lost among the live ones (a deleted one keeps its group at zero).
 */
export async function campaignFigures(db: Kysely<LedgerSchema>): Promise<LedgerCampaignFigures> {
  const handoffs = await db
    .selectFrom('handoffs as h')
    .leftJoin(db.selectFrom('lead_status_changes').select('hubspot_contact_id').where('status_class', '=', 'accepted').distinct().as('a'), 'a.hubspot_contact_id', 'h.hubspot_contact_id')
    .select(['h.campaign', sql<string>`count(*)`.as('handoffs'), sql<string>`count(a.hubspot_contact_id)`.as('sql')])
    .where('h.campaign', 'is not', null)
    .groupBy('h.campaign')
    .execute();
  const opportunities = await db
    .selectFrom('opportunities')
    .select([
      'campaign_id',
      'attributed_campaign',
      sql<string>`count(*) filter (where deleted_at is null and outcome = 'won')`.as('won'),
      sql<string>`count(*) filter (where deleted_at is null and outcome = 'lost')`.as('lost'),
    ])
    .where((eb) => eb.or([eb('campaign_id', 'is not', null), eb('attributed_campaign', 'is not', null)]))
    .groupBy(['campaign_id', 'attributed_campaign'])
    .execute();
  return {
    handoffs: handoffs.map((h) => ({ campaign: h.campaign!, handoffs: Number(h.handoffs), sql: Number(h.sql) })),
    opportunities: opportunities.map((o) => ({ campaignId: o.campaign_id, campaign: o.attributed_campaign, won: Number(o.won), lost: Number(o.lost) })),
  };
}

/** Live opportunities linked to a handed-off contact with no Primary Campaign Source, and the campaign of their earliest hand-off. */
export async function opportunitiesLackingCampaign(db: Kysely<LedgerSchema>): Promise<{ opportunityId: string; campaign: string }[]> {
  const rows = await db
    .selectFrom('opportunities')
    .select(['opportunity_id', 'attributed_campaign'])
    .where('campaign_id', 'is', null)
    .where('attributed_campaign', 'is not', null)
    .where('deleted_at', 'is', null)
    .where('link_path', '!=', 'unlinked')
    .orderBy('opportunity_id')
    .execute();
  return rows.map((r) => ({ opportunityId: r.opportunity_id, campaign: r.attributed_campaign! }));
}

/** After their Primary Campaign Source was written: the opportunities carry it in the ledger too (a rerun does not write it again). */
export async function setOpportunityCampaigns(db: Kysely<LedgerSchema>, campaigns: readonly { opportunityId: string; campaignId: string }[]): Promise<void> {
  if (campaigns.length === 0) return;
  await db
    .updateTable('opportunities as o')
    .from(
      sql<{
        opportunity_id: string;
        campaign_id: string;
      }>`(select * from unnest(${sql.val(campaigns.map((c) => c.opportunityId))}::text[], ${sql.val(campaigns.map((c) => c.campaignId))}::text[]))`.as(sql`v(opportunity_id, campaign_id)`),
    )
    .set((eb) => ({ campaign_id: eb.ref('v.campaign_id') }))
    .whereRef('o.opportunity_id', '=', 'v.opportunity_id')
    .where('o.campaign_id', 'is', null)
    .execute();
}

/** Stores what Salesforce holds of these campaigns (name, type, costs, won roll-ups), replacing what was read before. */
export async function recordCampaigns(db: Kysely<LedgerSchema>, campaigns: readonly StoredCampaign[], at: number): Promise<void> {
  if (campaigns.length === 0) return;
  await db
    .insertInto('campaigns')
    .values(
      campaigns.map((c) => ({
        campaign_id: c.campaignId,
        name: c.name,
        type: c.type,
        actual_cost: c.actualCost,
        budgeted_cost: c.budgetedCost,
        won_opportunities: c.wonOpportunities,
        won_amount: c.wonAmount,
        pulled_at: new Date(at),
      })),
    )
    .onConflict((oc) =>
      oc.column('campaign_id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        type: eb.ref('excluded.type'),
        actual_cost: eb.ref('excluded.actual_cost'),
        budgeted_cost: eb.ref('excluded.budgeted_cost'),
        won_opportunities: eb.ref('excluded.won_opportunities'),
        won_amount: eb.ref('excluded.won_amount'),
        pulled_at: eb.ref('excluded.pulled_at'),
      })),
    )
    .execute();
}

/** Every campaign the ledger holds, by name. */
export async function storedCampaigns(db: Kysely<LedgerSchema>): Promise<StoredCampaign[]> {
  const rows = await db.selectFrom('campaigns').selectAll().orderBy('name').orderBy('campaign_id').execute();
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    campaignId: r.campaign_id,
    name: r.name,
    type: r.type,
    actualCost: num(r.actual_cost),
    budgetedCost: num(r.budgeted_cost),
    wonOpportunities: r.won_opportunities,
    wonAmount: num(r.won_amount),
  }));
}
