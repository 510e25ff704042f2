import type { Connection } from 'jsforce';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { toSalesforceFields } from '../domain/mapping/lead-fields.ts';
import { playbook } from '../domain/playbook.ts';
import type { Assignee } from '../domain/routing/types.ts';
import type { ScoreResult } from '../domain/scoring/types.ts';
import { InvalidRecord } from '../errors.ts';
import { createTasks, taskKeyQueries, type TaskToCreate } from '../salesforce/createTasks.ts';
import type { SalesforceDirectory } from '../salesforce/directory.ts';
import { findPeople } from '../salesforce/findPeople.ts';
import { upsertAndUpdate } from '../salesforce/upsertLeads.ts';
import type { PlannedWrite } from './ports.ts';

export interface Handoff {
  contactId: string;
  properties: Record<string, string | null>;
  score: ScoreResult;
  assignee: Assignee;
  notify: string[];
  handoffKey: string;
  /** This run recorded the routing decision (not a retry of an earlier one): tasks are due. */
  firstTime: boolean;
}

export interface PushedHandoff {
  contactId: string;
  handoffKey: string;
  object: 'Lead' | 'Contact';
  salesforceId: string;
  outcome: 'created' | 'adopted' | 'existing_contact' | 'updated';
  ownerLabel: string;
}

export interface PushResult {
  pushed: PushedHandoff[];
  convertedSkipped: string[];
  invalid: InvalidRecord[];
  tasks: number;
}

/**
 * Lands a page of hand-offs in Salesforce. Existing people are found first (by our external ID,
 * then by email): an open Lead is adopted, a Contact (or a converted Lead's contact) gets no new
 * Lead but the task, a converted Lead is never written. New leads get their owner; updates never
 * send OwnerId or Status, so sales' own changes stand. Tasks are created idempotently.
 */
