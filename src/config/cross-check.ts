import { closest, distance } from 'fastest-levenshtein';
import { conditionProperties, type Condition } from '../domain/config/condition.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { DOCUMENTED_CUSTOM_PROPERTIES, ROUTING_SYNTHETIC_PROPERTIES, STANDARD_CONTACT_PROPERTIES } from '../domain/hubspot-properties.ts';

export type ConfigFileName = 'scoring' | 'routing' | 'mapping' | 'sync';

export interface CrossCheckIssue {
  file: ConfigFileName;
  path: (string | number)[];
  message: string;
}

export type { LeadloopConfig };

/** Nearest known name, when one is close enough to be a typo. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  const list = [...known];
  if (list.length === 0) return undefined;
  const best = closest(name, list);
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * The temperatures a hand-off can have: those whose band reaches mql.min_score, and every one
 * when immediate sources hand off whatever the score.
 */
function handedOffGrades(scoring: LeadloopConfig['scoring']): ('hot' | 'warm' | 'cold')[] {
  if (scoring.mql.immediate_sources) return ['hot', 'warm', 'cold'];
  const grades: ('hot' | 'warm' | 'cold')[] = ['hot'];
  if (scoring.mql.min_score < scoring.grades.hot) grades.push('warm');
  if (scoring.mql.min_score < scoring.grades.warm) grades.push('cold');
  return grades;
}

/**
 * Checks that need more than one file: every owner, team and queue a rule names exists;
 * every property a rule or mapping names is a known HubSpot property; thresholds are ordered.
 */
