import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';

/** What the report covers: hand-offs at or after `since` and before `until`; `now` decides which untouched SLA clocks are past due. */
export interface ReportScope {
  since: Date | null;
  until: Date | null;
  now: Date;
  /** lead_source values whose hand-offs are trade-show scans: their campaign is a show. */
  showSources: readonly string[];
  /** The top of the score scale (scoring.yaml caps.total), divided into deciles. */
  scoreScale: number;
}

/**
 * Builds the two temporary tables every report query reads, in the caller's transaction (dropped at
 * its commit), so the window, the joins and the per-hand-off acceptance are computed once:
 * - `report_scoped`: the hand-offs in the window, one row per hand-off (a contact handed off twice
 *   is two rows), with the keys of each grouping, the decision's config version and MQL flag, the
 *   SLA clock's columns, and `accepted`: sales accepted the lead (a Lead Status change classed
 *   accepted) after this hand-off and before the contact's next one. The next hand-off is found
 *   over all hand-offs, before the window filters them.
 * - `report_opps`: the live opportunities whose hand-off is in the window, with that hand-off's
 *   keys. An opportunity's hand-off is the earliest among its linked contacts — the one the
 *   feedback attributes it to when it has no Primary Campaign Source.
 * Neither is analysed: at 100,000 hand-offs ANALYZE cost more than the plans it would improve (the
 * planner sizes a table without statistics by its pages).
 */
export async function materializeScope(db: Kysely<LedgerSchema>, scope: ReportScope): Promise<void> {
  const since = scope.since ? sql`and o.handed_off_at >= ${scope.since}` : sql``;
  const until = scope.until ? sql`and o.handed_off_at < ${scope.until}` : sql``;
  await sql`
    create temporary table report_scoped on commit drop as
    with ordered as (
      select h.id, h.hubspot_contact_id, h.handoff_key, h.handed_off_at, h.source, h.campaign, h.owner_id, h.grade, h.score,
             lead(h.handed_off_at) over (partition by h.hubspot_contact_id order by h.handed_off_at, h.id) as next_at
        from handoffs h
    ),
    windowed as (
      select o.* from ordered o where true ${since} ${until}
    ),
    accepted as (
      select distinct w.id
        from windowed w
        join lead_status_changes l on l.hubspot_contact_id = w.hubspot_contact_id
       where l.status_class = 'accepted' and l.changed_at >= w.handed_off_at and (w.next_at is null or l.changed_at < w.next_at)
    )
    select o.id, o.hubspot_contact_id, o.handed_off_at, o.grade, o.score,
           coalesce(o.source, '(none)') as source_key,
           coalesce(o.campaign, '(none)') as campaign_key,
           case when o.source = any(${sql.val([...scope.showSources])}::text[]) then coalesce(o.campaign, '(none)') end as show_key,
           coalesce(d.owner_email, o.owner_id, '(none)') as owner_key,
           coalesce(c.owner_label, c.owner_id, d.owner_email, o.owner_id, '(none)') as clock_owner_key,
           coalesce(c.team, d.rotation_team, '(none)') as team_key,
           coalesce(d.config_version, '(unknown)') as config_version,
           least(greatest(floor(o.score * 10.0 / ${scope.scoreScale}), 0), 9)::int as decile,
           coalesce(d.mql, false) as mql,
           c.handoff_id is not null as has_clock, c.started_at, c.due_at, c.first_touch_at, c.breached_at,
           a.id is not null as accepted
      from windowed o
      left join decisions d on d.hubspot_contact_id = o.hubspot_contact_id and d.handoff_key = o.handoff_key
      left join sla_clocks c on c.handoff_id = o.id
      left join accepted a on a.id = o.id`.execute(db);
  await sql`
    create temporary table report_opps on commit drop as
    with assigned as (
      select distinct on (oc.opportunity_id) oc.opportunity_id, h.id as handoff_id
        from opportunity_contacts oc
        join handoffs h on h.hubspot_contact_id = oc.hubspot_contact_id
       order by oc.opportunity_id, h.handed_off_at, h.id
    )
    select op.opportunity_id, op.outcome, op.amount, coalesce(op.currency, 'corporate') as currency, op.closed_at, op.loss_reason, op.competitor, op.competitors_met,
           s.id as handoff_id, s.handed_off_at, s.source_key, s.campaign_key, s.show_key, s.owner_key, s.team_key
      from opportunities op
      join assigned a on a.opportunity_id = op.opportunity_id
      join report_scoped s on s.id = a.handoff_id
     where op.deleted_at is null`.execute(db);
}

/** The funnel's grouping sets over `report_scoped` or `report_opps`, and which grouping a result row belongs to. */
export const FUNNEL_GROUPS = sql`(source_key), (campaign_key), (show_key), (owner_key), (team_key)`;
export const FUNNEL_DIMENSION = sql<string>`case when grouping(source_key) = 0 then 'source' when grouping(campaign_key) = 0 then 'campaign' when grouping(show_key) = 0 then 'show' when grouping(owner_key) = 0 then 'owner' else 'team' end`;
export const FUNNEL_KEY = sql<
  string | null
>`coalesce(case when grouping(source_key) = 0 then source_key end, case when grouping(campaign_key) = 0 then campaign_key end, case when grouping(show_key) = 0 then show_key end, case when grouping(owner_key) = 0 then owner_key end, team_key)`;
