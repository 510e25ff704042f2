import type { Connection } from 'jsforce';
import { queryAll } from './query.ts';
import { inLists } from './soql.ts';

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

function push<T>(map: Map<string, T[]>, email: string, value: T): void {
  const key = email.toLowerCase();
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Who Salesforce already knows, before anything is created: an open Lead is adopted, a Contact
 * gets no new Lead, a converted Lead is never written. One Lead query for both keys a page has: our external ID (records leadloop wrote) and email
 * (records sales or other tools wrote), then Contacts only for emails no Lead answered.
 */
export async function findPeople(conn: Connection, contactIds: readonly string[], emails: readonly string[], externalIdField: string) {
  const byExternalId = new Map<string, ExistingLead>();
  const leads = new Map<string, ExistingLead[]>();
  const contacts = new Map<string, ExistingContact[]>();
  const wantedEmails = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const idLists = inLists(contactIds);
  const emailLists = inLists(wantedEmails);
  for (let i = 0; i < Math.max(idLists.length, emailLists.length); i++) {
    const where = [idLists[i] ? `${externalIdField} IN (${idLists[i]})` : '', emailLists[i] ? `Email IN (${emailLists[i]})` : ''].filter(Boolean).join(' OR ');
    const rows = await queryAll<ExistingLead & Record<string, string | null>>(conn, `SELECT Id, Email, OwnerId, IsConverted, ConvertedContactId, ${externalIdField} FROM Lead WHERE ${where}`);
    for (const row of rows) {
      const lead: ExistingLead = { Id: row.Id, Email: row.Email, OwnerId: row.OwnerId, IsConverted: row.IsConverted, ConvertedContactId: row.ConvertedContactId, externalId: row[externalIdField] ?? null };
      if (lead.externalId) byExternalId.set(lead.externalId, lead);
      if (lead.Email) push(leads, lead.Email, lead);
    }
  }
  const withoutLead = wantedEmails.filter((e) => !leads.has(e));
  for (const list of inLists(withoutLead)) {
    for (const row of await queryAll<ExistingContact>(conn, `SELECT Id, Email, OwnerId, AccountId FROM Contact WHERE Email IN (${list})`)) push(contacts, row.Email, row);
  }
  return { byExternalId, leads, contacts };
}
