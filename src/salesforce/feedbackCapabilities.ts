import type { Connection } from 'jsforce';
import type { FeedbackCapabilities } from '../domain/feedback/types.ts';
import { describeFields } from './describeFields.ts';
import { queryAll } from './query.ts';

/** The fields mapping.yaml names for the feedback, as SalesforceFeedback is given them. */
export interface FeedbackFields {
  externalIdField: string;
  lossReasonField: string;
  competitorField: string;
  competitorFrom: 'field' | 'opportunity_competitor' | 'either';
  disqualifiedReasonField?: string;
}

/**
 * What the org offers the feedback, in at most 3 calls: whether Lead.Status history is tracked
 * (FieldDefinition.IsFieldHistoryTracked, docs/salesforce-api.md#fielddefinition), and from the
 * describe of Opportunity (and of Lead, only when a disqualification reason field is named)
 * whether CurrencyIsoCode (a multi-currency org) and the named fields exist. A field missing
 * reads as null rather than failing every query with INVALID_FIELD.
 */
export async function feedbackCapabilities(conn: Connection, fields: FeedbackFields): Promise<FeedbackCapabilities> {
  const statusHistory = await leadStatusHistoryTracked(conn);
  const described = await describeFields(conn, fields.disqualifiedReasonField ? ['Opportunity', 'Lead'] : ['Opportunity']);
  const opportunity = described.get('Opportunity');
  const lead = described.get('Lead');
  const has = (object: typeof opportunity, field: string | undefined) => field !== undefined && object?.has(field.toLowerCase()) === true;
  return {
    statusHistoryTracked: statusHistory,
    multiCurrency: has(opportunity, 'CurrencyIsoCode'),
    lossReasonField: has(opportunity, fields.lossReasonField),
    competitorField: has(opportunity, fields.competitorField),
    disqualifiedReasonField: has(lead, fields.disqualifiedReasonField),
  };
}

/** Whether field history tracking is on for Lead.Status (FieldDefinition.IsFieldHistoryTracked, docs/salesforce-api.md#fielddefinition): one query. */
export async function leadStatusHistoryTracked(conn: Connection): Promise<boolean> {
  const tracked = await queryAll<{ QualifiedApiName: string; IsFieldHistoryTracked: boolean }>(
    conn,
    "SELECT QualifiedApiName, IsFieldHistoryTracked FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Lead' AND QualifiedApiName = 'Status'",
  );
  return tracked.some((row) => row.IsFieldHistoryTracked === true);
}
