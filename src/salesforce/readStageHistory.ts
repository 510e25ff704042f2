import type { Connection } from 'jsforce';
import type { StageChange } from '../domain/feedback/types.ts';
import { queryTogether } from './composite.ts';
import { queryAll } from './query.ts';
import { idLists, parseDateTime } from './soql.ts';

interface HistoryRow {
  Id: string;
  OpportunityId: string;
  StageName: string;
  Amount: number | null;
  CloseDate: string | null;
  CreatedDate: string;
}

interface StageRow {
  ApiName: string;
  MasterLabel: string | null;
  IsClosed: boolean;
  IsWon: boolean;
}

/**
 * OpportunityHistory per opportunity, oldest first, each row's stage resolved to IsClosed/IsWon
 * by OpportunityStage (read once per call, inactive stages included: orgs rename and add stages,
 * so the stage name alone says nothing; docs/salesforce-api.md#opportunities). IN lists of
 * IDS_PER_QUERY ids, five to a composite call, through queryAll: a deleted opportunity's history
 * went to the recycle bin with it. A stage OpportunityStage does not know counts as open.
 */
export async function readStageHistory(conn: Connection, opportunityIds: readonly string[]): Promise<Map<string, StageChange[]>> {
  const lists = idLists(opportunityIds);
  const out = new Map<string, StageChange[]>();
  if (lists.length === 0) return out;
  const stages = new Map<string, StageRow>();
  for (const stage of await queryAll<StageRow>(conn, 'SELECT ApiName, MasterLabel, IsClosed, IsWon FROM OpportunityStage')) {
    if (stage.MasterLabel && !stages.has(stage.MasterLabel)) stages.set(stage.MasterLabel, stage);
    stages.set(stage.ApiName, stage);
  }
  const results = await queryTogether<HistoryRow>(
    conn,
    lists.map((list) => `SELECT Id, OpportunityId, StageName, Amount, CloseDate, CreatedDate FROM OpportunityHistory WHERE OpportunityId IN (${list}) ORDER BY OpportunityId, CreatedDate, Id`),
    { scanAll: true },
  );
  for (const row of results.flat()) {
    const stage = stages.get(row.StageName);
    const change: StageChange = {
      stage: row.StageName,
      at: parseDateTime(row.CreatedDate),
      isClosed: stage?.IsClosed === true,
      isWon: stage?.IsWon === true,
      amount: row.Amount ?? null,
      closeDate: row.CloseDate ?? null,
    };
    const list = out.get(row.OpportunityId);
    if (list) list.push(change);
    else out.set(row.OpportunityId, [change]);
  }
  return out;
}
