import type { Connection } from 'jsforce';
import type { KeysetCursor } from '../domain/feedback/types.ts';
import { classifySalesforceError } from './errors.ts';
import { parseDateTime, quote, salesforceId, soqlDateTime } from './soql.ts';

/** What a keyset read needs of each row: its position in (SystemModstamp, Id) order. */
export interface KeysetRow {
  Id: string;
  SystemModstamp: string;
}

interface QueryPage<T> {
  records: T[];
  done: boolean;
  nextRecordsUrl?: string;
}

/**
 * The WHERE clause of rows after `after` up to `until` (inclusive) in (SystemModstamp, Id) order.
 * Before any row at `after.modstamp` (id '') the read starts at that time itself: an empty string
 * compared with an id field is refused (INVALID_QUERY_FILTER_OPERATOR). Datetime literals are
 * unquoted and whole seconds, as SystemModstamp is (docs/salesforce-api.md#soql-queries-and-paging).
 */
export function keysetFilter(after: KeysetCursor, until: number): string {
  const t = soqlDateTime(after.modstamp);
  const upper = `SystemModstamp <= ${soqlDateTime(until)}`;
  if (after.id === '') return `${upper} AND SystemModstamp >= ${t}`;
  return `${upper} AND (SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > ${quote(salesforceId(after.id))}))`;
}

/**
 * Runs a keyset query (`soqlFrom(after)` must filter with keysetFilter and ORDER BY SystemModstamp, Id)
 * and yields it a query page at a time (up to 2,000 rows), each with the cursor after its last row.
 * Pages are followed with queryMore, past jsforce's maxFetch (docs/salesforce-api.md#reading-it-all-back-soql);
 * a query locator that expired while the caller worked on a page (INVALID_QUERY_LOCATOR) is
 * replaced by the same query from the cursor reached, so no row is skipped or read twice.
 */
export async function* keysetPages<T extends KeysetRow>(
  conn: Connection,
  soqlFrom: (after: KeysetCursor) => string,
  after: KeysetCursor,
  options: { scanAll?: boolean } = {},
): AsyncGenerator<{ records: T[]; cursor: KeysetCursor }> {
  let cursor = after;
  let page = await first<T>(conn, soqlFrom(cursor), options.scanAll === true);
  for (;;) {
    const last = page.records.at(-1);
    if (last) cursor = { modstamp: parseDateTime(last.SystemModstamp), id: last.Id };
    if (page.records.length > 0) yield { records: page.records, cursor };
    if (page.done || !page.nextRecordsUrl) return;
    try {
      page = (await conn.queryMore<T & Record<string, unknown>>(page.nextRecordsUrl)) as unknown as QueryPage<T>;
    } catch (error) {
      if ((error as { errorCode?: string })?.errorCode !== 'INVALID_QUERY_LOCATOR') throw classifySalesforceError(error);
      page = await first<T>(conn, soqlFrom(cursor), options.scanAll === true);
    }
  }
}

async function first<T>(conn: Connection, soql: string, scanAll: boolean): Promise<QueryPage<T>> {
  try {
    return (await conn.query<T & Record<string, unknown>>(soql, { autoFetch: false, ...(scanAll ? { scanAll: true } : {}) })) as unknown as QueryPage<T>;
  } catch (error) {
    throw classifySalesforceError(error);
  }
}

/** A parent-child subquery's result (null when the parent has no such children), read to its end. */
export async function childRows<T>(conn: Connection, nested: QueryPage<T> | null | undefined): Promise<T[]> {
  if (!nested) return [];
  const rows = [...nested.records];
  let page = nested;
  while (!page.done && page.nextRecordsUrl) {
    try {
      page = (await conn.queryMore<T & Record<string, unknown>>(page.nextRecordsUrl)) as unknown as QueryPage<T>;
    } catch (error) {
      throw classifySalesforceError(error);
    }
    rows.push(...page.records);
  }
  return rows;
}
