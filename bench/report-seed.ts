import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../src/store/schema.ts';

/** The report bench's ledger (bench/report.ts describes it), shared with the dashboard bench. */
export const HANDOFFS = Number(process.env.BENCH_REPORT_HANDOFFS ?? 100_000);
export const OPPORTUNITIES = Number(process.env.BENCH_REPORT_OPPORTUNITIES ?? 20_000);
const CONTACTS = Math.floor(HANDOFFS * 0.8);

/** The whole ledger in a few statements: every row derived from its index, so both backends hold the same data. */
export async function seedReportLedger(db: Kysely<LedgerSchema>): Promise<void> {
  const h = HANDOFFS - 1;
  const c = CONTACTS;
  // Hand-off i: contact i (first), or contact i − CONTACTS handed off again; 150 s apart.
  const handoffRows = sql`
    select i, 'c' || (i % ${c}) as contact, case when i < ${c} then 'first' else 'again:' || i end as key,
           timestamptz '2026-03-01T00:00:00Z' + i * interval '150 seconds' as at, (i * 37) % 101 as score,
           case when (i * 37) % 101 >= 70 then 'hot' when (i * 37) % 101 >= 40 then 'warm' else 'cold' end as grade,
           (array['trade_show', 'event', 'webinar', 'web_form', 'demo_request', 'paid_social'])[1 + i % 6] as source,
           'U' || (i % 30) as owner
      from generate_series(0, ${h}) as i`;
  await sql`
    insert into decisions (hubspot_contact_id, handoff_key, decided_at, config_version, score, grade, mql, handoff, reason, owner_kind, owner_id, rotation_team)
    select contact, key, at, case when i % 3 = 0 then 'v1' else 'v2' end, score, grade, score >= 40, true, 'mql', 'user', owner, 'T' || (i % 4)
      from (${handoffRows}) g`.execute(db);
  await sql`
    insert into handoffs (hubspot_contact_id, handoff_key, handed_off_at, salesforce_object, salesforce_id, outcome, owner_kind, owner_id, grade, score, reason, source, campaign)
    select contact, key, at, 'Lead', '00Q' || i, 'created', 'user', owner, grade, score, 'mql', source,
           case when source in ('trade_show', 'event') then 'Show ' || ((i / 6) % 12) when source = 'webinar' then 'Webinar ' || ((i / 6) % 8) end
      from (${handoffRows}) g`.execute(db);
  await sql`
    insert into sla_clocks (handoff_id, hubspot_contact_id, salesforce_object, salesforce_id, owner_id, team, temperature, policy, started_at, due_at, assigned_owner_id, first_touch_at, breached_at)
    select id, hubspot_contact_id, 'Lead', salesforce_id, owner_id, 'T' || (id % 4), grade, grade, handed_off_at,
           handed_off_at + case when grade = 'hot' then interval '1 hour' else interval '2 days' end, owner_id,
           case when id % 5 = 0 then null else handed_off_at + (id % 7) * interval '40 minutes' end,
           case when id % 5 = 0 or (grade = 'hot' and id % 7 >= 2) then handed_off_at + interval '1 hour' end
      from handoffs where grade in ('hot', 'warm')`.execute(db);
  await sql`
    insert into lead_status_changes (hubspot_contact_id, lead_id, status, status_class, changed_at, approximated)
    select contact, '00Q' || i, case when i % 10 < 4 then 'Working - Contacted' when i % 10 < 5 then 'Closed - Not Converted' else 'Recycled' end,
           case when i % 10 < 4 then 'accepted' when i % 10 < 5 then 'disqualified' else 'recycled' end, at + interval '2 days', false
      from (${handoffRows}) g where i % 10 < 6`.execute(db);
  await sql`
    insert into contact_scores (hubspot_contact_id, score, grade, mql, scored_at, config_version, source, campaign)
    select 'c' || k, (k * 37) % 101, case when (k * 37) % 101 >= 70 then 'hot' when (k * 37) % 101 >= 40 then 'warm' else 'cold' end, (k * 37) % 101 >= 40,
           timestamptz '2026-03-01T00:00:00Z' + k * interval '100 seconds', 'v2',
           (array['trade_show', 'event', 'webinar', 'web_form', 'demo_request', 'paid_social'])[1 + k % 6],
           case when k % 6 < 2 then 'Show ' || (k % 12) when k % 6 = 2 then 'Webinar ' || (k % 8) end
      from generate_series(0, ${Math.floor(CONTACTS * 1.5) - 1}) as k`.execute(db);
  // Opportunity j belongs to contact 4j (a quarter of them also to contact 4j + 1).
  await sql`
    insert into opportunities (opportunity_id, name, stage, is_closed, is_won, outcome, closed_at, amount, loss_reason, competitor, competitors_met, link_path, system_modstamp, updated_at)
    select 'O' || j, 'Deal ' || j, 's', j % 10 < 7, j % 10 < 3, case when j % 10 < 3 then 'won' when j % 10 < 7 then 'lost' else 'open' end,
           case when j % 10 < 7 then timestamptz '2026-03-01T00:00:00Z' + (j * 4) * interval '150 seconds' + (10 + j % 60) * interval '1 day' end,
           5000 + (j % 20) * 1000,
           case when j % 10 between 3 and 6 then (array['Price', 'No budget', 'Timing', 'Features', 'Went dark'])[1 + j % 5] end,
           case when j % 10 between 3 and 6 and j % 3 = 0 then 'Acme' end,
           (array['["Acme"]', '["Acme", "Globex"]', '[]', '["Initech"]'])[1 + j % 4]::jsonb,
           'converted-lead', now(), now()
      from generate_series(0, ${OPPORTUNITIES - 1}) as j`.execute(db);
  await sql`
    insert into opportunity_contacts (opportunity_id, hubspot_contact_id, link_path)
    select 'O' || j, 'c' || ((j * 4) % ${c}), 'converted-lead' from generate_series(0, ${OPPORTUNITIES - 1}) as j
    union all
    select 'O' || j, 'c' || ((j * 4 + 1) % ${c}), 'contact-role-external-id' from generate_series(0, ${OPPORTUNITIES - 1}) as j where j % 4 = 0`.execute(db);
  await sql`
    insert into campaigns (campaign_id, name, type, actual_cost)
    select '701S' || n, 'Show ' || n, 'Trade Show', 10000 + n * 2500 from generate_series(0, 11) as n
    union all
    select '701W' || n, 'Webinar ' || n, 'Webinar', 1500 from generate_series(0, 7) as n`.execute(db);
  await sql`analyze`.execute(db);
}
