import type { Connection } from 'jsforce';
import type { FeedbackCapabilities, KeysetCursor, LeadSnapshot } from '../domain/feedback/types.ts';
import type { FeedbackFields } from './feedbackCapabilities.ts';
import { keysetFilter, keysetPages, type KeysetRow } from './keyset.ts';
import { identifier, parseDateTime } from './soql.ts';

type LeadRow = KeysetRow & { Status: string; IsConverted: boolean; [field: string]: unknown };

/**
 * Leads carrying our external ID changed after `after` up to `until`, a query page at a time in
 * (SystemModstamp, Id) order, each page with the cursor after its last lead. The disqualification
 * reason is read only when mapping.yaml names the field and the org has it.
 */
export async function* pullChangedLeads(
  conn: Connection,
  fields: FeedbackFields,
  capabilities: FeedbackCapabilities,
  options: { after: KeysetCursor; until: number },
): AsyncGenerator<{ leads: LeadSnapshot[]; cursor: KeysetCursor }> {
  const ext = identifier(fields.externalIdField);
  const reason = fields.disqualifiedReasonField && capabilities.disqualifiedReasonField ? identifier(fields.disqualifiedReasonField) : undefined;
  const select = ['Id', ext, 'Status', 'SystemModstamp', 'IsConverted', ...(reason ? [reason] : [])].join(', ');
  const soql = (after: KeysetCursor) => `SELECT ${select} FROM Lead WHERE ${ext} != null AND ${keysetFilter(after, options.until)} ORDER BY SystemModstamp, Id`;
  for await (const page of keysetPages<LeadRow>(conn, soql, options.after)) {
    yield {
      leads: page.records.map((row) => ({
        leadId: row.Id,
        contactId: typeof row[ext] === 'string' && row[ext] !== '' ? (row[ext] as string) : null,
        status: row.Status,
        systemModstamp: parseDateTime(row.SystemModstamp),
        isConverted: row.IsConverted === true,
        ...(reason ? { disqualifiedReason: (row[reason] as string | null | undefined) ?? null } : {}),
      })),
      cursor: page.cursor,
    };
  }
}