export async function pushHandoffs(conn: Connection, handoffs: readonly Handoff[], config: LeadloopConfig, directory: SalesforceDirectory, now: number, planned?: PlannedWrite[]): Promise<PushResult> {
  const mapping = config.mapping;
  const ext = mapping.external_id_field;
  const result: PushResult = { pushed: [], convertedSkipped: [], invalid: [], tasks: 0 };
  if (handoffs.length === 0) return result;

  // The task keys this batch could create, looked up with the people in the same composite call
  // (free there) instead of a query of their own after the writes: every key that could exist.
  const keyField = mapping.task_key_field;
  const candidateKeys = handoffs.filter((h) => h.firstTime).flatMap((h) => [
    ...playbook(h.score.grade, true, config.sync).map((_, i) => stepKey(h.contactId, h.handoffKey, i)),
    ...h.notify.flatMap((email) => {
      const user = directory.usersByEmail.get(email.toLowerCase());
      return user?.active ? [notifyKey(h.contactId, h.handoffKey, user.id)] : [];
    }),
  ]);
  const people = await findPeople(conn, handoffs.map((h) => h.contactId), handoffs.map((h) => h.properties.email ?? ''), ext, taskKeyQueries(candidateKeys, keyField));
  const existingTaskKeys = new Set(people.also.flat().map((row) => String((row as Record<string, unknown>)[keyField])));
  const byExternalId = people.byExternalId;

  const creates: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const adoptions: { handoff: Handoff; leadId: string; fields: Record<string, unknown> }[] = [];
  const contactTasks: { handoff: Handoff; contactId: string; ownerId: string }[] = [];
  const facts = (h: Handoff) => ({ contactId: h.contactId, properties: h.properties, score: h.score.score, grade: h.score.grade, handoffReason: h.score.handoffReason });

  for (const h of handoffs) {
    const known = byExternalId.get(h.contactId);
    if (known?.IsConverted) {
      result.convertedSkipped.push(h.contactId);
      continue;
    }
    if (known) {
      updates.push(toSalesforceFields(facts(h), mapping.lead.fields, mapping, 'update'));
      continue;
    }
    const email = h.properties.email?.trim().toLowerCase();
    const leads = email ? people.leads.get(email) ?? [] : [];
    const contacts = email ? people.contacts.get(email) ?? [] : [];
    const open = leads.find((l) => !l.IsConverted && !l.externalId);
    const converted = leads.find((l) => l.IsConverted && l.ConvertedContactId);
    if (contacts[0] || converted) {
      const contact = contacts[0] ?? { Id: converted!.ConvertedContactId!, OwnerId: converted!.OwnerId };
      contactTasks.push({ handoff: h, contactId: contact.Id, ownerId: contact.OwnerId });
      continue;
    }
    if (open) {
      adoptions.push({ handoff: h, leadId: open.Id, fields: { ...toSalesforceFields(facts(h), mapping.lead.fields, mapping, 'update'), Id: open.Id } });
      continue;
    }
    const owner = ownerIdOf(h.assignee, directory);
    creates.push({ ...toSalesforceFields(facts(h), mapping.lead.fields, mapping, 'create'), ...(owner ? { OwnerId: owner } : {}) });
  }

  if (planned) {
    // Dry run: what would be written, and nothing is.
    for (const fields of creates) planned.push({ system: 'salesforce', operation: 'lead-create', key: String(fields[ext]), fields });
    for (const fields of updates) planned.push({ system: 'salesforce', operation: 'lead-update', key: String(fields[ext]), fields });
    for (const a of adoptions) planned.push({ system: 'salesforce', operation: 'lead-adopt', key: a.leadId, fields: { ...a.fields, [ext]: a.handoff.contactId } });
    for (const c of contactTasks) planned.push({ system: 'salesforce', operation: 'task-create', key: `${c.handoff.contactId} (existing contact ${c.contactId})` });
    for (const fields of creates) {
      const h = handoffs.find((x) => x.contactId === String(fields[ext]))!;
      for (const t of playbook(h.score.grade, true, config.sync)) planned.push({ system: 'salesforce', operation: 'task-create', key: `${h.contactId}:${h.handoffKey}`, fields: { Subject: t.subject, Priority: t.priority } });
    }
    return result;
  }

  const deferToRules = config.routing.use_salesforce_assignment_rules;
  // New and known leads by external ID, adoptions by Id: together in one composite call when both occur.
  const { upserted: written, updated: adopted } = await upsertAndUpdate(conn, 'Lead', [...creates, ...updates], adoptions.map((a) => a.fields), { externalIdField: ext, useAssignmentRules: deferToRules, allowDuplicateSave: mapping.duplicate_rules === 'allow_save' });
  result.invalid.push(...written.invalid);
  adopted.forEach((answer, i) => {
    const a = adoptions[i]!;
    if (answer.success) result.pushed.push({ contactId: a.handoff.contactId, handoffKey: a.handoff.handoffKey, object: 'Lead', salesforceId: a.leadId, outcome: 'adopted', ownerLabel: ownerLabelOf(a.handoff.assignee) });
    else {
      // Refused like a refused upsert: dead-lettered with its reason, and tried again next time.
      const first = answer.errors[0];
      result.invalid.push(new InvalidRecord('salesforce', a.handoff.contactId, first?.statusCode ?? 'UNKNOWN', first ? `${first.statusCode}: ${first.message}` : 'refused without a reason', answer.errors));
    }
  });
  for (const h of handoffs) {
    const w = written.written.get(h.contactId);
    if (w) result.pushed.push({ contactId: h.contactId, handoffKey: h.handoffKey, object: 'Lead', salesforceId: w.id, outcome: w.created ? 'created' : 'updated', ownerLabel: ownerLabelOf(h.assignee) });
  }
  for (const c of contactTasks) {
    result.pushed.push({ contactId: c.handoff.contactId, handoffKey: c.handoff.handoffKey, object: 'Contact', salesforceId: c.contactId, outcome: 'existing_contact', ownerLabel: directory.emailsById.get(c.ownerId) ?? c.ownerId });
  }

  // Tasks: the playbook for the owner, and one for each person to notify; only on a first hand-off.
  const tasks: TaskToCreate[] = [];
  const byContact = new Map(handoffs.map((h) => [h.contactId, h]));
  for (const p of result.pushed) {
    const h = byContact.get(p.contactId)!;
    if (!h.firstTime) continue;
    const existingOwner = contactTasks.find((c) => c.handoff.contactId === p.contactId)?.ownerId;
    const ownerId = existingOwner ?? ownerIdOf(h.assignee, directory);
    const name = [h.properties.firstname, h.properties.lastname].filter(Boolean).join(' ') || 'This contact';
    const planned = playbook(h.score.grade, true, config.sync, {
      name, company: h.properties.company ?? 'company unknown', source: h.properties[config.mapping.campaign.name_from] ?? h.properties.lead_source ?? 'an unknown source', grade: h.score.grade, score: String(h.score.score),
    });
    // Tasks cannot be owned by queues: a queue-owned lead gets no playbook task; its notify: people still get theirs.
    if (ownerId?.startsWith('005')) {
      planned.forEach((t, i) => tasks.push({ key: stepKey(p.contactId, p.handoffKey, i), fields: taskFields(t.subject, t.priority, t.type, t.description, now + t.dueInMs, p.salesforceId, ownerId) }));
    }
    for (const email of h.notify) {
      const user = directory.usersByEmail.get(email.toLowerCase());
      if (!user?.active) continue;
      tasks.push({ key: notifyKey(p.contactId, p.handoffKey, user.id), fields: taskFields(`FYI: ${h.score.grade} lead handed to sales`, 'Normal', 'Other', `Escalation: ${name} (${h.properties.company ?? 'company unknown'}).`, now, p.salesforceId, user.id) });
    }
  }
  if (tasks.length > 0) {
    // Every key was looked up with the people: a task key not found then does not exist (the lease keeps other runs out).
    const created = await createTasks(conn, tasks, keyField, { existing: existingTaskKeys });
    result.tasks = created.created.length;
    result.invalid.push(...created.invalid);
  }
  return result;
}

// Task keys: unique per contact, hand-off and task, so a retry finds the task it already created.
const stepKey = (contactId: string, handoffKey: string, step: number) => `${contactId}:${handoffKey}:step${step}`;
const notifyKey = (contactId: string, handoffKey: string, userId: string) => `${contactId}:${handoffKey}:notify:${userId}`;

function taskFields(subject: string, priority: string, type: string, description: string | undefined, due: number, whoId: string, ownerId: string): Record<string, unknown> {
  return { Subject: subject.slice(0, 255), Priority: priority, Type: type, Status: 'Not Started', ActivityDate: new Date(due).toISOString().slice(0, 10), WhoId: whoId, OwnerId: ownerId, ...(description ? { Description: description } : {}) };
}

export function ownerIdOf(assignee: Assignee, directory: SalesforceDirectory): string | undefined {
  if (assignee.kind === 'user') return assignee.salesforceUserId ?? (assignee.email ? directory.usersByEmail.get(assignee.email.toLowerCase())?.id : undefined);
  if (assignee.kind === 'queue') return assignee.salesforceQueueId ?? directory.queuesByName.get(assignee.salesforceQueue);
  return undefined;
}

export function ownerLabelOf(assignee: Assignee): string {
  if (assignee.kind === 'user') return assignee.name ?? assignee.email ?? assignee.salesforceUserId ?? '';
  if (assignee.kind === 'queue') return `queue ${assignee.queue}`;
  return 'Salesforce assignment rules';
}
