import type { Connection } from 'jsforce';
import { classifySalesforceError } from './errors.ts';

/**
 * Runs a SOQL query to its end (every nextRecordsUrl page), mapping failures to named errors.
 * `scanAll` sends it to `/queryAll`, which also returns deleted rows (docs/salesforce-api.md#queryall-and-isdeleted).
 */
export async function queryAll<T>(conn: Connection, soql: string, options: { scanAll?: boolean } = {}): Promise<T[]> {
  try {
    const result = await conn.query<T & Record<string, unknown>>(soql, { autoFetch: true, maxFetch: 10_000_000, ...(options.scanAll ? { scanAll: true } : {}) });
    return result.records as T[];
  } catch (error) {
    throw classifySalesforceError(error);
  }
}
