import { type Kysely, sql } from 'kysely';
import type { Dimension, RawRevenue } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';
import { FUNNEL_DIMENSION, FUNNEL_KEY } from './scope.ts';

/** The won amount of the window's hand-offs per grouping and currency (amounts are never added across currencies). */
export async function revenueGroups(db: Kysely<LedgerSchema>): Promise<RawRevenue[]> {
  const { rows } = await sql<{ dimension: Dimension; key: string | null; currency: string; amount: string }>`
    select ${FUNNEL_DIMENSION} as dimension, ${FUNNEL_KEY} as key, currency, sum(amount) as amount
      from report_opps
     where outcome = 'won' and amount is not null
     group by grouping sets ((source_key, currency), (campaign_key, currency), (show_key, currency), (owner_key, currency), (team_key, currency))`.execute(db);
  return rows.flatMap((r) => (r.key === null ? [] : [{ dimension: r.dimension, key: r.key, currency: r.currency, amount: Number(r.amount) }]));
}
