import { type Kysely, sql } from 'kysely';
import type { Dimension, RawOpportunityGroup } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';
import { FUNNEL_DIMENSION, FUNNEL_GROUPS, FUNNEL_KEY } from './scope.ts';

/** The live opportunities of the window's hand-offs per grouping: open, won, lost, and the median days from hand-off to close. */
export async function opportunityGroups(db: Kysely<LedgerSchema>): Promise<RawOpportunityGroup[]> {
  const { rows } = await sql<{ dimension: Dimension; key: string | null; opportunities: string; open: string; won: string; lost: string; median_days: number | string | null }>`
    select ${FUNNEL_DIMENSION} as dimension, ${FUNNEL_KEY} as key, count(*) as opportunities,
           count(*) filter (where outcome = 'open') as open, count(*) filter (where outcome = 'won') as won, count(*) filter (where outcome = 'lost') as lost,
           percentile_cont(0.5) within group (order by extract(epoch from closed_at - handed_off_at) / 86400.0)
             filter (where outcome in ('won', 'lost') and closed_at is not null) as median_days
      from report_opps
     group by grouping sets (${FUNNEL_GROUPS})`.execute(db);
  return rows.flatMap((r) =>
    r.key === null
      ? []
      : [
          {
            dimension: r.dimension,
            key: r.key,
            opportunities: Number(r.opportunities),
            open: Number(r.open),
            won: Number(r.won),
            lost: Number(r.lost),
            medianDaysToClose: r.median_days === null ? null : Number(r.median_days),
          },
        ],
  );
}
