import { evaluateCondition, type PropertyBag } from '../config/condition.ts';
import type { RoutingConfig, RoutingOwner, RoutingRule } from '../config/routing.ts';
import { normalizeDomain } from '../domain-name.ts';
import { rotationOf } from './rotation.ts';
import type { Assignee, RouteResult, RoutingContext, RoutingLead, TraceStep } from './types.ts';
import { isWithinWorkingHours } from './working-hours.ts';

type Target = Pick<RoutingRule, 'assign' | 'owner' | 'team' | 'queue'>;
type Placement = { assignee: Assignee; roundRobin?: { team: string; next: number } } | { refused: string };

const directories = new WeakMap<RoutingConfig, Map<string, RoutingOwner>>();

function directoryOf(routing: RoutingConfig): Map<string, RoutingOwner> {
  let directory = directories.get(routing);
  if (!directory) {
    directory = new Map(routing.owners.map((o) => [o.email.toLowerCase(), o]));
    directories.set(routing, directory);
  }
  return directory;
}

/**
 * Decides who gets a lead: the first rule that matches decides; if its people are inactive or
 * at capacity the fallback takes the lead. Escalations add people to notify. Pure: positions,
 * loads and the account index come in through `context`.
 */
export function route(lead: RoutingLead, routing: RoutingConfig, context: RoutingContext): RouteResult {
  const now = typeof context.now === 'number' ? context.now : context.now.getTime();
  const properties: PropertyBag = { ...lead.properties, leadloop_grade: lead.grade, leadloop_score: String(lead.score) };
  const trace: TraceStep[] = [];
  const directory = directoryOf(routing);

  let decided: { rule: string; placement: Extract<Placement, { assignee: Assignee }>; notify: string[] } | undefined;

  if (routing.use_salesforce_assignment_rules) {
    trace.push({ rule: 'salesforce_assignment_rules', matched: true, why: "routing defers to the org's Salesforce assignment rules" });
    decided = { rule: 'salesforce_assignment_rules', placement: { assignee: { kind: 'salesforce_assignment_rules' } }, notify: [] };
  } else {
    for (const rule of routing.rules) {
      if (rule.when && !evaluateCondition(rule.when, properties, now)) {
        trace.push({ rule: rule.id, matched: false, why: 'condition not met' });
        continue;
      }
      const placement = place(rule, rule.respect_working_hours, lead, routing, directory, context, now);
      if ('refused' in placement && rule.assign === 'account_owner') {
        // No existing account: the rule does not apply, the next one may.
        trace.push({ rule: rule.id, matched: false, why: placement.refused });
        continue;
      }
      if ('refused' in placement) {
        trace.push({ rule: rule.id, matched: true, why: `${placement.refused}: using the fallback` });
        break;
      }
      trace.push({ rule: rule.id, matched: true, why: describeAssignee(placement.assignee) });
      decided = { rule: rule.id, placement, notify: rule.notify };
      break;
    }
  }

  if (!decided) {
    const placement = placeFallback(routing, lead, directory, context, now);
    trace.push({ rule: 'fallback', matched: true, why: describeAssignee(placement.assignee) });
    decided = { rule: 'fallback', placement, notify: routing.fallback.notify };
  }

  const notify = collectNotify(decided.notify, decided.rule, routing, properties, now, decided.placement.assignee);
  return {
    assignee: decided.placement.assignee,
    rule: decided.rule,
    notify,
    trace,
    ...(decided.placement.roundRobin ? { roundRobin: decided.placement.roundRobin } : {}),
  };
}

