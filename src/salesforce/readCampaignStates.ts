import type { Connection } from 'jsforce';
import { CAMPAIGN_FIGURE_ROLES, type CampaignFigureRole, type CampaignState } from '../domain/feedback/campaigns.ts';
import { queryTogether } from './composite.ts';
import { identifier, idLists, inLists } from './soql.ts';

type CampaignRow = {
  Id: string;
  Name: string;
  Type: string | null;
  ActualCost: number | null;
  BudgetedCost: number | null;
  NumberOfWonOpportunities: number | null;
  AmountWonOpportunities: number | null;
  [field: string]: unknown;
};

/**
 * Campaigns by id and by name (SOQL's `=` on Name is case-insensitive) with their costs,
 * Salesforce's won roll-ups and what the figure fields hold: IN lists of IDS_PER_QUERY ids or of
 * names kept well inside the GET URI limit, five to a composite call — one call for up to 1,500
 * campaigns. Each campaign once.
 */
export async function readCampaignStates(conn: Connection, options: { ids: readonly string[]; names: readonly string[]; fields: Record<CampaignFigureRole, string> }): Promise<CampaignState[]> {
  const figureFields = CAMPAIGN_FIGURE_ROLES.map((role) => identifier(options.fields[role]));
  const select = `SELECT Id, Name, Type, ActualCost, BudgetedCost, NumberOfWonOpportunities, AmountWonOpportunities, ${[...new Set(figureFields)].join(', ')} FROM Campaign`;
  // A name costs up to three times its length once URL-encoded: 4,000 characters of literals keep the URI under 16,384 bytes.
  const soqls = [...idLists(options.ids).map((list) => `${select} WHERE Id IN (${list})`), ...inLists(options.names, 4_000).map((list) => `${select} WHERE Name IN (${list})`)];
  if (soqls.length === 0) return [];
  const rows = (await queryTogether<CampaignRow>(conn, soqls)).flat();
  const byId = new Map<string, CampaignState>();
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  for (const row of rows) {
    if (byId.has(row.Id)) continue;
    const figures = Object.fromEntries(CAMPAIGN_FIGURE_ROLES.map((role) => [role, num(row[options.fields[role]])])) as Record<CampaignFigureRole, number | null>;
    byId.set(row.Id, {
      id: row.Id,
      name: row.Name,
      type: row.Type ?? null,
      actualCost: num(row.ActualCost),
      budgetedCost: num(row.BudgetedCost),
      numberOfWonOpportunities: num(row.NumberOfWonOpportunities),
      amountWonOpportunities: num(row.AmountWonOpportunities),
      figures,
    });
  }
  return [...byId.values()];
}
