import type { Connection } from 'jsforce';
import { classifySalesforceError } from './errors.ts';

/** Runs a SOQL query to its end (every nextRecordsUrl page), mapping failures to named errors. */
export async function queryAll<T>(conn: Connection, soql: string): Promise<T[]> {
  try {
    const result = await conn.query<T & Record<string, unknown>>(soql, { autoFetch: true, maxFetch: 10_000_000 });
    return result.records as T[];
  } catch (error) {
    throw classifySalesforceError(error);
  }
}
