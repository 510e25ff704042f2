import type { HandoffPlan, Landing } from '../domain/handoff/types.ts';
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
}

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
  return { landed, rejections: [...rejections, ...created.rejections], tasksCreated: created.created.length };
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
