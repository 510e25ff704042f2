import type { Connection } from 'jsforce';
import type { ContactRole, FeedbackCapabilities, KeysetCursor, OpportunityCompetitorRow, OpportunitySnapshot } from '../domain/feedback/types.ts';
import type { FeedbackFields } from './feedbackCapabilities.ts';
import { childRows, keysetFilter, keysetPages, type KeysetRow } from './keyset.ts';
import { identifier, parseDateTime } from './soql.ts';

interface Nested<T> {
  records: T[];
  done: boolean;
  nextRecordsUrl?: string;
}

type OpportunityRow = KeysetRow & {
  Name: string;
  AccountId: string | null;
  Account: { Website: string | null } | null;
  StageName: string;
  IsClosed: boolean;
  IsWon: boolean;
  Amount: number | null;
  CloseDate: string | null;
  CampaignId: string | null;
  IsDeleted: boolean;
  CreatedDate: string;
  OpportunityContactRoles?: Nested<ContactRoleRow> | null;
  OpportunityCompetitors?: Nested<{ CompetitorName: string; Strengths: string | null; Weaknesses: string | null }> | null;
  [field: string]: unknown;
};

interface ContactRoleRow {
  ContactId: string;
  Role: string | null;
  IsPrimary: boolean;
  Contact: ({ Email: string | null } & Record<string, unknown>) | null;
}

/**
 * Opportunities changed after `after` up to `until`, deleted ones included (queryAll: IsDeleted
 * true; docs/salesforce-api.md#queryall-and-isdeleted), a query page at a time in (SystemModstamp,
 * Id) order with the cursor after its last row. One query reads each opportunity with its
 * account's website and, as parent-child subqueries, its contact roles (with the contact's email
 * and our external ID) and competitors (docs/salesforce-api.md#parent-child-subqueries): a page
 * of up to 2,000 opportunities costs one call. CurrencyIsoCode is selected only in a multi-currency
 * org, the loss reason and competitor fields only when the org has them, and the competitor field
 * and OpportunityCompetitor rows as mapping.yaml's competitor_from allows.
 */
export async function* pullChangedOpportunities(
  conn: Connection,
  fields: FeedbackFields,
  capabilities: FeedbackCapabilities,
  options: { after: KeysetCursor; until: number; multiCurrency: boolean },
): AsyncGenerator<{ opportunities: OpportunitySnapshot[]; cursor: KeysetCursor }> {
  const ext = identifier(fields.externalIdField);
  const lossReason = capabilities.lossReasonField ? identifier(fields.lossReasonField) : undefined;
  const competitorField = fields.competitorFrom !== 'opportunity_competitor' && capabilities.competitorField ? identifier(fields.competitorField) : undefined;
  const competitorRows = fields.competitorFrom !== 'field';
  const select = [
    'Id',
    'Name',
    'AccountId',
    'Account.Website',
    'StageName',
    'IsClosed',
    'IsWon',
    'Amount',
    ...(options.multiCurrency ? ['CurrencyIsoCode'] : []),
    'CloseDate',
    ...(lossReason ? [lossReason] : []),
    ...(competitorField ? [competitorField] : []),
    'CampaignId',
    'IsDeleted',
    'SystemModstamp',
    'CreatedDate',
    `(SELECT ContactId, Role, IsPrimary, Contact.Email, Contact.${ext} FROM OpportunityContactRoles ORDER BY ContactId)`,
    ...(competitorRows ? ['(SELECT CompetitorName, Strengths, Weaknesses FROM OpportunityCompetitors ORDER BY CompetitorName)'] : []),
  ].join(', ');
  const soql = (after: KeysetCursor) => `SELECT ${select} FROM Opportunity WHERE ${keysetFilter(after, options.until)} ORDER BY SystemModstamp, Id`;
  for await (const page of keysetPages<OpportunityRow>(conn, soql, options.after, { scanAll: true })) {
    const opportunities: OpportunitySnapshot[] = [];
    for (const row of page.records) {
      // A subquery of more children than fit in the answer comes with its own nextRecordsUrl (one more call, rare).
      const roles: ContactRole[] = (await childRows(conn, row.OpportunityContactRoles)).map((role) => {
        const externalId = role.Contact?.[ext];
        return {
          contactId: role.ContactId,
          role: role.Role ?? null,
          isPrimary: role.IsPrimary === true,
          externalId: typeof externalId === 'string' && externalId !== '' ? externalId : null,
          email: role.Contact?.Email ?? null,
        };
      });
      const competitors: OpportunityCompetitorRow[] = competitorRows
        ? (await childRows(conn, row.OpportunityCompetitors)).map((c) => ({ competitorName: c.CompetitorName, strengths: c.Strengths ?? null, weaknesses: c.Weaknesses ?? null }))
        : [];
      opportunities.push({
        opportunityId: row.Id,
        name: row.Name,
        accountId: row.AccountId ?? null,
        accountWebsite: row.Account?.Website ?? null,
        stage: row.StageName,
        isClosed: row.IsClosed === true,
        isWon: row.IsWon === true,
        amount: row.Amount ?? null,
        currency: options.multiCurrency ? ((row.CurrencyIsoCode as string | null | undefined) ?? null) : null,
        closeDate: row.CloseDate ?? null,
        lossReason: lossReason ? ((row[lossReason] as string | null | undefined) ?? null) : null,
        competitorField: competitorField ? ((row[competitorField] as string | null | undefined) ?? null) : null,
        competitors,
        campaignId: row.CampaignId ?? null,
        contactRoles: roles,
        isDeleted: row.IsDeleted === true,
        systemModstamp: parseDateTime(row.SystemModstamp),
        createdDate: parseDateTime(row.CreatedDate),
      });
    }
    yield { opportunities, cursor: page.cursor };
  }
}
