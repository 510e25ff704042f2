import type { Connection } from 'jsforce';
import type { PastMemberFacts } from '../domain/feedback/past-members.ts';
import type { KnownCampaign } from '../domain/handoff/types.ts';
import { queryTogether } from './composite.ts';
import { IDS_PER_QUERY, idLists, inLists, quote, salesforceId } from './soql.ts';

interface StatusRow {
  CampaignId: string;
  Campaign: { Name: string } | null;
  Label: string;
  SortOrder: number | null;
}
interface LeadRow {
  Id: string;
  IsConverted: boolean;
  ConvertedContactId: string | null;
}
interface MemberRow {
  CampaignId: string;
  LeadId: string | null;
  ContactId: string | null;
}

/**
 * What the one-time campaign member pass needs to know of a page of past hand-offs, in two
 * composite reads (five queries a call): first the campaigns of the names through their member
 * statuses (every campaign has one since API 39.0), the Leads (converted or not, with the Contact
 * each became) and the Contacts by Id; then the memberships those campaigns hold of those records,
 * `CampaignId IN (…) AND LeadId IN (…)` and `… AND ContactId IN (…)`, each id list at most
 * IDS_PER_QUERY long so no query's URI passes Salesforce's 16,384-byte limit
 * (docs/salesforce-api.md#uri-length, #campaign-members).
 */
export async function readPastMemberFacts(conn: Connection, options: { names: readonly string[]; leadIds: readonly string[]; contactIds: readonly string[] }): Promise<PastMemberFacts> {
  // A name costs up to three times its length once URL-encoded: 4,000 characters of literals keep the URI under the limit.
  const statusQueries = inLists([...new Set(options.names.map((n) => n.trim()).filter(Boolean))], 4_000).map(
    (list) => `SELECT CampaignId, Campaign.Name, Label, SortOrder FROM CampaignMemberStatus WHERE Campaign.Name IN (${list})`,
  );
  const leadQueries = idLists(options.leadIds).map((list) => `SELECT Id, IsConverted, ConvertedContactId FROM Lead WHERE Id IN (${list})`);
  const contactQueries = idLists(options.contactIds).map((list) => `SELECT Id FROM Contact WHERE Id IN (${list})`);
  const first = await queryTogether<Record<string, unknown>>(conn, [...statusQueries, ...leadQueries, ...contactQueries]);

  const campaigns = new Map<string, KnownCampaign & { statuses: { label: string; sortOrder: number | null }[] }>();
  for (const row of first.slice(0, statusQueries.length).flat() as unknown as StatusRow[]) {
    const campaign = campaigns.get(row.CampaignId) ?? { id: row.CampaignId, name: row.Campaign?.Name ?? '', statuses: [] };
    campaign.statuses.push({ label: row.Label, sortOrder: row.SortOrder ?? null });
    campaigns.set(row.CampaignId, campaign);
  }
  const campaignsByName = new Map<string, KnownCampaign[]>();
  for (const c of campaigns.values()) campaignsByName.set(c.name.toLowerCase(), [...(campaignsByName.get(c.name.toLowerCase()) ?? []), c]);
  const leads = new Map<string, { isConverted: boolean; convertedContactId: string | null }>();
  for (const row of first.slice(statusQueries.length, statusQueries.length + leadQueries.length).flat() as unknown as LeadRow[]) {
    leads.set(row.Id, { isConverted: row.IsConverted === true, convertedContactId: row.ConvertedContactId ?? null });
  }
  const contacts = new Set((first.slice(statusQueries.length + leadQueries.length).flat() as { Id: string }[]).map((r) => r.Id));
  // A converted lead's membership is its Contact's: that Contact is asked for too.
  const converted = [...leads.values()].flatMap((l) => (l.isConverted && l.convertedContactId ? [l.convertedContactId] : []));
  // A conversion's Contact is taken as existing (the lead names it); were it deleted, the member is refused and dead-lettered.
  for (const id of converted) contacts.add(id);

  const members = new Set<string>();
  const campaignIds = [...campaigns.keys()];
  if (campaignIds.length === 0) return { campaignsByName, leads, contacts, members };
  const memberQueries: string[] = [];
  // Both IN lists travel in one URI: together at most IDS_PER_QUERY ids (campaigns first, up to half of them).
  for (const campaignChunk of chunks(campaignIds, IDS_PER_QUERY / 2)) {
    const campaignList = campaignChunk.map((id) => quote(salesforceId(id))).join(', ');
    const room = IDS_PER_QUERY - campaignChunk.length;
    for (const [field, ids] of [
      ['LeadId', [...leads.keys()]],
      ['ContactId', [...contacts]],
    ] as const) {
      for (const chunk of chunks(ids, room)) {
        memberQueries.push(`SELECT CampaignId, LeadId, ContactId FROM CampaignMember WHERE CampaignId IN (${campaignList}) AND ${field} IN (${chunk.map((id) => quote(salesforceId(id))).join(', ')})`);
      }
    }
  }
  for (const row of (await queryTogether<MemberRow>(conn, memberQueries)).flat()) {
    // A converted lead's membership carries its Contact too: both ids count.
    if (row.LeadId) members.add(`${row.CampaignId}:${row.LeadId}`);
    if (row.ContactId) members.add(`${row.CampaignId}:${row.ContactId}`);
  }
  return { campaignsByName, leads, contacts, members };
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
