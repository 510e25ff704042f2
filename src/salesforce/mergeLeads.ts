import type { Connection } from 'jsforce';
import { classifySalesforceError } from './errors.ts';

/** A merge request's answer as jsforce casts it (Partner WSDL MergeResult). */
interface MergeResult {
  id?: string | null;
  success: boolean;
  mergedRecordIds: string[];
  errors: { statusCode: string; fields?: string[] | null }[];
}

/** Salesforce's "try again" codes, as a merge request's error: the job is retried instead. */
const TRANSIENT = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);

/** "Up to three records can be merged in a single request, including the master record" (merge() docs). */
const PER_REQUEST = 2;

/**
 * Merges leads into a master lead with the SOAP API's merge() (docs/salesforce-api.md#soap-merge),
 * in one call of as many requests as it takes (two leads a request, the same master in each). The
 * master keeps its own field values; the merged leads go to the recycle bin and their related
 * records (tasks, campaign memberships) move to the master.
 * - A request Salesforce refuses (its `errors`) refuses the leads it carried: they come back with
 *   the status code, for a person to look at; the other requests stand (each is its own transaction).
 * - A fault (the whole call refused) and a transient code throw a classified error.
 * Nothing here names record values: codes and ids only.
 */
export async function mergeLeads(conn: Connection, masterId: string, leadIds: readonly string[]): Promise<{ merged: string[]; refused: { leadId: string; code: string }[] }> {
  const requests: string[][] = [];
  for (let i = 0; i < leadIds.length; i += PER_REQUEST) requests.push(leadIds.slice(i, i + PER_REQUEST));
  if (requests.length === 0) return { merged: [], refused: [] };
  let results: MergeResult[];
  try {
    results = (await conn.soap.merge(requests.map((ids) => ({ masterRecord: { type: 'Lead', Id: masterId }, recordToMergeIds: ids })) as never)) as unknown as MergeResult[];
  } catch (error) {
    throw classifySalesforceError(error);
  }
  const merged: string[] = [];
  const refused: { leadId: string; code: string }[] = [];
  requests.forEach((ids, n) => {
    const result = results[n];
    const code = result?.success ? undefined : (result?.errors[0]?.statusCode ?? 'UNKNOWN');
    if (code === undefined) merged.push(...ids);
    else if (TRANSIENT.has(code)) throw classifySalesforceError({ errorCode: code, message: code });
    else refused.push(...ids.map((leadId) => ({ leadId, code })));
  });
  return { merged, refused };
}
