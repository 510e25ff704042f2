import type { Connection } from 'jsforce';
import { InvalidRecord } from '../errors.ts';
import { toSalesforceError } from './errors.ts';

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
  invalid: InvalidRecord[];
  calls: number;
}

// sObject Collections take at most 200 records a call (API_NOTES §9).
const COLLECTION_LIMIT = 200;

/** Upserts records by external ID through sObject Collections, 200 a call; per-record failures come back as InvalidRecord. */
export async function upsertRecords(conn: Connection, sobject: string, records: readonly Record<string, unknown>[], options: UpsertOptions): Promise<UpsertResult> {
  const result: UpsertResult = { written: new Map(), invalid: [], calls: 0 };
  const headers: Record<string, string> = {};
  if (!options.useAssignmentRules) headers['Sforce-Auto-Assign'] = 'FALSE';
  if (options.allowDuplicateSave) headers['Sforce-Duplicate-Rule-Header'] = 'allowSave=true';
  for (let i = 0; i < records.length; i += COLLECTION_LIMIT) {
    const chunk = records.slice(i, i + COLLECTION_LIMIT);
    result.calls += 1;
    let answers: { id?: string; success: boolean; created?: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] }[];
    try {
      answers = (await conn.sobject(sobject).upsert(chunk as never, options.externalIdField, { allOrNone: false, headers } as never)) as never;
    } catch (error) {
      throw toSalesforceError(error);
    }
    answers.forEach((answer, n) => {
      const key = String(chunk[n]![options.externalIdField]);
      if (answer.success && answer.id) result.written.set(key, { id: answer.id, created: answer.created === true });
      else {
        const first = answer.errors[0];
        result.invalid.push(new InvalidRecord('salesforce', key, first?.statusCode ?? 'UNKNOWN', first ? `${first.statusCode}: ${first.message}${first.fields?.length ? ` (${first.fields.join(', ')})` : ''}` : 'refused without a reason', answer.errors));
      }
    });
  }
  return result;
}
