import { type Kysely, sql } from 'kysely';
import type { Grade, RawCalibrationBand } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';

/** Per config version, the window's hand-offs per grade and per score decile (taken at hand-off) with their opportunities won and lost. */
export async function calibrationBands(db: Kysely<LedgerSchema>): Promise<RawCalibrationBand[]> {
  const { rows } = await sql<{ config_version: string; by_grade: boolean; grade: string | null; decile: number | null; handoffs: string; won: string; lost: string }>`
    with closed as (
      select handoff_id, count(*) filter (where outcome = 'won') as won, count(*) filter (where outcome = 'lost') as lost
        from report_opps group by handoff_id
    )
    select config_version, grouping(grade) = 0 as by_grade, grade, decile, count(*) as handoffs, coalesce(sum(closed.won), 0) as won, coalesce(sum(closed.lost), 0) as lost
      from report_scoped
      left join closed on closed.handoff_id = report_scoped.id
     group by grouping sets ((config_version, grade), (config_version, decile))`.execute(db);
  return rows.map((r) => ({
    configVersion: r.config_version,
    band: r.by_grade ? { grade: r.grade as Grade } : { decile: Number(r.decile) },
    handoffs: Number(r.handoffs),
    won: Number(r.won),
    lost: Number(r.lost),
  }));
}
