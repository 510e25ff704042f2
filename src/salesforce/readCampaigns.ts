import type { Connection } from 'jsforce';
import type { CampaignInfo } from '../domain/feedback/types.ts';
import { queryTogether } from './composite.ts';
import { idLists } from './soql.ts';

/** Campaigns by id, name and type (a campaign not found is left out): IN lists of IDS_PER_QUERY, five to a composite call. */
export async function readCampaigns(conn: Connection, campaignIds: readonly string[]): Promise<Map<string, CampaignInfo>> {
  const lists = idLists(campaignIds);
  const out = new Map<string, CampaignInfo>();
  if (lists.length === 0) return out;
  const results = await queryTogether<{ Id: string; Name: string | null; Type: string | null }>(
    conn,
    lists.map((list) => `SELECT Id, Name, Type FROM Campaign WHERE Id IN (${list})`),
  );
  for (const row of results.flat()) out.set(row.Id, { name: row.Name ?? null, type: row.Type ?? null });
  return out;
}
