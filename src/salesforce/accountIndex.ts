import type { Connection } from 'jsforce';
import { normalizeDomain } from '../domain/domain-name.ts';
import { queryAll } from './query.ts';
import { soqlDateTime } from './soql.ts';

export interface IndexedAccount {
  accountId: string;
  /** Null when the Website is empty or not a domain: an index entry it had must go. */
  domain: string | null;
  ownerId: string;
  modifiedAt: number;
}

/**
 * Accounts changed at or after `since`, with normalised website domains (null: none), so lead routing can
 * match an account without a query per lead (Website is free text and not indexed). SystemModstamp
 * has whole seconds, so the boundary second is read again (GTE): storing an account twice is
 * harmless, missing one is not. The caller stores them.
 */
export async function pullAccountIndex(conn: Connection, since: number): Promise<{ accounts: IndexedAccount[]; newest: number }> {
  const rows = await queryAll<{ Id: string; Website: string | null; OwnerId: string; SystemModstamp: string }>(
    conn,
    `SELECT Id, Website, OwnerId, SystemModstamp FROM Account WHERE SystemModstamp >= ${soqlDateTime(since)} ORDER BY SystemModstamp, Id`,
  );
  let newest = since;
  const accounts: IndexedAccount[] = [];
  for (const row of rows) {
    const modifiedAt = Date.parse(row.SystemModstamp.replace(/\+0000$/, 'Z'));
    if (modifiedAt > newest) newest = modifiedAt;
    accounts.push({ accountId: row.Id, domain: normalizeDomain(row.Website) ?? null, ownerId: row.OwnerId, modifiedAt });
  }
  return { accounts, newest };
}
