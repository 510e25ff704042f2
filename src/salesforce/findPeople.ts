import type { Connection } from 'jsforce';
import type { FoundPeople, KnownCampaign, KnownLead } from '../domain/handoff/types.ts';
import { queryTogether } from './composite.ts';
import { taskKeyQueries } from './createTasks.ts';
import { identifier, inLists } from './soql.ts';

interface LeadRow {
  Id: string;
  Email: string | null;
  OwnerId: string;
  IsConverted: boolean;
  ConvertedContactId: string | null;
  ConvertedContact?: { OwnerId: string } | null;
  [field: string]: unknown;
}
interface ContactRow {
  Id: string;
  Email: string | null;
  OwnerId: string;
}

interface StatusRow {
  CampaignId: string;
  Campaign: { Name: string } | null;
  Label: string;
  SortOrder: number | null;
}
interface MemberRow {
  CampaignId: string;
  LeadId: string | null;
  ContactId: string | null;
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
 * those alone. With campaign names, two more queries ride in the same call: the campaigns of those
 * names through their member statuses (every campaign has one since API 39.0), and the
 * memberships those campaigns hold already of the batch's leads (ours by external ID, others by
 * email) and contacts (by email), so nothing is added twice (docs/salesforce-api.md#campaign-members).
 */
export async function findPeople(
  conn: Connection,
  contactIds: readonly string[],
  emails: readonly string[],
  externalIdField: string,
  taskKeys: readonly string[],
  taskKeyField: string,
  campaignNames: readonly string[] = [],
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
    leadQueries.push(`SELECT Id, Email, OwnerId, IsConverted, ConvertedContactId, ConvertedContact.OwnerId, ${ext} FROM Lead WHERE ${where}`);
  }
  const contactQueries = emailLists.map((list) => `SELECT Id, Email, OwnerId FROM Contact WHERE Email IN (${list})`);
  const keyQueries = taskKeyQueries(taskKeys, taskKeyField);
  const nameLists = inLists([...new Set(campaignNames.map((n) => n.trim()).filter(Boolean))]);
  const statusQueries = nameLists.map((list) => `SELECT CampaignId, Campaign.Name, Label, SortOrder FROM CampaignMemberStatus WHERE Campaign.Name IN (${list})`);
  const memberQueries: string[] = [];
  for (const names of nameLists) {
    for (let i = 0; i < Math.max(idLists.length, emailLists.length); i++) {
      const who = [idLists[i] ? `Lead.${ext} IN (${idLists[i]})` : '', emailLists[i] ? `Lead.Email IN (${emailLists[i]}) OR Contact.Email IN (${emailLists[i]})` : ''].filter(Boolean);
      memberQueries.push(`SELECT CampaignId, LeadId, ContactId FROM CampaignMember WHERE Campaign.Name IN (${names}) AND (${who.join(' OR ')})`);
    }
  }
  const results = await queryTogether<Record<string, unknown>>(conn, [...leadQueries, ...contactQueries, ...keyQueries, ...statusQueries, ...memberQueries]);
  for (const row of results.slice(0, leadQueries.length).flat() as LeadRow[]) {
    const externalId = typeof row[ext] === 'string' && row[ext] ? (row[ext] as string) : null;
    const lead: KnownLead = {
      id: row.Id,
      ownerId: row.OwnerId,
      isConverted: row.IsConverted,
      convertedContactId: row.ConvertedContactId,
      convertedContactOwnerId: row.ConvertedContact?.OwnerId ?? null,
      externalId,
    };
    if (externalId) byExternalId.set(externalId, lead);
    if (row.Email) push(leadsByEmail, row.Email, lead);
  }
  for (const row of results.slice(leadQueries.length, leadQueries.length + contactQueries.length).flat() as unknown as ContactRow[]) {
    if (row.Email && !leadsByEmail.has(row.Email.toLowerCase())) push(contactsByEmail, row.Email, { id: row.Id, ownerId: row.OwnerId });
  }
  let at = leadQueries.length + contactQueries.length;
  const existingTaskKeys = new Set(
    results
      .slice(at, at + keyQueries.length)
      .flat()
      .map((row) => String(row[keyField])),
  );
  at += keyQueries.length;
  const campaigns = new Map<string, KnownCampaign & { statuses: { label: string; sortOrder: number | null }[] }>();
  for (const row of results.slice(at, at + statusQueries.length).flat() as unknown as StatusRow[]) {
    const id = row.CampaignId;
    const campaign = campaigns.get(id) ?? { id, name: row.Campaign?.Name ?? '', statuses: [] };
    campaign.statuses.push({ label: row.Label, sortOrder: row.SortOrder ?? null });
    campaigns.set(id, campaign);
  }
  const campaignsByName = new Map<string, KnownCampaign[]>();
  for (const c of campaigns.values()) push(campaignsByName, c.name, c);
  at += statusQueries.length;
  const campaignMembers = new Set<string>();
  for (const row of results.slice(at).flat() as unknown as MemberRow[]) {
    // A converted lead's membership carries its contact too: both ids count.
    if (row.LeadId) campaignMembers.add(`${row.CampaignId}:${row.LeadId}`);
    if (row.ContactId) campaignMembers.add(`${row.CampaignId}:${row.ContactId}`);
  }
  return { byExternalId, leadsByEmail, contactsByEmail, existingTaskKeys, campaignsByName, campaignMembers };
}
