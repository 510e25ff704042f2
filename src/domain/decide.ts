import type { LeadloopConfig } from './config/index.ts';
import { toSalesforceFields, type SalesforceValue } from './mapping/lead-fields.ts';
import { playbook, type PlannedTask } from './playbook.ts';
import { route } from './routing/route.ts';
import type { RouteResult, RoutingContext } from './routing/types.ts';
import { score } from './scoring/score.ts';
import type { ContactHistory, ScoreResult, ScoringContact } from './scoring/types.ts';

export interface LeadDecision {
  score: ScoreResult;
  /** Present when the contact is handed off. */
  route?: RouteResult;
  /** The Salesforce Lead fields a create writes (the owner comes from `route`), and an update (sales-owned and create-only fields left out). */
  lead?: { create: Record<string, SalesforceValue>; update: Record<string, SalesforceValue> };
  /** The playbook tasks for the owner. */
  tasks: PlannedTask[];
  /** The task each person routing notifies gets. */
  notifyTask?: PlannedTask;
}

/**
 * Everything leadloop decides about one contact, in one place: score and grade, hand-off,
 * owner, the Salesforce lead to write, the playbook tasks and the note for people notified.
 * Used by the sync, the webhook hand-off and `leadloop explain`, so the three can never disagree.
 */
export function decide(contact: ScoringContact, history: ContactHistory, config: LeadloopConfig, context: RoutingContext): LeadDecision {
  const result = score(contact, history, config.scoring, context.now);
  if (!result.handoff) return { score: result, tasks: [] };
  const routed = route({ id: contact.id, properties: contact.properties, grade: result.grade, score: result.score }, config.routing, context);
  const facts = { contactId: contact.id, properties: contact.properties, score: result.score, grade: result.grade, handoffReason: result.handoffReason };
  const lead = {
    create: toSalesforceFields(facts, config.mapping.lead.fields, config.mapping, 'create'),
    update: toSalesforceFields(facts, config.mapping.lead.fields, config.mapping, 'update'),
  };
  const name = [contact.properties.firstname, contact.properties.lastname].filter(Boolean).join(' ') || 'This contact';
  const company = contact.properties.company || 'company unknown';
  const tasks = playbook(result.grade, true, config.sync, {
    name,
    company,
    source: contact.properties[config.mapping.campaign.name_from] || contact.properties.lead_source || 'an unknown source',
    grade: result.grade,
    score: String(result.score),
  });
  const notifyTask: PlannedTask = { subject: `FYI: ${result.grade} lead handed to sales`, priority: 'Normal', type: 'Other', dueInMs: 0, description: `Escalation: ${name} (${company}).` };
  return { score: result, route: routed, lead, tasks, notifyTask };
}
