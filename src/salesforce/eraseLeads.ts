import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';

type Answer = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] };

/**
 * A privacy deletion's reach into Salesforce: the given leads are deleted, or their personal
 * fields overwritten with `anonymised` (one sObject Collections call per 200). A lead already
 * gone counts as erased; a converted lead cannot be edited and is reported for a person to handle.
 */
export async function eraseLeads(
  conn: Connection,
  leadIds: readonly string[],
  mode: 'delete' | 'anonymise',
  anonymised: Record<string, string | null>,
): Promise<{ erased: string[]; rejections: Rejection[] }> {
  const erased: string[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < leadIds.length; i += 200) {
    const chunk = leadIds.slice(i, i + 200);
    let answers: Answer[];
    try {
      answers = (mode === 'delete'
        ? await conn.sobject('Lead').destroy([...chunk], { allOrNone: false } as never)
        : await conn.sobject('Lead').update(chunk.map((Id) => ({ Id, ...anonymised })) as never, { allOrNone: false } as never)) as unknown as Answer[];
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
