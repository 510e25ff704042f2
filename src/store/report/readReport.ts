import type { Kysely } from 'kysely';
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
import type { ReportScope } from './scope.ts';
import { scoredGroups } from './scoredGroups.ts';
import { slaGroups } from './slaGroups.ts';

export type { ReportScope } from './scope.ts';

/** Every figure of the closed-loop report, grouped by the ledger (each query one pass of grouping sets). */
export async function readReport(db: Kysely<LedgerSchema>, scope: ReportScope): Promise<RawReport> {
  // In sequence: PGlite runs one statement at a time anyway, and on PostgreSQL each is one pass.
  const handoffs = await handoffGroups(db, scope);
  const opportunities = await opportunityGroups(db, scope);
  const revenue = await revenueGroups(db, scope);
  const scored = await scoredGroups(db, scope);
  const costs = await campaignCosts(db);
  const reasons = await lossReasons(db, scope);
  const met = await competitors(db, scope);
  const sla = await slaGroups(db, scope);
  const calibration = await calibrationBands(db, scope);
  const outside = await opportunitiesWithoutHandoff(db);
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
}