export function crossCheck(config: LeadloopConfig): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const { scoring, routing, mapping } = config;
  const writeback = Object.values(mapping.hubspot_writeback).filter((v): v is string => typeof v === 'string');
  const known = new Set<string>([...STANDARD_CONTACT_PROPERTIES, ...DOCUMENTED_CUSTOM_PROPERTIES, ...mapping.custom_properties, ...writeback]);

  const checkCondition = (file: ConfigFileName, path: (string | number)[], condition: Condition | undefined, extra: readonly string[] = []) => {
    if (!condition) return;
    for (const property of conditionProperties(condition)) {
      if (known.has(property) || extra.includes(property)) continue;
      const hint = suggest(property, [...known, ...extra]);
      issues.push({
        file,
        path,
        message: `unknown HubSpot property "${property}"${hint ? ` — did you mean "${hint}"?` : ''} (declare your portal's own properties under custom_properties in mapping.yaml)`,
      });
    }
  };

  // scoring
  scoring.fit.forEach((r, i) => {
    checkCondition('scoring', ['fit', i, 'when'], r.when);
  });
  scoring.engagement.forEach((r, i) => {
    checkCondition('scoring', ['engagement', i, 'when'], r.when);
    if (r.recency?.property) checkCondition('scoring', ['engagement', i, 'recency', 'property'], { property: r.recency.property, op: 'exists' });
  });
  scoring.negative.forEach((r, i) => {
    checkCondition('scoring', ['negative', i, 'when'], r.when);
  });
  scoring.disqualifiers.forEach((r, i) => {
    checkCondition('scoring', ['disqualifiers', i, 'when'], r.when);
  });
  for (const key of ['budget', 'authority', 'need', 'timeline'] as const) checkCondition('scoring', ['bant', key, 'when'], scoring.bant[key]?.when);
  checkCondition('scoring', ['mql', 'immediate_sources'], scoring.mql.immediate_sources);
  for (const key of ['hot', 'warm'] as const) {
    if (scoring.grades[key] > scoring.caps.total)
      issues.push({ file: 'scoring', path: ['grades', key], message: `grades.${key} (${scoring.grades[key]}) is above the highest possible score, caps.total (${scoring.caps.total})` });
  }
  if (scoring.mql.min_score > scoring.caps.total) {
    issues.push({ file: 'scoring', path: ['mql', 'min_score'], message: `mql.min_score (${scoring.mql.min_score}) is above the highest possible score, caps.total (${scoring.caps.total})` });
  }

  // sync: every temperature that can be handed off has a next step for sales.
  for (const grade of handedOffGrades(scoring)) {
    if (config.sync.playbook[grade].length === 0) {
      issues.push({
        file: 'sync',
        path: ['playbook', grade],
        message: `${grade} leads can be handed off (${grade === 'cold' ? 'by an immediate source' : `mql.min_score is ${scoring.mql.min_score}`}) but playbook.${grade} gives sales no task: add one`,
      });
    }
  }

  // routing
  const owners = new Set(routing.owners.map((o) => o.email.toLowerCase()));
  const checkOwner = (path: (string | number)[], email: string, what: string) => {
    if (owners.has(email.toLowerCase())) return;
    const hint = suggest(email.toLowerCase(), owners);
    issues.push({ file: 'routing', path, message: `${what} ${email} is not in owners${hint ? ` — did you mean ${hint}?` : ''}` });
  };
  const checkTarget = (path: (string | number)[], target: { assign: string; owner?: string | undefined; team?: string | undefined; queue?: string | undefined }) => {
    if (target.assign === 'owner' && target.owner) checkOwner([...path, 'owner'], target.owner, 'owner');
    if (target.assign === 'team' && target.team && !routing.teams[target.team]) {
      const hint = suggest(target.team, Object.keys(routing.teams));
      issues.push({ file: 'routing', path: [...path, 'team'], message: `team "${target.team}" is not defined under teams${hint ? ` — did you mean "${hint}"?` : ''}` });
    }
    if (target.assign === 'queue' && target.queue && !routing.queues[target.queue]) {
      const hint = suggest(target.queue, Object.keys(routing.queues));
      issues.push({ file: 'routing', path: [...path, 'queue'], message: `queue "${target.queue}" is not defined under queues${hint ? ` — did you mean "${hint}"?` : ''}` });
    }
  };
  const seenEmails = new Set<string>();
  routing.owners.forEach((o, i) => {
    const key = o.email.toLowerCase();
    if (seenEmails.has(key)) issues.push({ file: 'routing', path: ['owners', i, 'email'], message: `${o.email} is listed twice in owners` });
    seenEmails.add(key);
  });
  for (const [name, team] of Object.entries(routing.teams)) {
    team.members.forEach((m, i) => {
      checkOwner(['teams', name, 'members', i], typeof m === 'string' ? m : m.email, 'team member');
    });
    if (team.manager) checkOwner(['teams', name, 'manager'], team.manager, 'manager');
  }
  for (const [name, queue] of Object.entries(routing.queues)) {
    if (queue.manager) checkOwner(['queues', name, 'manager'], queue.manager, 'manager');
  }
  const slaManager = config.sync.sla.on_breach.manager;
  if (slaManager && !owners.has(slaManager.toLowerCase())) {
    const hint = suggest(slaManager.toLowerCase(), owners);
    issues.push({ file: 'sync', path: ['sla', 'on_breach', 'manager'], message: `manager ${slaManager} is not in routing.yaml's owners${hint ? ` — did you mean ${hint}?` : ''}` });
  }
  const ruleIds = new Set<string>();
  routing.rules.forEach((rule, i) => {
    if (ruleIds.has(rule.id)) issues.push({ file: 'routing', path: ['rules', i, 'id'], message: `rule id "${rule.id}" is used twice` });
    ruleIds.add(rule.id);
    checkTarget(['rules', i], rule);
    rule.notify.forEach((email, j) => {
      checkOwner(['rules', i, 'notify', j], email, 'notify:');
    });
    checkCondition('routing', ['rules', i, 'when'], rule.when, ROUTING_SYNTHETIC_PROPERTIES);
  });
  routing.escalations.forEach((e, i) => {
    e.notify.forEach((email, j) => {
      checkOwner(['escalations', i, 'notify', j], email, 'notify:');
    });
    checkCondition('routing', ['escalations', i, 'when'], e.when, ROUTING_SYNTHETIC_PROPERTIES);
  });
  checkTarget(['fallback'], routing.fallback);
  routing.fallback.notify.forEach((email, j) => {
    checkOwner(['fallback', 'notify', j], email, 'notify:');
  });

  // mapping
  mapping.lead.fields.forEach((f, i) => {
    if (f.hubspot) checkCondition('mapping', ['lead', 'fields', i, 'hubspot'], { property: f.hubspot, op: 'exists' });
  });
  mapping.contact.fields.forEach((f, i) => {
    if (f.hubspot) checkCondition('mapping', ['contact', 'fields', i, 'hubspot'], { property: f.hubspot, op: 'exists' });
  });
  checkCondition('mapping', ['campaign', 'name_from'], { property: mapping.campaign.name_from, op: 'exists' });
  mapping.source.derive.forEach((r, i) => {
    checkCondition('mapping', ['source', 'derive', i, 'when'], r.when);
    if (r.detail) checkCondition('mapping', ['source', 'derive', i, 'detail', 'property'], { property: r.detail.property, op: 'exists' });
  });
  const sfFields = new Map<string, number>();
  mapping.lead.fields.forEach((f, i) => {
    if (sfFields.has(f.salesforce))
      issues.push({ file: 'mapping', path: ['lead', 'fields', i, 'salesforce'], message: `${f.salesforce} is mapped twice (also at lead.fields[${sfFields.get(f.salesforce)}])` });
    sfFields.set(f.salesforce, i);
  });
  for (const required of ['LastName', 'Company']) {
    const at = sfFields.get(required);
    const field = at === undefined ? undefined : mapping.lead.fields[at];
    if (!field) issues.push({ file: 'mapping', path: ['lead', 'fields'], message: `Salesforce requires Lead.${required}: map it` });
    else if (field.hubspot && field.default === undefined) {
      issues.push({ file: 'mapping', path: ['lead', 'fields', at!], message: `Lead.${required} is required by Salesforce: give it a default for contacts without ${field.hubspot}` });
    }
  }
  return issues;
}
