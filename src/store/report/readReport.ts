import { type Kysely, sql } from 'kysely';
import type { RawReport } from '../../domain/report/types.ts';
import type { LedgerSchema } from '../schema.ts';
import { calibrationBands } from './calibrationBands.ts';
import { campaignCosts } from './campaignCosts.ts';
import { competitors } from './competitors.ts';
import { handoffGroups } from './handoffGroups.ts';
import { lossReasons } from './lossReasons.ts';
import { opportunitiesWithoutHandoff } from './opportunitiesWithoutHandoff.ts';
import { opportunityGroups } from './opportunityGroups.ts';
import { revenueGroups } from './revenueGroups.ts';
import { materializeScope, type ReportScope } from './scope.ts';
import { scoredGroups } from './scoredGroups.ts';
import { slaGroups } from './slaGroups.ts';

export type { ReportScope } from './scope.ts';

/**
 * Every figure of the closed-loop report, grouped by the ledger, from one snapshot (a repeatable-read
 * transaction): the hand-offs of the window and their opportunities are computed once into two
 * temporary tables (materializeScope), then each query is one pass of grouping sets over them.
 */
export async function readReport(db: Kysely<LedgerSchema>, scope: ReportScope): Promise<RawReport> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      // PostgreSQL's JIT would spend seconds compiling these one-off aggregations (PGlite has none).
      const { rows } = await sql<{ jit: string | null }>`select current_setting('jit', true) as jit`.execute(trx);
      if (rows[0]?.jit === 'on') await sql`set local jit = off`.execute(trx);
      await materializeScope(trx, scope);
      // In sequence: one transaction is one connection.
      const handoffs = await handoffGroups(trx);
      const opportunities = await opportunityGroups(trx);
      const revenue = await revenueGroups(trx);
      const scored = await scoredGroups(trx, scope);
      const costs = await campaignCosts(trx);
      const reasons = await lossReasons(trx);
      const met = await competitors(trx);
      const sla = await slaGroups(trx, scope.now);
      const calibration = await calibrationBands(trx);
      const outside = await opportunitiesWithoutHandoff(trx);
      return {
        handoffs: handoffs.groups,
        opportunities,
        revenue,
        scored,
        sourceCampaigns: handoffs.sourceCampaigns,
        campaignCosts: costs,
        lossReasons: reasons,
        competitors: met,
        sla,
        calibration,
        opportunitiesWithoutHandoff: outside,
      };
    });
}
