import type { Connection } from 'jsforce';
import { InvalidRecord } from '../errors.ts';
import { toSalesforceError } from './errors.ts';
import { queryAll } from './query.ts';
import { identifier, inLists } from './soql.ts';

export interface TaskToCreate {
  /** Unique key (e.g. contact id + hand-off + playbook step): a retry never creates the task twice. */
  key: string;
  fields: Record<string, unknown>;
}

/** The queries that tell which of these task keys exist already (one per 500 keys); rows carry the key field. */
export function taskKeyQueries(keys: readonly string[], keyField: string): string[] {
  const field = identifier(keyField);
  return inLists(keys).map((list) => `SELECT Id, ${field} FROM Task WHERE ${field} IN (${list})`);
}

/**
 * Creates tasks idempotently: the key field is checked first (one query per 500 keys, or by the
 * caller together with its other reads: `existing`), only the missing tasks are created, 200 a call.
 */
export async function createTasks(
  conn: Connection,
  tasks: readonly TaskToCreate[],
  keyField: string,
  options: { skipLookup?: (key: string) => boolean; existing?: ReadonlySet<string> } = {},
): Promise<{ created: string[]; existing: string[]; invalid: InvalidRecord[]; calls: number }> {
  const field = identifier(keyField);
  const existing = new Set<string>(options.existing ?? []);
  let calls = 0;
  // Keys of records just created need no lookup; a unique key field still refuses a duplicate.
  if (!options.existing) {
    for (const soql of taskKeyQueries(tasks.map((t) => t.key).filter((key) => !options.skipLookup?.(key)), keyField)) {
      calls += 1;
      for (const row of await queryAll<Record<string, string>>(conn, soql)) existing.add(row[field]!);
    }
  }
  const missing = tasks.filter((t) => !existing.has(t.key));
  const created: string[] = [];
  const invalid: InvalidRecord[] = [];
  for (let i = 0; i < missing.length; i += 200) {
    const chunk = missing.slice(i, i + 200);
    calls += 1;
    let answers: { id?: string; success: boolean; errors: { statusCode: string; message: string }[] }[];
    try {
      answers = (await conn.sobject('Task').create(chunk.map((t) => ({ ...t.fields, [field]: t.key })) as never, { allOrNone: false } as never)) as never;
    } catch (error) {
      throw toSalesforceError(error);
    }
    answers.forEach((answer, n) => {
      const key = chunk[n]!.key;
      if (answer.success) created.push(key);
      // A concurrent run created it first: the unique key field says so, and that is fine.
      else if (answer.errors[0]?.statusCode === 'DUPLICATE_VALUE') existing.add(key);
      else invalid.push(new InvalidRecord('salesforce', key, answer.errors[0]?.statusCode ?? 'UNKNOWN', answer.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '), answer.errors));
    });
  }
  return { created, existing: [...existing], invalid, calls };
}
