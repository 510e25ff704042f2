import type { CampaignMemberWrite, HandoffPlan, Landing } from '../domain/handoff/types.ts';
import type { Rejection } from '../errors/index.ts';
import type { LeadSink, LeadWriteOptions } from './ports.ts';

/** A hand-off that landed: the record, and what happened to it. */
export interface Landed {
  object: 'Lead' | 'Contact';
  salesforceId: string;
  outcome: 'created' | 'adopted' | 'updated' | 'existing_contact';
  ownerLabel: string;
  /** The owner Salesforce gave the record, when the plan knows it (an existing contact's). */
  ownerId?: string;
}

export interface ExecutedPlan {
  landed: Map<string, Landed>;
  /** Records Salesforce refused, keyed by HubSpot contact id (leads) or task key (tasks). */
  rejections: Rejection[];
  tasksCreated: number;
  /** Campaign members created, and found existing (DUPLICATE_VALUE: an earlier run's, its answer lost). */
  campaignMembers: { created: number; existing: number };
}

/** A campaign member's key in answers and dead letters: `<contact>:campaign:<campaign id or name>`. */
export const memberKey = (m: CampaignMemberWrite): string => `${m.contactId}:campaign:${m.campaignId ?? m.campaignName}`;

/**
 * Carries out a plan through the sink, in the order the writes depend on: the lead upserts and
 * adoptions (one composite call where they fit), then the tasks of the hand-offs that landed,
 * each on the record its contact's hand-off landed on. Decides nothing: what to write is the
 * plan's; the one thing learnt here is which writes Salesforce accepted.
 */
export async function executeHandoffPlan(sink: LeadSink, plan: HandoffPlan, options: LeadWriteOptions): Promise<ExecutedPlan> {
  const writes =
    plan.upserts.length + plan.adoptions.length > 0
      ? await sink.writeLeads(
          plan.upserts.map((u) => u.fields),
          plan.adoptions.map((a) => a.fields),
          options,
        )
      : { upserted: new Map(), adopted: new Set<string>(), rejections: [] };
  const contactOfLead = new Map(plan.adoptions.map((a) => [a.leadId, a.contactId]));
  // An adoption is refused by lead Id: the dead letter names the contact, as for an upsert.
  const rejections: Rejection[] = writes.rejections.map((r) => ({ ...r, recordKey: contactOfLead.get(r.recordKey) ?? r.recordKey }));
  const landed = new Map<string, Landed>();
  for (const landing of plan.landings) {
    const record = landedRecord(landing, writes);
    if (record) landed.set(landing.contactId, record);
  }
  const tasks = plan.tasks.flatMap((t) => {
    const on = landed.get(t.contactId);
    return on ? [{ ...t, whoId: on.salesforceId }] : [];
  });
  const created = tasks.length > 0 ? await sink.createTasks(tasks) : { created: [], rejections: [] };
  const members = await writeCampaignMembers(sink, plan, landed);
  return { landed, rejections: [...rejections, ...created.rejections, ...members.rejections], tasksCreated: created.created.length, campaignMembers: members.counts };
}

/**
 * The batch's campaign memberships, each on the record its contact's hand-off landed on: the
 * campaigns to create first (one call, only when there are any), then the member statuses they
 * lack (likewise), then every member in one Collections create. A member whose campaign or status
 * could not be created is not attempted (the refusal is dead-lettered instead).
 */
async function writeCampaignMembers(sink: LeadSink, plan: HandoffPlan, landed: ReadonlyMap<string, Landed>) {
  const rejections: Rejection[] = [];
  const counts = { created: 0, existing: 0 };
  const members = plan.campaignMembers.filter((m) => landed.has(m.contactId));
  if (members.length === 0) return { rejections, counts };
  const campaignIds = new Map<string, string>();
  const creates = plan.campaignCreates.filter((c) => members.some((m) => m.campaignId === null && m.campaignName === c.name));
  if (creates.length > 0) {
    const answer = await sink.createCampaignRecords(
      'Campaign',
      creates.map((c) => ({ key: c.name, fields: { Name: c.name, IsActive: true } })),
    );
    for (const [name, id] of answer.created) campaignIds.set(name, id);
    rejections.push(...answer.rejections.map((r) => ({ ...r, recordKey: `campaign-create:${r.recordKey}` })));
  }
  const campaignOf = (m: { campaignId: string | null; campaignName: string }) => m.campaignId ?? campaignIds.get(m.campaignName);
  const refusedStatus = new Set<string>();
  const statuses = plan.memberStatusCreates.filter((s) => campaignOf(s) !== undefined && members.some((m) => campaignOf(m) === campaignOf(s)));
  if (statuses.length > 0) {
    const answer = await sink.createCampaignRecords(
      'CampaignMemberStatus',
      statuses.map((s) => ({ key: campaignOf(s)!, fields: { CampaignId: campaignOf(s), Label: s.label, HasResponded: true, SortOrder: s.sortOrder } })),
    );
    for (const r of answer.rejections) refusedStatus.add(r.recordKey);
    rejections.push(...answer.rejections.map((r) => ({ ...r, recordKey: `campaign-status:${r.recordKey}` })));
  }
  const writes = members.flatMap((m) => {
    const campaignId = campaignOf(m);
    if (!campaignId || refusedStatus.has(campaignId)) return [];
    const on = landed.get(m.contactId)!;
    const who = m.leadId ? { LeadId: m.leadId } : m.salesforceContactId ? { ContactId: m.salesforceContactId } : on.object === 'Lead' ? { LeadId: on.salesforceId } : { ContactId: on.salesforceId };
    return [{ key: memberKey(m), fields: { CampaignId: campaignId, ...who, Status: m.status } }];
  });
  if (writes.length === 0) return { rejections, counts };
  const answer = await sink.createCampaignRecords('CampaignMember', writes);
  counts.created = answer.created.size;
  counts.existing = answer.existing.length;
  rejections.push(...answer.rejections);
  return { rejections, counts };
}

function landedRecord(landing: Landing, writes: { upserted: Map<string, { id: string; created: boolean }>; adopted: Set<string> }): Landed | undefined {
  switch (landing.outcome) {
    case 'create':
    case 'update': {
      const written = writes.upserted.get(landing.contactId);
      return written ? { object: 'Lead', salesforceId: written.id, outcome: written.created ? 'created' : 'updated', ownerLabel: landing.ownerLabel } : undefined;
    }
    case 'adopt':
      return writes.adopted.has(landing.leadId) ? { object: 'Lead', salesforceId: landing.leadId, outcome: 'adopted', ownerLabel: landing.ownerLabel } : undefined;
    case 'existing_contact':
      return { object: 'Contact', salesforceId: landing.salesforceContactId, outcome: 'existing_contact', ownerLabel: landing.ownerLabel, ownerId: landing.ownerId };
  }
}
