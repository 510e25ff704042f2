import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';

/**
 * The competitors met on the window's hand-offs' opportunities — those listed (OpportunityCompetitor)
 * and the one that won a lost deal, once per opportunity — with how many of those we won and lost.
 */
export async function competitors(db: Kysely<LedgerSchema>): Promise<{ competitor: string; met: number; won: number; lost: number }[]> {
  const { rows } = await sql<{ competitor: string; met: string; won: string; lost: string }>`
    select c.name as competitor, count(*) as met, count(*) filter (where outcome = 'won') as won, count(*) filter (where outcome = 'lost') as lost
      from report_opps
      cross join lateral (
        select jsonb_array_elements_text(case when jsonb_typeof(report_opps.competitors_met) = 'array' then report_opps.competitors_met else '[]'::jsonb end)
        union
        select report_opps.competitor where report_opps.competitor is not null
      ) as c(name)
     group by c.name`.execute(db);
  return rows.map((r) => ({ competitor: r.competitor, met: Number(r.met), won: Number(r.won), lost: Number(r.lost) }));
}
