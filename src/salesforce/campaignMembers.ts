import type { Connection } from 'jsforce';
import type { Rejection } from '../errors/index.ts';
import { classifySalesforceError, rejectionOf } from './errors.ts';

/** What the hand-off creates around campaign membership: the members, and campaigns and member statuses it lacks. */
export type CampaignObject = 'Campaign' | 'CampaignMemberStatus' | 'CampaignMember';

export interface CampaignRecordToCreate {
  /** The caller's key for the record (answers and rejections name it). */
  key: string;
  fields: Record<string, unknown>;
}

/**
 * Creates records of one campaign object through sObject Collections, 200 a call, allOrNone false:
 * one call for a batch's members. A DUPLICATE_VALUE answer (a lead or contact already a member —
 * "Already a campaign member." —, or a status label the campaign has) means the record exists,
 * written by an earlier run whose answer was lost: `existing`, not a rejection.
 * Facts: docs/salesforce-api.md#campaign-members.
 */
export async function createCampaignRecords(
  conn: Connection,
  sobject: CampaignObject,
  records: readonly CampaignRecordToCreate[],
): Promise<{ created: Map<string, string>; existing: string[]; rejections: Rejection[] }> {
  const created = new Map<string, string>();
  const existing: string[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < records.length; i += 200) {
    const chunk = records.slice(i, i + 200);
    let answers: { id?: string; success: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] }[];
    try {
      answers = (await conn.sobject(sobject).create(chunk.map((r) => r.fields) as never, { allOrNone: false } as never)) as never;
    } catch (error) {
      throw classifySalesforceError(error);
    }
    answers.forEach((answer, n) => {
      const key = chunk[n]!.key;
      if (answer.success && answer.id) created.set(key, answer.id);
      else if (answer.errors[0]?.statusCode === 'DUPLICATE_VALUE') existing.push(key);
      else rejections.push(rejectionOf(key, answer.errors));
    });
  }
  return { created, existing, rejections };
}
