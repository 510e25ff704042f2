import { type Kysely, sql } from 'kysely';
import type { MarketingDimension, RawScoredGroup } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';
import type { ReportScope } from './scope.ts';

/**
 * Contacts scored, and MQLs among them, per source, campaign and show: each contact's latest score
 * (contact_scores keeps only that), counted when it was taken in the window, under the source and
 * campaign the contact had then.
 */
export async function scoredGroups(db: Kysely<LedgerSchema>, scope: ReportScope): Promise<RawScoredGroup[]> {
  const since = scope.since ? sql`and scored_at >= ${scope.since}` : sql``;
  const until = scope.until ? sql`and scored_at < ${scope.until}` : sql``;
  const { rows } = await sql<{ dimension: MarketingDimension; key: string | null; scored: string; mql: string }>`
    with keyed as (
      select coalesce(source, '(none)') as source_key, coalesce(campaign, '(none)') as campaign_key,
             case when source = any(${sql.val([...scope.showSources])}::text[]) then coalesce(campaign, '(none)') end as show_key, mql
        from contact_scores
       where true ${since} ${until}
    )
    select case when grouping(source_key) = 0 then 'source' when grouping(campaign_key) = 0 then 'campaign' else 'show' end as dimension,
           coalesce(case when grouping(source_key) = 0 then source_key end, case when grouping(campaign_key) = 0 then campaign_key end, show_key) as key,
           count(*) as scored, count(*) filter (where mql) as mql
      from keyed
     group by grouping sets ((source_key), (campaign_key), (show_key))`.execute(db);
  return rows.flatMap((r) => (r.key === null ? [] : [{ dimension: r.dimension, key: r.key, scored: Number(r.scored), mql: Number(r.mql) }]));
}
