import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';
import { identifier, salesforceId } from './soql.ts';

type Answer = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] };

/**
 * Updates records by Id, an sObject Collections update (`PATCH /composite/sobjects`) per 200,
 * allOrNone false: each record written or refused on its own (docs/salesforce-api.md#sobject-collections).
 */
export async function updateRecords(
  conn: Connection,
  sobject: string,
  updates: readonly { id: string; fields: Record<string, unknown> }[],
  headers: Record<string, string> = {},
): Promise<{ updated: string[]; rejections: Rejection[] }> {
  const updated: string[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < updates.length; i += 200) {
    const chunk = updates.slice(i, i + 200);
    let answers: Answer[];
    try {
      answers = (await conn.sobject(identifier(sobject)).update(chunk.map((u) => ({ ...u.fields, Id: salesforceId(u.id) })) as never, { allOrNone: false, headers } as never)) as unknown as Answer[];
    } catch (error) {
      throw classifySalesforceError(error);
    }
    // jsforce answers a one-record update with an object, not an array.
    (Array.isArray(answers) ? answers : [answers as unknown as Answer]).forEach((answer, n) => {
      const id = chunk[n]!.id;
      if (answer.success) updated.push(id);
      else rejections.push(rejectionOf(id, answer.errors));
    });
  }
  return { updated, rejections };
}
