import type { Connection } from 'jsforce';
import type { ObservedTouch } from '../domain/sla/plan-check.ts';
import type { RecordObservation, SlaCapabilities } from '../domain/sla/types.ts';
import { queryTogether } from './composite.ts';
import { idLists, parseDateTime, soqlDateTime } from './soql.ts';

type Observed = RecordObservation & { touches: ObservedTouch[] };

interface LeadRow {
  Id: string;
  OwnerId: string;
  IsConverted: boolean;
  ConvertedDate: string | null;
}

/**
 * What Salesforce holds now for the records of running clocks, in one composite call per 300
 * records (docs/salesforce-api.md#composite): each record's OwnerId, and every touch since `since`
 * by anyone — closed Tasks (CompletedDateTime, else LastModifiedDate on older API versions),
 * Events that have started, Status changes in LeadHistory where tracked, and conversion
 * (ConvertedDate is a date: dated at its midnight UTC, or at `since` when that is later).
 * A record missing from the answer (deleted, merged away) comes back with ownerId null.
 */
export async function readSlaObservations(
  conn: Connection,
  records: readonly { object: 'Lead' | 'Contact'; id: string; since: number }[],
  capabilities: SlaCapabilities,
  now: number,
): Promise<Map<string, Observed>> {
  const out = new Map<string, Observed>();
  const sinceOf = new Map(records.map((r) => [r.id, r.since]));
  for (let i = 0; i < records.length; i += 300) {
    const chunk = records.slice(i, i + 300);
    for (const r of chunk) out.set(r.id, { ownerId: null, touches: [] });
    const leads = idLists(chunk.filter((r) => r.object === 'Lead').map((r) => r.id))[0];
    const contacts = idLists(chunk.filter((r) => r.object === 'Contact').map((r) => r.id))[0];
    const who = idLists(chunk.map((r) => r.id))[0]!;
    const earliest = soqlDateTime(Math.min(...chunk.map((r) => r.since)));
    const completed = capabilities.taskCompletedDateTime ? 'CompletedDateTime' : 'LastModifiedDate';
    const queries: { kind: 'lead' | 'contact' | 'task' | 'event' | 'history'; soql: string }[] = [
      { kind: 'task', soql: `SELECT WhoId, ${completed}, LastModifiedById FROM Task WHERE WhoId IN (${who}) AND IsClosed = true AND ${completed} >= ${earliest}` },
      { kind: 'event', soql: `SELECT WhoId, StartDateTime, OwnerId FROM Event WHERE WhoId IN (${who}) AND StartDateTime >= ${earliest} AND StartDateTime <= ${soqlDateTime(now)}` },
    ];
    if (leads) queries.push({ kind: 'lead', soql: `SELECT Id, OwnerId, IsConverted, ConvertedDate FROM Lead WHERE Id IN (${leads})` });
    if (contacts) queries.push({ kind: 'contact', soql: `SELECT Id, OwnerId FROM Contact WHERE Id IN (${contacts})` });
    if (leads && capabilities.statusHistoryTracked) {
      queries.push({ kind: 'history', soql: `SELECT LeadId, NewValue, CreatedDate, CreatedById FROM LeadHistory WHERE Field = 'Status' AND LeadId IN (${leads}) AND CreatedDate >= ${earliest}` });
    }
    const results = await queryTogether<Record<string, unknown>>(
      conn,
      queries.map((q) => q.soql),
    );
    queries.forEach((query, n) => {
      for (const row of results[n]!) collect(query.kind, row, out, sinceOf, completed);
    });
  }
  return out;
}

function collect(kind: 'lead' | 'contact' | 'task' | 'event' | 'history', row: Record<string, unknown>, out: Map<string, Observed>, sinceOf: Map<string, number>, completed: string): void {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  switch (kind) {
    case 'lead': {
      const lead = row as unknown as LeadRow;
      const seen = out.get(lead.Id);
      if (!seen) return;
      seen.ownerId = lead.OwnerId;
      if (lead.IsConverted && lead.ConvertedDate) seen.touches.push({ at: Math.max(Date.parse(`${lead.ConvertedDate}T00:00:00Z`), sinceOf.get(lead.Id) ?? 0), by: null, kind: 'converted' });
      return;
    }
    case 'contact': {
      const seen = out.get(String(row.Id));
      if (seen) seen.ownerId = String(row.OwnerId);
      return;
    }
    case 'task': {
      const at = text(row[completed]);
      if (at) out.get(String(row.WhoId))?.touches.push({ at: parseDateTime(at), by: text(row.LastModifiedById), kind: 'task' });
      return;
    }
    case 'event': {
      const at = text(row.StartDateTime);
      if (at) out.get(String(row.WhoId))?.touches.push({ at: parseDateTime(at), by: text(row.OwnerId), kind: 'event' });
      return;
    }
    case 'history': {
      const to = text(row.NewValue);
      out.get(String(row.LeadId))?.touches.push({ at: parseDateTime(String(row.CreatedDate)), by: text(row.CreatedById), kind: 'status', ...(to === null ? {} : { toStatus: to }) });
      return;
    }
  }
}