function place(target: Target, respectHours: boolean, lead: RoutingLead, routing: RoutingConfig, directory: Map<string, RoutingOwner>, context: RoutingContext, now: number): Placement {
  switch (target.assign) {
    case 'queue': {
      const queue = routing.queues[target.queue!];
      if (!queue) return { refused: `queue "${target.queue}" is not defined` };
      return {
        assignee: {
          kind: 'queue',
          queue: target.queue!,
          salesforceQueue: queue.salesforce_queue,
          ...(queue.salesforce_queue_id ? { salesforceQueueId: queue.salesforce_queue_id } : {}),
        },
      };
    }
    case 'owner': {
      const owner = directory.get(target.owner!.toLowerCase());
      if (!owner) return { refused: `owner ${target.owner} is not in the owner directory` };
      const unavailable = unavailability(owner, respectHours, context, now);
      return unavailable ? { refused: `${owner.email} ${unavailable}` } : { assignee: userOf(owner) };
    }
    case 'team': {
      const team = routing.teams[target.team!];
      if (!team) return { refused: `team "${target.team}" is not defined` };
      const rotation = rotationOf(team);
      const start = context.roundRobin[target.team!] ?? 0;
      const skipped: string[] = [];
      for (let offset = 0; offset < rotation.length; offset++) {
        const email = rotation[(start + offset) % rotation.length]!;
        const owner = directory.get(email);
        const unavailable = owner ? unavailability(owner, respectHours, context, now) : 'is not in the owner directory';
        if (!unavailable && owner) return { assignee: userOf(owner), roundRobin: { team: target.team!, next: start + offset + 1 } };
        skipped.push(`${email} ${unavailable}`);
      }
      return { refused: `nobody in team ${target.team} is available (${skipped.join('; ')})` };
    }
    case 'account_owner': {
      const domain = normalizeDomain(lead.properties.email) ?? normalizeDomain(lead.properties.website);
      const account = domain ? context.accountByDomain(domain) : undefined;
      if (!domain || !account) return { refused: domain ? `no account with the domain ${domain}` : 'the lead has no usable domain' };
      const owner = account.ownerEmail ? directory.get(account.ownerEmail.toLowerCase()) : undefined;
      if (owner) {
        // The account owner keeps the relationship: capacity does not apply, being active does.
        const inactive = isInactive(owner, context);
        return inactive ? { refused: `account owner ${owner.email} is inactive` } : { assignee: userOf(owner) };
      }
      if (!account.ownerId) return { refused: `account ${account.accountId} has no owner` };
      return { assignee: { kind: 'user', salesforceUserId: account.ownerId, ...(account.ownerEmail ? { email: account.ownerEmail } : {}) } };
    }
  }
}

/** The fallback must always place the lead: it ignores capacity and hours, and skips the inactive while it can. */
function placeFallback(routing: RoutingConfig, lead: RoutingLead, directory: Map<string, RoutingOwner>, context: RoutingContext, now: number): Extract<Placement, { assignee: Assignee }> {
  const fallback = routing.fallback;
  const relaxed: RoutingContext = { ...context, loadToday: {} };
  const placement = place(fallback, false, lead, routing, directory, relaxed, now);
  if (!('refused' in placement)) return placement;
  if (fallback.assign === 'team') {
    const email = rotationOf(routing.teams[fallback.team!]!)[0]!;
    return { assignee: userOf(directory.get(email) ?? { email, name: email, active: true }) };
  }
  const owner = directory.get(fallback.owner!.toLowerCase());
  return { assignee: owner ? userOf(owner) : { kind: 'user', email: fallback.owner! } };
}

function isInactive(owner: RoutingOwner, context: RoutingContext): boolean {
  return !owner.active || (context.inactiveOwners?.has(owner.email.toLowerCase()) ?? false);
}

function unavailability(owner: RoutingOwner, respectHours: boolean, context: RoutingContext, now: number): string | undefined {
  if (isInactive(owner, context)) return 'is inactive';
  const load = context.loadToday[owner.email.toLowerCase()] ?? 0;
  if (owner.daily_capacity !== undefined && load >= owner.daily_capacity) return `is at capacity (${load}/${owner.daily_capacity} today)`;
  if (respectHours && owner.working_hours && !isWithinWorkingHours(owner.working_hours, now)) return 'is outside working hours';
  return undefined;
}

function userOf(owner: Pick<RoutingOwner, 'email' | 'name'> & { salesforce_user_id?: string | undefined }): Assignee {
  return { kind: 'user', email: owner.email, name: owner.name, ...(owner.salesforce_user_id ? { salesforceUserId: owner.salesforce_user_id } : {}) };
}

function describeAssignee(assignee: Assignee): string {
  if (assignee.kind === 'queue') return `queue ${assignee.queue}`;
  if (assignee.kind === 'salesforce_assignment_rules') return 'Salesforce assignment rules';
  return `owner ${assignee.email ?? assignee.salesforceUserId}`;
}

function collectNotify(ruleNotify: string[], rule: string, routing: RoutingConfig, properties: PropertyBag, now: number, assignee: Assignee): RouteResult['notify'] {
  const out = new Map<string, string>();
  const owner = assignee.kind === 'user' ? assignee.email?.toLowerCase() : undefined;
  const add = (email: string, why: string) => {
    const key = email.toLowerCase();
    if (key !== owner && !out.has(key)) out.set(key, why);
  };
  for (const email of ruleNotify) add(email, `rule ${rule}`);
  for (const escalation of routing.escalations) {
    if (evaluateCondition(escalation.when, properties, now)) {
      for (const email of escalation.notify) add(email, `escalation ${escalation.id}${escalation.description ? `: ${escalation.description}` : ''}`);
    }
  }
  return [...out].map(([email, why]) => ({ email, why }));
}
