import type { Connection } from 'jsforce';
import type { FoundPeople, KnownLead } from '../domain/handoff/types.ts';
import { queryTogether } from './composite.ts';
import { taskKeyQueries } from './createTasks.ts';
import { identifier, inLists } from './soql.ts';

interface LeadRow {
  Id: string;
  Email: string | null;
  OwnerId: string;
  IsConverted: boolean;
  ConvertedContactId: string | null;
  [field: string]: unknown;
}
interface ContactRow {
  Id: string;
  Email: string | null;
  OwnerId: string;
}

function push<T>(map: Map<string, T[]>, email: string, value: T): void {
  const key = email.toLowerCase();
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Who Salesforce already knows, before anything is created: Lead queries for both keys a batch
 * has (our external ID: records leadloop wrote; email: records sales or other tools wrote),
 * Contact queries by email and the task-key lookup go together in one composite call
 * (queryTogether). Contacts count only for emails no Lead answered, as if they had been asked for
 * those alone.
 */
export async function findPeople(
  conn: Connection,
  contactIds: readonly string[],
  emails: readonly string[],
  externalIdField: string,
  taskKeys: readonly string[],
  taskKeyField: string,
): Promise<FoundPeople> {
  const ext = identifier(externalIdField);
  const keyField = identifier(taskKeyField);
  const byExternalId = new Map<string, KnownLead>();
  const leadsByEmail = new Map<string, KnownLead[]>();
  const contactsByEmail = new Map<string, { id: string; ownerId: string }[]>();
  const wantedEmails = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const idLists = inLists(contactIds);
  const emailLists = inLists(wantedEmails);
  const leadQueries: string[] = [];
  for (let i = 0; i < Math.max(idLists.length, emailLists.length); i++) {
    const where = [idLists[i] ? `${ext} IN (${idLists[i]})` : '', emailLists[i] ? `Email IN (${emailLists[i]})` : ''].filter(Boolean).join(' OR ');
    leadQueries.push(`SELECT Id, Email, OwnerId, IsConverted, ConvertedContactId, ${ext} FROM Lead WHERE ${where}`);
  }
  const contactQueries = emailLists.map((list) => `SELECT Id, Email, OwnerId FROM Contact WHERE Email IN (${list})`);
  const keyQueries = taskKeyQueries(taskKeys, taskKeyField);
  const results = await queryTogether<Record<string, unknown>>(conn, [...leadQueries, ...contactQueries, ...keyQueries]);
  for (const row of results.slice(0, leadQueries.length).flat() as LeadRow[]) {
    const externalId = typeof row[ext] === 'string' && row[ext] ? (row[ext] as string) : null;
    const lead: KnownLead = { id: row.Id, ownerId: row.OwnerId, isConverted: row.IsConverted, convertedContactId: row.ConvertedContactId, externalId };
    if (externalId) byExternalId.set(externalId, lead);
    if (row.Email) push(leadsByEmail, row.Email, lead);
  }
  for (const row of results.slice(leadQueries.length, leadQueries.length + contactQueries.length).flat() as unknown as ContactRow[]) {
    if (row.Email && !leadsByEmail.has(row.Email.toLowerCase())) push(contactsByEmail, row.Email, { id: row.Id, ownerId: row.OwnerId });
  }
  const existingTaskKeys = new Set(
    results
      .slice(leadQueries.length + contactQueries.length)
      .flat()
      .map((row) => String(row[keyField])),
  );
  return { byExternalId, leadsByEmail, contactsByEmail, existingTaskKeys };
}
