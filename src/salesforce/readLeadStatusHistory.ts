import type { Connection } from 'jsforce';
import type { LeadStatusHistoryRow } from '../domain/feedback/types.ts';
import { queryTogether } from './composite.ts';
import { idLists, parseDateTime } from './soql.ts';

interface HistoryRow {
  Id: string;
  LeadId: string;
  OldValue: unknown;
  NewValue: unknown;
  CreatedDate: string;
}

/**
 * LeadHistory rows of Field 'Status' for these leads, oldest first: IN lists of IDS_PER_QUERY ids,
 * five to a composite call. Rows exist only for changes made while Status history was tracked
 * (docs/salesforce-api.md#field-history); OldValue and NewValue are anyType, read as text.
 */
export async function readLeadStatusHistory(conn: Connection, leadIds: readonly string[]): Promise<LeadStatusHistoryRow[]> {
  const lists = idLists(leadIds);
  if (lists.length === 0) return [];
  const results = await queryTogether<HistoryRow>(
    conn,
    lists.map((list) => `SELECT Id, LeadId, OldValue, NewValue, CreatedDate FROM LeadHistory WHERE Field = 'Status' AND LeadId IN (${list}) ORDER BY CreatedDate, Id`),
  );
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const rows = results.flat().map((row) => ({ leadId: row.LeadId, oldValue: text(row.OldValue), newValue: text(row.NewValue), createdDate: parseDateTime(row.CreatedDate) }));
  // Each list comes oldest first; across lists too (a stable sort keeps a tie's order).
  return rows.sort((a, b) => a.createdDate - b.createdDate);
}
