import type { PlannedTask } from '../playbook.ts';
import { ownerIdOf, ownerLabelOf } from './route-batch.ts';
import type { CampaignRules, FoundPeople, HandoffPlan, OwnerDirectory, RoutedHandoff, TaskWrite } from './types.ts';

// Task keys: unique per contact, hand-off and task, so a retry finds the task it already created.
const stepKey = (contactId: string, handoffKey: string, step: number) => `${contactId}:${handoffKey}:step${step}`;
const notifyKey = (contactId: string, handoffKey: string, userId: string) => `${contactId}:${handoffKey}:notify:${userId}`;

/** Salesforce user ids start with 005; queues (00G) cannot own tasks. */
const isUserId = (id: string | undefined): id is string => id?.startsWith('005') === true;

/** Each queue's manager (routing.yaml), by the queue's DeveloperName, as fresh and stored decisions both name it. */
export function queueManagersOf(queues: Readonly<Record<string, { salesforce_queue: string; manager?: string | undefined }>>): Map<string, string> {
  return new Map(Object.values(queues).flatMap((q) => (q.manager ? [[q.salesforce_queue, q.manager] as const] : [])));
}

/**
 * Every task key a batch could create (the playbook steps and one per person notified, on a first
 * hand-off), so they can be looked up together with the people before anything is written.
 */
export function candidateTaskKeys(handoffs: readonly RoutedHandoff[], directory: OwnerDirectory): string[] {
  return handoffs
    .filter((h) => h.firstTime)
    .flatMap((h) => [
      ...h.decision.tasks.map((_, i) => stepKey(h.contactId, h.handoffKey, i)),
      ...h.notify.flatMap((email) => {
        const user = directory.usersByEmail.get(email.toLowerCase());
        return user?.active ? [notifyKey(h.contactId, h.handoffKey, user.id)] : [];
      }),
    ]);
}

/**
 * Decides every Salesforce write of a batch of hand-offs from the routed decisions and what
 * Salesforce already holds. A lead of ours (by external ID) is updated, unless it was converted;
 * an open lead with the email is adopted; an existing Contact (or a converted lead's contact) gets
 * no new lead but the task; otherwise a lead is created with its owner. Lead fields, owners and
 * task text are the decision's own (decide()). Tasks go to users only, on a first hand-off, and
 * never twice (keys found in Salesforce are skipped). Pure.
 */
export function planHandoffs(
  handoffs: readonly RoutedHandoff[],
  found: FoundPeople,
  directory: OwnerDirectory,
  now: number,
  campaign?: CampaignRules,
  queueManagers: ReadonlyMap<string, string> = new Map(),
): HandoffPlan {
  const plan: HandoffPlan = { upserts: [], adoptions: [], landings: [], tasks: [], campaignMembers: [], campaignCreates: [], memberStatusCreates: [], skipped: [] };
  for (const h of handoffs) {
    const lead = h.decision.lead;
    if (!lead) continue;
    const ownerLabel = ownerLabelOf(h.assignee);
    let taskOwner = ownerIdOf(h.assignee, directory);
    const known = found.byExternalId.get(h.contactId);
    const email = h.properties.email?.trim().toLowerCase();
    const leads = email ? (found.leadsByEmail.get(email) ?? []) : [];
    const contacts = email ? (found.contactsByEmail.get(email) ?? []) : [];
    const open = leads.find((l) => !l.isConverted && !l.externalId);
    const converted = leads.find((l) => l.isConverted && l.convertedContactId);
    // Handed off again: a converted lead's Contact gets the task, owned by the Contact's owner (the lead's where Salesforce did not say).
    const againOnContact = h.reopenStatus !== undefined && known?.isConverted === true && known.convertedContactId !== null;
    if (known?.isConverted && !againOnContact) {
      plan.skipped.push({ contactId: h.contactId, reason: 'converted-lead' });
      continue;
    }
    let on: MemberOf = {};
    if (known && !againOnContact) {
      on = { leadId: known.id };
      // Handed off again: the same Lead reopened with its routed owner — the one time an update sends Status and OwnerId.
      const owner = ownerIdOf(h.assignee, directory);
      const fields = h.reopenStatus !== undefined ? { ...lead.update, Status: h.reopenStatus, ...(owner ? { OwnerId: owner } : {}) } : lead.update;
      plan.upserts.push({ contactId: h.contactId, isNew: false, fields });
      plan.landings.push({ contactId: h.contactId, object: 'Lead', outcome: 'update', ownerLabel });
    } else if (againOnContact || contacts[0] || converted) {
      const contact = againOnContact
        ? { id: known!.convertedContactId!, ownerId: known!.convertedContactOwnerId ?? known!.ownerId }
        : (contacts[0] ?? { id: converted!.convertedContactId!, ownerId: converted!.ownerId });
      taskOwner = contact.ownerId;
      on = { salesforceContactId: contact.id };
      plan.landings.push({
        contactId: h.contactId,
        object: 'Contact',
        outcome: 'existing_contact',
        salesforceContactId: contact.id,
        ownerId: contact.ownerId,
        ownerLabel: directory.emailsById.get(contact.ownerId) ?? contact.ownerId,
      });
    } else if (open) {
      on = { leadId: open.id };
      plan.adoptions.push({ contactId: h.contactId, leadId: open.id, fields: { ...lead.update, Id: open.id } });
      plan.landings.push({ contactId: h.contactId, object: 'Lead', outcome: 'adopt', leadId: open.id, ownerLabel });
    } else {
      const owner = ownerIdOf(h.assignee, directory);
      plan.upserts.push({ contactId: h.contactId, isNew: true, fields: { ...lead.create, ...(owner ? { OwnerId: owner } : {}) } });
      plan.landings.push({ contactId: h.contactId, object: 'Lead', outcome: 'create', ownerLabel });
    }
    if (h.firstTime) planTasks(h, taskOwner, found, directory, now, plan, queueManagers);
    if (campaign) planMembership(h, on, campaign, found, plan);
  }
  return plan;
}

