import type { Connection } from 'jsforce';
import { normalizeDomain } from '../domain/domain-name.ts';
import { classifySalesforceError } from './errors.ts';
import { soqlDateTime } from './soql.ts';

export interface IndexedAccount {
  accountId: string;
  /** Null when the Website is empty or not a domain: an index entry it had must go. */
  domain: string | null;
  ownerId: string;
  modifiedAt: number;
}

interface AccountRow {
  Id: string;
  Website: string | null;
  OwnerId: string;
  SystemModstamp: string;
}

/**
 * Accounts changed at or after `since`, a query page (up to 2,000) at a time, with normalised
 * website domains (null: none), so routing can match an account without a query per lead (Website
 * is free text and not indexed) and an org of a million accounts never sits in memory at once.
 * SystemModstamp has whole seconds, so the boundary second is read again (GTE): storing an account
 * twice is harmless, missing one is not.
 */
export async function* pullAccounts(conn: Connection, since: number): AsyncGenerator<IndexedAccount[]> {
  let page: { records: AccountRow[]; done: boolean; nextRecordsUrl?: string };
  try {
    page = (await conn.query<AccountRow & Record<string, unknown>>(
      `SELECT Id, Website, OwnerId, SystemModstamp FROM Account WHERE SystemModstamp >= ${soqlDateTime(since)} ORDER BY SystemModstamp, Id`,
    )) as never;
  } catch (error) {
    throw classifySalesforceError(error);
  }
  for (;;) {
    yield page.records.map((row) => ({ accountId: row.Id, domain: normalizeDomain(row.Website) ?? null, ownerId: row.OwnerId, modifiedAt: Date.parse(row.SystemModstamp.replace(/\+0000$/, 'Z')) }));
    if (page.done || !page.nextRecordsUrl) return;
    try {
      page = (await conn.queryMore<AccountRow & Record<string, unknown>>(page.nextRecordsUrl)) as never;
    } catch (error) {
      throw classifySalesforceError(error);
    }
  }
}
