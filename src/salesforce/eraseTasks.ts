import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';
import { queryAll } from './query.ts';
import { escapeSoqlLike, identifier } from './soql.ts';

/** What an erased task keeps: leadloop's templates can name the person in the subject and comments. */
export const ERASED_TASK = { Subject: '[erased]', Description: null } as const;

type Answer = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] };

/**
 * A privacy deletion's reach into the tasks leadloop created for a contact (their key field starts
 * with `<contact id>:`): deleted, or their subject and comments blanked (one query, then one
 * sObject Collections call per 200). A task already gone counts as erased.
 */
export async function eraseTasks(conn: Connection, contactId: string, keyField: string, mode: 'delete' | 'anonymise'): Promise<{ erased: string[]; rejections: Rejection[] }> {
  const field = identifier(keyField);
  const rows = await queryAll<{ Id: string }>(conn, `SELECT Id FROM Task WHERE ${field} LIKE '${escapeSoqlLike(`${contactId}:`)}%'`);
  const ids = rows.map((r) => r.Id);
  const erased: string[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    let answers: Answer[];
    try {
      answers = (mode === 'delete'
        ? await conn.sobject('Task').destroy(chunk, { allOrNone: false } as never)
        : await conn.sobject('Task').update(chunk.map((Id) => ({ Id, ...ERASED_TASK })) as never, { allOrNone: false } as never)) as unknown as Answer[];
    } catch (error) {
      throw classifySalesforceError(error);
    }
    answers.forEach((answer, n) => {
      const id = chunk[n]!;
      const code = answer.errors[0]?.statusCode ?? '';
      if (answer.success || code === 'ENTITY_IS_DELETED' || code === 'INVALID_CROSS_REFERENCE_KEY') erased.push(id);
      else rejections.push(rejectionOf(id, answer.errors));
    });
  }
  return { erased, rejections };
}
