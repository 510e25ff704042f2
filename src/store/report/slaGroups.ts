import { type Kysely, sql } from 'kysely';
import type { RawSlaGroup } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';

/**
 * The SLA of the window's hand-offs per owner (the clock's, after a restart the new one's) and per
 * team: clocks, those decided (touched, or untouched past due at `now`), those touched in time,
 * breaches, the median minutes from the clock's start to the first touch, and MQL hand-offs with
 * how many sales accepted.
 */
export async function slaGroups(db: Kysely<LedgerSchema>, now: Date): Promise<RawSlaGroup[]> {
  const { rows } = await sql<{
    dimension: 'owner' | 'team';
    key: string;
    handoffs: string;
    clocks: string;
    in_time: string;
    decided: string;
    breached: string;
    median_minutes: number | string | null;
    mql_handoffs: string;
    mql_sql: string;
  }>`
    select case when grouping(clock_owner_key) = 0 then 'owner' else 'team' end as dimension,
           coalesce(case when grouping(clock_owner_key) = 0 then clock_owner_key end, team_key) as key,
           count(*) as handoffs,
           count(*) filter (where has_clock) as clocks,
           count(*) filter (where has_clock and first_touch_at <= due_at) as in_time,
           count(*) filter (where has_clock and (first_touch_at is not null or due_at < ${now})) as decided,
           count(*) filter (where breached_at is not null) as breached,
           percentile_cont(0.5) within group (order by extract(epoch from first_touch_at - started_at) / 60.0) filter (where has_clock and first_touch_at is not null) as median_minutes,
           count(*) filter (where mql) as mql_handoffs,
           count(*) filter (where mql and accepted) as mql_sql
      from report_scoped
     group by grouping sets ((clock_owner_key), (team_key))`.execute(db);
  return rows.map((r) => ({
    dimension: r.dimension,
    key: r.key,
    handoffs: Number(r.handoffs),
    clocks: Number(r.clocks),
    inTime: Number(r.in_time),
    decided: Number(r.decided),
    breached: Number(r.breached),
    medianMinutesToFirstTouch: r.median_minutes === null ? null : Number(r.median_minutes),
    mqlHandoffs: Number(r.mql_handoffs),
    mqlSql: Number(r.mql_sql),
  }));
}
