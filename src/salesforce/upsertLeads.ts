import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { subrequestError } from './composite.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';
import { identifier } from './soql.ts';

export interface UpsertOptions {
  externalIdField: string;
  /** false (default): send `Sforce-Auto-Assign: FALSE` so the org's assignment rule keeps our OwnerId. */
  useAssignmentRules?: boolean;
  /** Save despite a duplicate-rule match (`Sforce-Duplicate-Rule-Header: allowSave=true`). */
  allowDuplicateSave?: boolean;
}

export interface UpsertResult {
  /** external id → Salesforce id and whether it was created. */
  written: Map<string, { id: string; created: boolean }>;
  rejections: Rejection[];
}

// sObject Collections take at most 200 records a call (docs/salesforce-api.md, "sObject Collections").
const COLLECTION_LIMIT = 200;

/** One record's answer in a Collections response. */
interface SaveAnswer {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: { statusCode: string; message: string; fields?: string[] }[];
}

function headersOf(options: UpsertOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!options.useAssignmentRules) headers['Sforce-Auto-Assign'] = 'FALSE';
  if (options.allowDuplicateSave) headers['Sforce-Duplicate-Rule-Header'] = 'allowSave=true';
  return headers;
}

/** Upserts records by external ID through sObject Collections, 200 a call; per-record refusals come back as rejections. */
export async function upsertRecords(conn: Connection, sobject: string, records: readonly Record<string, unknown>[], options: UpsertOptions): Promise<UpsertResult> {
  const result: UpsertResult = { written: new Map(), rejections: [] };
  const headers = headersOf(options);
  for (const chunk of chunks(records)) {
    let answers: SaveAnswer[];
    try {
      answers = (await conn.sobject(sobject).upsert(chunk as never, options.externalIdField, { allOrNone: false, headers } as never)) as never;
    } catch (error) {
      throw classifySalesforceError(error);
    }
    collectUpserts(chunk, answers, options.externalIdField, result);
  }
  return result;
}

function collectUpserts(chunk: readonly Record<string, unknown>[], answers: readonly SaveAnswer[], externalIdField: string, result: UpsertResult): void {
  answers.forEach((answer, n) => {
    const key = String(chunk[n]![externalIdField]);
    if (answer.success && answer.id) result.written.set(key, { id: answer.id, created: answer.created === true });
    else result.rejections.push(rejectionOf(key, answer.errors));
  });
}

// A composite call holds at most 5 sObject Collections subrequests (and counts as one API call).
const COLLECTIONS_PER_COMPOSITE = 5;

/**
 * Upserts by external ID and updates by Id (records carrying `Id`), with the same headers. When
 * there are both and they fit in one composite call (Collections subrequests of 200, at most
 * five), they go together: one API call instead of two. Each subrequest carries the headers
 * itself: a subrequest inherits none but Accept, Authorization and Content-Type, so a
 * `Sforce-Auto-Assign: FALSE` on the composite request would not keep our owners.
 * `updated` holds the ids of the updates Salesforce saved; the others are rejections keyed by Id.
 */
export async function upsertAndUpdate(
  conn: Connection,
  sobject: string,
  upserts: readonly Record<string, unknown>[],
  updates: readonly Record<string, unknown>[],
  options: UpsertOptions,
): Promise<{ upserted: UpsertResult; updated: Set<string> }> {
  const headers = headersOf(options);
  const upsertChunks = chunks(upserts);
  const updateChunks = chunks(updates);
  const updated = new Set<string>();
  const collectUpdates = (chunk: readonly Record<string, unknown>[], answers: readonly SaveAnswer[], into: UpsertResult) => {
    answers.forEach((answer, n) => {
      const id = String(chunk[n]!.Id);
      if (answer.success) updated.add(id);
      else into.rejections.push(rejectionOf(id, answer.errors));
    });
  };
  if (upsertChunks.length === 0 || updateChunks.length === 0 || upsertChunks.length + updateChunks.length > COLLECTIONS_PER_COMPOSITE) {
    const upserted = await upsertRecords(conn, sobject, upserts, options);
    for (const chunk of updateChunks) {
      let answers: SaveAnswer[];
      try {
        answers = (await conn.sobject(sobject).update(chunk as never, { allOrNone: false, headers } as never)) as never;
      } catch (error) {
        throw classifySalesforceError(error);
      }
      collectUpdates(chunk, answers, upserted);
    }
    return { upserted, updated };
  }
  const base = `/services/data/v${conn.version}`;
  const records = (chunk: readonly Record<string, unknown>[]) => ({ allOrNone: false, records: chunk.map((r) => ({ attributes: { type: sobject }, ...r })) });
  const httpHeaders = Object.keys(headers).length > 0 ? { httpHeaders: headers } : {};
  let answer: { compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[] };
  try {
    answer = await conn.requestPost(`${base}/composite`, {
      allOrNone: false,
      compositeRequest: [
        ...upsertChunks.map((chunk, i) => ({
          method: 'PATCH',
          url: `${base}/composite/sobjects/${identifier(sobject)}/${identifier(options.externalIdField)}`,
          referenceId: `upsert${i}`,
          body: records(chunk),
          ...httpHeaders,
        })),
        ...updateChunks.map((chunk, i) => ({ method: 'PATCH', url: `${base}/composite/sobjects`, referenceId: `update${i}`, body: records(chunk), ...httpHeaders })),
      ],
    });
  } catch (error) {
    throw classifySalesforceError(error);
  }
  const upserted: UpsertResult = { written: new Map(), rejections: [] };
  answer.compositeResponse.forEach((sub, n) => {
    if (sub.httpStatusCode >= 400) throw classifySalesforceError(subrequestError(sub.httpStatusCode, sub.body));
    if (n < upsertChunks.length) collectUpserts(upsertChunks[n]!, sub.body as SaveAnswer[], options.externalIdField, upserted);
    else collectUpdates(updateChunks[n - upsertChunks.length]!, sub.body as SaveAnswer[], upserted);
  });
  return { upserted, updated };
}

function chunks<T>(records: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(records.length / COLLECTION_LIMIT) }, (_, i) => records.slice(i * COLLECTION_LIMIT, (i + 1) * COLLECTION_LIMIT));
}
