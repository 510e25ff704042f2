import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';
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
 * Creates tasks, 200 a call, each with its key in `keyField`. The caller looked the keys up
 * before (with its other reads); a key another run created meanwhile is refused by the unique key
 * field with DUPLICATE_VALUE, which counts as created before, not as a failure.
 */
export async function createTasks(conn: Connection, tasks: readonly TaskToCreate[], keyField: string): Promise<{ created: string[]; existing: string[]; rejections: Rejection[] }> {
  const field = identifier(keyField);
  const created: string[] = [];
  const existing: string[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < tasks.length; i += 200) {
    const chunk = tasks.slice(i, i + 200);
    let answers: { id?: string; success: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] }[];
    try {
      answers = (await conn.sobject('Task').create(chunk.map((t) => ({ ...t.fields, [field]: t.key })) as never, { allOrNone: false } as never)) as never;
    } catch (error) {
      throw classifySalesforceError(error);
    }
    answers.forEach((answer, n) => {
      const key = chunk[n]!.key;
      if (answer.success) created.push(key);
      else if (answer.errors[0]?.statusCode === 'DUPLICATE_VALUE') existing.push(key);
      else rejections.push(rejectionOf(key, answer.errors));
    });
  }
  return { created, existing, rejections };
}
