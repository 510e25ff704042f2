import type { Connection } from 'jsforce';
import type { ConvertedLead } from '../domain/feedback/types.ts';
import { queryTogether } from './composite.ts';
import { identifier, idLists } from './soql.ts';

/** Leads converted into these opportunities (Lead.ConvertedOpportunityId), with our external ID: IN lists of IDS_PER_QUERY, five to a composite call. */
export async function readConvertedLeads(conn: Connection, externalIdField: string, opportunityIds: readonly string[]): Promise<Map<string, ConvertedLead[]>> {
  const ext = identifier(externalIdField);
  const lists = idLists(opportunityIds);
  const out = new Map<string, ConvertedLead[]>();
  if (lists.length === 0) return out;
  const results = await queryTogether<{ Id: string; ConvertedOpportunityId: string; [field: string]: unknown }>(
    conn,
    lists.map((list) => `SELECT Id, ConvertedOpportunityId, ${ext} FROM Lead WHERE ConvertedOpportunityId IN (${list}) ORDER BY Id`),
  );
  for (const row of results.flat()) {
    const lead: ConvertedLead = { leadId: row.Id, externalId: typeof row[ext] === 'string' && row[ext] !== '' ? (row[ext] as string) : null };
    const list = out.get(row.ConvertedOpportunityId);
    if (list) list.push(lead);
    else out.set(row.ConvertedOpportunityId, [lead]);
  }
  return out;
}
