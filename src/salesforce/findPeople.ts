import type { Connection } from 'jsforce';
import { queryTogether } from './composite.ts';
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
 * gets no new Lead, a converted Lead is never written. Lead queries for both keys a batch has (our
 * external ID: records leadloop wrote; email: records sales or other tools wrote) and Contact
 * queries by email go together in one composite call (queryTogether), with any `alsoQuery` the
 * caller reads at the same time (e.g. task keys); their rows come back in `also`, in order.
 * Contacts count only for emails no Lead answered, as if they had been asked for those alone.
 */
export async function findPeople(conn: Connection, contactIds: readonly string[], emails: readonly string[], externalIdField: string, alsoQuery: readonly string[] = []) {
  const byExternalId = new Map<string, ExistingLead>();
  const leads = new Map<string, ExistingLead[]>();
  const contacts = new Map<string, ExistingContact[]>();
  const wantedEmails = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const idLists = inLists(contactIds);
  const emailLists = inLists(wantedEmails);
  const leadQueries: string[] = [];
  for (let i = 0; i < Math.max(idLists.length, emailLists.length); i++) {
    const where = [idLists[i] ? `${externalIdField} IN (${idLists[i]})` : '', emailLists[i] ? `Email IN (${emailLists[i]})` : ''].filter(Boolean).join(' OR ');
    leadQueries.push(`SELECT Id, Email, OwnerId, IsConverted, ConvertedContactId, ${externalIdField} FROM Lead WHERE ${where}`);
  }
  const contactQueries = emailLists.map((list) => `SELECT Id, Email, OwnerId, AccountId FROM Contact WHERE Email IN (${list})`);
  const results = await queryTogether<Record<string, unknown>>(conn, [...leadQueries, ...contactQueries, ...alsoQuery]);
  for (const row of results.slice(0, leadQueries.length).flat() as (ExistingLead & Record<string, string | null>)[]) {
    const lead: ExistingLead = { Id: row.Id, Email: row.Email, OwnerId: row.OwnerId, IsConverted: row.IsConverted, ConvertedContactId: row.ConvertedContactId, externalId: row[externalIdField] ?? null };
    if (lead.externalId) byExternalId.set(lead.externalId, lead);
    if (lead.Email) push(leads, lead.Email, lead);
  }
  for (const row of results.slice(leadQueries.length, leadQueries.length + contactQueries.length).flat() as unknown as ExistingContact[]) {
    if (row.Email && !leads.has(row.Email.toLowerCase())) push(contacts, row.Email, row);
  }
  return { byExternalId, leads, contacts, also: results.slice(leadQueries.length + contactQueries.length) };
}
