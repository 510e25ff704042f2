import { type Kysely, sql } from 'kysely';
import type { Dimension, RawHandoffGroup, RawReport } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';
import { FUNNEL_DIMENSION, FUNNEL_GROUPS, FUNNEL_KEY } from './scope.ts';

/**
 * Hand-offs in the window and how many sales accepted, per source, campaign, show, owner and team
 * (one grouping-sets pass); also how many of each source's hand-offs carried each campaign.
 */
export async function handoffGroups(db: Kysely<LedgerSchema>): Promise<{ groups: RawHandoffGroup[]; sourceCampaigns: RawReport['sourceCampaigns'] }> {
  const { rows } = await sql<{ pair: boolean; dimension: Dimension; key: string | null; source_key: string | null; campaign_key: string | null; handed_off: string; sql: string }>`
    select grouping(source_key) = 0 and grouping(campaign_key) = 0 as pair, ${FUNNEL_DIMENSION} as dimension, ${FUNNEL_KEY} as key, source_key, campaign_key,
           count(*) as handed_off, count(*) filter (where accepted) as sql
      from report_scoped
     group by grouping sets (${FUNNEL_GROUPS}, (source_key, campaign_key))`.execute(db);
  const groups: RawHandoffGroup[] = [];
  const sourceCampaigns: RawReport['sourceCampaigns'] = [];
  for (const r of rows) {
    if (r.pair) {
      if (r.campaign_key !== '(none)') sourceCampaigns.push({ source: r.source_key!, campaign: r.campaign_key!, handedOff: Number(r.handed_off) });
    } else if (r.key !== null) groups.push({ dimension: r.dimension, key: r.key, handedOff: Number(r.handed_off), sql: Number(r.sql) });
  }
  return { groups, sourceCampaigns };
}