/** The statuses Salesforce gives a new campaign (docs/salesforce-api.md#campaign-members). */
export const NEW_CAMPAIGN_STATUSES = ['Sent', 'Responded'] as const;

/** The record a hand-off lands on, where it is known before the writes (a new lead's is not). */
type MemberOf = { leadId?: string; salesforceContactId?: string };

/**
 * The hand-off's CampaignMember: of the one Campaign its `name_from` property names, with the
 * configured status. No campaign of that name: skipped (`campaign-missing`), or the campaign is
 * created when `create_missing` says so; two or more: refused with their ids
 * (`campaign-ambiguous`), never guessed; a membership Salesforce has already: `already-member`.
 * A status the campaign lacks is created first (once per campaign and batch). Hand-offs made
 * before campaign membership existed get theirs at their next sync the same way.
 */
function planMembership(h: RoutedHandoff, on: MemberOf, rules: CampaignRules, found: FoundPeople, plan: HandoffPlan): void {
  const name = h.properties[rules.name_from]?.trim();
  if (!name) return;
  const status = rules.member_status;
  const matches = found.campaignsByName?.get(name.toLowerCase()) ?? [];
  if (matches.length > 1) {
    plan.skipped.push({ contactId: h.contactId, reason: 'campaign-ambiguous', campaign: name, campaignIds: matches.map((c) => c.id) });
    return;
  }
  const record = on.leadId ?? on.salesforceContactId;
  const target = matches[0];
  if (!target) {
    if (!rules.create_missing) {
      plan.skipped.push({ contactId: h.contactId, reason: 'campaign-missing', campaign: name });
      return;
    }
    const key = name.toLowerCase();
    if (!plan.campaignCreates.some((c) => c.name.toLowerCase() === key)) {
      plan.campaignCreates.push({ name });
      if (!(NEW_CAMPAIGN_STATUSES as readonly string[]).includes(status)) {
        plan.memberStatusCreates.push({ campaignId: null, campaignName: name, label: status, sortOrder: NEW_CAMPAIGN_STATUSES.length + 1 });
      }
    }
    const campaignName = plan.campaignCreates.find((c) => c.name.toLowerCase() === key)!.name;
    plan.campaignMembers.push({ contactId: h.contactId, campaignId: null, campaignName, ...on, status });
    return;
  }
  if (record && (found.campaignMembers?.has(`${target.id}:${record}`) || plan.campaignMembers.some((m) => m.campaignId === target.id && (m.leadId ?? m.salesforceContactId) === record))) {
    plan.skipped.push({ contactId: h.contactId, reason: 'already-member', campaign: target.name, key: `${target.id}:${record}` });
    return;
  }
  if (!target.statuses.some((s) => s.label === status) && !plan.memberStatusCreates.some((s) => s.campaignId === target.id)) {
    const sortOrder = Math.max(0, ...target.statuses.map((s) => s.sortOrder ?? 0)) + 1;
    plan.memberStatusCreates.push({ campaignId: target.id, campaignName: target.name, label: status, sortOrder });
  }
  plan.campaignMembers.push({ contactId: h.contactId, campaignId: target.id, campaignName: target.name, ...on, status });
}

function planTasks(h: RoutedHandoff, ownerId: string | undefined, found: FoundPeople, directory: OwnerDirectory, now: number, plan: HandoffPlan, queueManagers: ReadonlyMap<string, string>): void {
  const managerEmail = h.assignee.kind === 'queue' ? queueManagers.get(h.assignee.salesforceQueue) : undefined;
  const managerUser = managerEmail ? directory.usersByEmail.get(managerEmail.toLowerCase()) : undefined;
  const manager = managerUser?.active ? managerUser.id : undefined;
  const add = (key: string, kind: TaskWrite['kind'], owner: string, task: PlannedTask) => {
    if (found.existingTaskKeys.has(key)) plan.skipped.push({ contactId: h.contactId, reason: 'task-exists', key });
    else plan.tasks.push({ key, contactId: h.contactId, kind, ownerId: owner, fields: taskFields(task, now) });
  };
  h.decision.tasks.forEach((task, i) => {
    const key = stepKey(h.contactId, h.handoffKey, i);
    // Tasks cannot be owned by queues: a queue-owned lead's task goes to the queue's manager (routing.yaml), else none.
    if (isUserId(ownerId)) add(key, 'playbook', ownerId, task);
    else if (manager) add(key, 'playbook', manager, task);
    else plan.skipped.push({ contactId: h.contactId, reason: 'queue-cannot-own-task', key });
  });
  const note = h.decision.notifyTask;
  if (!note) return;
  for (const email of h.notify) {
    const user = directory.usersByEmail.get(email.toLowerCase());
    if (!user?.active) plan.skipped.push({ contactId: h.contactId, reason: 'notify-user-inactive' });
    else add(notifyKey(h.contactId, h.handoffKey, user.id), 'notify', user.id, note);
  }
}

function taskFields(task: PlannedTask, now: number): TaskWrite['fields'] {
  return {
    Subject: task.subject.slice(0, 255),
    Priority: task.priority,
    Type: task.type,
    Status: 'Not Started',
    ActivityDate: new Date(now + task.dueInMs).toISOString().slice(0, 10),
    ...(task.description ? { Description: task.description } : {}),
  };
}
