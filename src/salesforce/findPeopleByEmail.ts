import type { Connection } from 'jsforce';
import { inLists } from './soql.ts';
import { queryAll } from './query.ts';

export interface ExistingLead {
  Id: string;
  Email: string;
  OwnerId: string;
  IsConverted: boolean;
  ConvertedContactId: string | null;
  externalId: string | null;
}
export interface ExistingContact {
  Id: string;
  Email: string;
  OwnerId: string;
  AccountId: string | null;
}

/**
 * Who Salesforce already knows, by email (lower case): open or converted Leads and Contacts.
 * Before creating anything: an open Lead is adopted, a Contact gets no new Lead, a converted Lead
 * is never written.
 */
export async function findPeopleByEmail(conn: Connection, emails: readonly string[], externalIdField: string) {
  const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const leads = new Map<string, ExistingLead[]>();
  const contacts = new Map<string, ExistingContact[]>();
  for (const list of inLists(unique)) {
    const leadRows = await queryAll<ExistingLead & Record<string, string | null>>(conn, `SELECT Id, Email, OwnerId, IsConverted, ConvertedContactId, ${externalIdField} FROM Lead WHERE Email IN (${list})`);
    for (const row of leadRows) push(leads, row.Email, { Id: row.Id, Email: row.Email, OwnerId: row.OwnerId, IsConverted: row.IsConverted, ConvertedContactId: row.ConvertedContactId, externalId: row[externalIdField] ?? null });
    const contactRows = await queryAll<ExistingContact>(conn, `SELECT Id, Email, OwnerId, AccountId FROM Contact WHERE Email IN (${list})`);
    for (const row of contactRows) push(contacts, row.Email, row);
  }
  return { leads, contacts };
}

function push<T>(map: Map<string, T[]>, email: string, value: T): void {
  const key = email.toLowerCase();
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
