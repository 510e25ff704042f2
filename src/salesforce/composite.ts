import type { Connection } from 'jsforce';
import { classifySalesforceError } from './errors.ts';
import { queryAll } from './query.ts';

// A composite request may hold at most 5 query or sObject Collections subrequests (Salesforce
// REST API Developer Guide, "Composite"), and counts as one call against the org's allocation.
const QUERIES_PER_CALL = 5;

interface QueryPage<T> {
  records: T[];
  done: boolean;
  nextRecordsUrl?: string;
}

interface CompositeAnswer {
  compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[];
}

/**
 * Runs independent SOQL queries together: up to five in one /composite call instead of one call
 * each. Every result is read to its end (a result past 2,000 rows is followed with queryMore, one
 * call a page, as queryAll does). A refused query fails the whole read with the error Salesforce
 * gave it, named as a direct query's would be. `scanAll` runs them as `/queryAll` (deleted rows too).
 */
export async function queryTogether<T>(conn: Connection, soqls: readonly string[], options: { scanAll?: boolean } = {}): Promise<T[][]> {
  const results: T[][] = [];
  for (let i = 0; i < soqls.length; i += QUERIES_PER_CALL) {
    const chunk = soqls.slice(i, i + QUERIES_PER_CALL);
    if (chunk.length === 1) {
      // One query alone costs one call either way: no composite envelope.
      results.push(await queryAll<T>(conn, chunk[0]!, options));
      continue;
    }
    const base = `/services/data/v${conn.version}`;
    let answer: CompositeAnswer;
    try {
      answer = await conn.requestPost<CompositeAnswer>(`${base}/composite`, {
        allOrNone: false,
        compositeRequest: chunk.map((soql, n) => ({ method: 'GET', url: `${base}/${options.scanAll ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, referenceId: `query${n}` })),
      });
    } catch (error) {
      throw classifySalesforceError(error);
    }
    for (const sub of answer.compositeResponse) {
      if (sub.httpStatusCode >= 400) throw classifySalesforceError(subrequestError(sub.httpStatusCode, sub.body));
      let page = sub.body as QueryPage<T>;
      const records = [...page.records];
      while (!page.done && page.nextRecordsUrl) {
        try {
          page = (await conn.queryMore<T & Record<string, unknown>>(page.nextRecordsUrl)) as unknown as QueryPage<T>;
        } catch (error) {
          throw classifySalesforceError(error);
        }
        records.push(...page.records);
      }
      results.push(records);
    }
  }
  return results;
}

/** A failed subrequest's body is the usual `[{ errorCode, message }]`: shaped like jsforce's error for the same failure. */
export function subrequestError(status: number, body: unknown): Error {
  const first = Array.isArray(body) ? (body[0] as { errorCode?: string; message?: string; fields?: string[] } | undefined) : undefined;
  const errorCode = first?.errorCode ?? `ERROR_HTTP_${status}`;
  const error = new Error(first?.message ?? `composite subrequest failed with HTTP ${status}`) as Error & { errorCode: string; data: unknown };
  error.name = errorCode;
  error.errorCode = errorCode;
  error.data = first ?? {};
  return error;
}
