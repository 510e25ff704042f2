import { conditionProperties, type Condition, type LeafCondition } from './config/condition.ts';
import type { LeadloopConfig } from './config/index.ts';
import { SOURCE_PROPERTY } from './config/mapping.ts';
import { derivedSources } from './contact-source.ts';
import { ROUTING_SYNTHETIC_PROPERTIES } from './hubspot-properties.ts';

/**
 * The config against the portal's own contact property definitions: every property a scoring,
 * routing or mapping rule names must exist, its type must fit the operator, and every value a
 * rule compares an enumeration with must be one of its options by internal value (HubSpot
 * stores and sends the internal value, never the label).
 *
 * mapping.yaml's lifecycle stages and Lead Statuses the feedback writes must be options of
 * lifecyclestage and hs_lead_status too.
 *
 * A problem in the hand-off decision (mql.immediate_sources, the disqualifiers that veto a
 * hand-off) is blocking: leads would silently not be handed off, or be handed off when they
 * must not. Anywhere else it is a warning: a rule that never holds only costs points or a route.
 * A rule marked `optional` (an extra that adds points when the portal has its custom properties)
 * is only listed as inactive when the portal lacks its property.
 *
 * lead_source (and the campaign property) need not exist when mapping.yaml derives the source
 * from standard properties: rules then compare it with the derived words.
 */

/** One contact property as HubSpot's properties API describes it. */
export interface PortalProperty {
  name: string;
  label?: string;
  /** string, number, date, datetime, enumeration or bool. */
  type: string;
  /** Enumeration (and bool) options: `value` is the internal value HubSpot stores. */
  options?: readonly { label: string; value: string }[];
}

export type PortalCheckFile = 'scoring' | 'routing' | 'mapping';

export interface PortalProblem {
  /** inactive: an optional rule whose property the portal lacks (not a problem: it adds no points here). */
  severity: 'blocking' | 'warning' | 'inactive';
  file: `${PortalCheckFile}.yaml`;
  /** Where in the file, e.g. `['mql', 'immediate_sources', 'value', 0]`. */
  path: (string | number)[];
  /** Line and column in the file, when a locator was given (the config loader's). */
  line?: number;
  column?: number;
  property: string;
  message: string;
  fix: string;
}

/** Line and column of a path in a config file (src/config/load.ts gives one). */
export type ConfigLocator = (file: PortalCheckFile, path: readonly (string | number)[]) => { line: number; column: number } | undefined;

type Scope = 'decision' | 'elsewhere' | 'optional';
type Value = string | number | boolean;

const NUMERIC_OPS = new Set(['gt', 'gte', 'lt', 'lte']);
const EQUALITY_OPS = new Set(['eq', 'ne', 'in', 'not_in']);
const DATE_TYPES = new Set(['date', 'datetime']);

/** "Trade Show", "trade-show", "TRADE_SHOW" → "trade_show". */
function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

/** Whether a rule value equals a stored value the way the condition language compares them (condition.ts). */
function sameValue(ruleValue: Value, stored: string): boolean {
  if (typeof ruleValue === 'number') return isNumeric(stored) && Number(stored) === ruleValue;
  const text = String(ruleValue).trim();
  if (text.toLowerCase() === stored.trim().toLowerCase()) return true;
  return isNumeric(text) && isNumeric(stored) && Number(text) === Number(stored);
}

function quote(text: string): string {
  return `'${text}'`;
}

/** The internal values a property can hold when it has a fixed set: enumerations and bools. */
function allowedValues(property: PortalProperty): { label: string; value: string }[] | undefined {
  if (property.type === 'enumeration') return [...(property.options ?? [])];
  if (property.type === 'bool') {
    return property.options && property.options.length > 0
      ? [...property.options]
      : [
          { label: 'Yes', value: 'true' },
          { label: 'No', value: 'false' },
        ];
  }
  return undefined;
}

function describeOptions(options: readonly { label: string; value: string }[]): string {
  const shown = options.slice(0, 12).map((o) => (o.label === o.value ? quote(o.value) : `${quote(o.value)} (${o.label})`));
  return `${shown.join(', ')}${options.length > 12 ? `, … (${options.length} in all)` : ''}`;
}

function renderPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');
}

export function checkConfigAgainstPortal(config: Pick<LeadloopConfig, 'scoring' | 'routing' | 'mapping'>, properties: Iterable<PortalProperty>, locate?: ConfigLocator): PortalProblem[] {
  const byName = new Map<string, PortalProperty>();
  for (const p of properties) byName.set(p.name, p);
  const { scoring, routing, mapping } = config;
  // A source derived from standard properties stands in for a portal's own lead_source.
  const derived = new Map<string, PortalProperty>();
  if (mapping.source.derive.length > 0) {
    derived.set(SOURCE_PROPERTY, {
      name: SOURCE_PROPERTY,
      label: 'Lead source (derived by mapping.yaml source)',
      type: 'enumeration',
      options: derivedSources(mapping).map((v) => ({ label: v, value: v })),
    });
    derived.set(mapping.campaign.name_from, { name: mapping.campaign.name_from, label: 'Source detail (derived by mapping.yaml source)', type: 'string' });
  }
  // leadloop's write-back properties are created by `leadloop setup`; their absence is setup's own check.
  const writeback = new Set(Object.values(mapping.hubspot_writeback).filter((v): v is string => typeof v === 'string'));
  const problems: PortalProblem[] = [];

  const add = (file: PortalCheckFile, path: (string | number)[], scope: Scope, property: string, message: string, fix: string, missing = false) => {
    const at = locate?.(file, path);
    problems.push({
      severity: scope === 'decision' ? 'blocking' : scope === 'optional' && missing ? 'inactive' : 'warning',
      file: `${file}.yaml`,
      path,
      ...(at ? { line: at.line, column: at.column } : {}),
      property,
      message,
      fix,
    });
  };
  const where = (file: PortalCheckFile, path: readonly (string | number)[]) => {
    const at = locate?.(file, path);
    return at ? `${file}.yaml line ${at.line}` : `${file}.yaml ${renderPath(path)}`;
  };

  /** The property a rule names, or undefined after reporting that the portal lacks it. */
  const lookup = (file: PortalCheckFile, path: (string | number)[], scope: Scope, name: string, consequence: string): PortalProperty | undefined => {
    const property = byName.get(name) ?? derived.get(name);
    if (property) return property;
    if (scope === 'optional') {
      add(
        file,
        path,
        scope,
        name,
        `optional rule inactive: this portal has no contact property ${name}, so the rule never holds here`,
        `create ${name} in HubSpot to use it, or leave it: nothing else depends on it`,
        true,
      );
      return undefined;
    }
    const similar = [...byName.values()].find((p) => slug(p.name) === slug(name) || (p.label !== undefined && slug(p.label) === slug(name)));
    add(
      file,
      path,
      scope,
      name,
      `${name} is not a contact property of this HubSpot portal: ${consequence}${similar ? `; the property labelled ${quote(similar.label ?? similar.name)} has the internal name ${similar.name}` : ''}`,
      similar ? `name ${similar.name} in ${where(file, path)}` : `create the contact property ${name} in HubSpot (Settings → Properties), or change ${where(file, path)} to a property the portal has`,
    );
    return undefined;
  };

  const checkValue = (file: PortalCheckFile, path: (string | number)[], scope: Scope, property: PortalProperty, value: Value, consequence: string) => {
    const allowed = allowedValues(property);
    if (allowed) {
      if (allowed.some((o) => sameValue(value, o.value))) return;
      const text = String(value);
      const byLabel =
        allowed.find((o) => o.label.trim().toLowerCase() === text.trim().toLowerCase()) ?? allowed.find((o) => slug(o.label) === slug(text)) ?? allowed.find((o) => slug(o.value) === slug(text));
      add(
        file,
        path,
        scope,
        property.name,
        byLabel
          ? `${property.name} has no option ${text}; the option labelled ${quote(byLabel.label)} has the internal value ${quote(byLabel.value)}`
          : `${property.name} has no option ${text}: ${consequence}`,
        byLabel
          ? `change ${text} to ${quote(byLabel.value)} in ${where(file, path)}`
          : allowed.length > 0
            ? `use one of its internal values in ${where(file, path)}: ${describeOptions(allowed)}`
            : `add the option in HubSpot (Settings → Properties → ${property.label ?? property.name}), or change ${where(file, path)}`,
      );
      return;
    }
    if (property.type === 'number' && !(typeof value === 'number' || (typeof value === 'string' && isNumeric(value)))) {
      add(
        file,
        path,
        scope,
        property.name,
        `${property.name} is a number property; ${JSON.stringify(value)} is not a number: ${consequence}`,
        `compare ${property.name} with a number in ${where(file, path)}`,
      );
    }
  };

  const checkLeaf = (file: PortalCheckFile, path: (string | number)[], scope: Scope, leaf: LeafCondition, synthetic: readonly string[]) => {
    if (synthetic.includes(leaf.property) || writeback.has(leaf.property)) return;
    const never = scope === 'decision' ? 'the hand-off rule never holds on it' : 'the rule never holds on it';
    const property = lookup(file, [...path, 'property'], scope, leaf.property, never);
    if (!property) return;
    const type = property.type;
    const { op } = leaf;
    if (NUMERIC_OPS.has(op)) {
      const allowed = allowedValues(property);
      const numericOptions = allowed !== undefined && allowed.length > 0 && allowed.every((o) => isNumeric(o.value));
      if (type !== 'number' && !numericOptions && type !== 'string') {
        add(
          file,
          [...path, 'op'],
          scope,
          property.name,
          `${property.name} is ${type === 'enumeration' ? 'an enumeration whose options are not numbers' : `a ${type} property`}; ${op} compares numbers: ${never}`,
          type === 'enumeration' ? `compare with eq or in and its internal values in ${where(file, path)}` : `use an operator for a ${type} in ${where(file, path)}`,
        );
      }
      return;
    }
    if (op === 'within_days') {
      if (!DATE_TYPES.has(type)) {
        add(
          file,
          [...path, 'op'],
          scope,
          property.name,
          `${property.name} is a ${type} property; within_days needs a date or datetime property: ${never}`,
          `name a date property in ${where(file, path)}, or use another operator`,
        );
      }
      return;
    }
    if (EQUALITY_OPS.has(op) && leaf.value !== undefined) {
      const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      values.forEach((v, i) => {
        checkValue(
          file,
          Array.isArray(leaf.value) ? [...path, 'value', i] : [...path, 'value'],
          scope,
          property,
          v,
          `no contact ever has this value, so the ${scope === 'decision' ? 'hand-off ' : ''}rule never matches on it`,
        );
      });
    }
  };

  const checkCondition = (file: PortalCheckFile, path: (string | number)[], scope: Scope, condition: Condition | undefined, synthetic: readonly string[] = []) => {
    if (!condition) return;
    if ('all' in condition || 'any' in condition) {
      const key = 'all' in condition ? 'all' : 'any';
      const parts = 'all' in condition ? condition.all : condition.any;
      parts.forEach((c, i) => {
        checkCondition(file, [...path, key, i], scope, c, synthetic);
      });
    } else if ('not' in condition) checkCondition(file, [...path, 'not'], scope, condition.not, synthetic);
    else checkLeaf(file, path, scope, condition, synthetic);
  };

  // scoring.yaml: the hand-off decision (immediate sources, vetoes) blocks; the score's rules warn.
  checkCondition('scoring', ['mql', 'immediate_sources'], 'decision', scoring.mql.immediate_sources);
  scoring.disqualifiers.forEach((r, i) => {
    checkCondition('scoring', ['disqualifiers', i, 'when'], 'decision', r.when);
  });
  scoring.fit.forEach((r, i) => {
    checkCondition('scoring', ['fit', i, 'when'], r.optional ? 'optional' : 'elsewhere', r.when);
  });
  scoring.engagement.forEach((r, i) => {
    const scope = r.optional ? 'optional' : 'elsewhere';
    checkCondition('scoring', ['engagement', i, 'when'], scope, r.when);
    const dated = r.recency?.property;
    // An optional rule already listed as inactive needs no word on its date.
    if (!dated || (r.optional && conditionProperties(r.when).some((p) => !byName.has(p) && !derived.has(p)))) return;
    const path = ['engagement', i, 'recency', 'property'];
    const property = lookup('scoring', path, scope, dated, 'the rule has no date and counts with undated_weight only');
    if (property && !DATE_TYPES.has(property.type)) {
      add(
        'scoring',
        path,
        'elsewhere',
        dated,
        `${dated} is a ${property.type} property; recency needs a date or datetime property: the rule counts with undated_weight only`,
        `name a date property in ${where('scoring', path)}`,
      );
    }
  });
  for (const key of ['budget', 'authority', 'need', 'timeline'] as const)
    checkCondition('scoring', ['bant', key, 'when'], scoring.bant[key]?.optional ? 'optional' : 'elsewhere', scoring.bant[key]?.when);
  scoring.negative.forEach((r, i) => {
    checkCondition('scoring', ['negative', i, 'when'], r.optional ? 'optional' : 'elsewhere', r.when);
  });

  // routing.yaml: a rule that never holds sends its leads on to the next rule or the fallback.
  routing.rules.forEach((r, i) => {
    checkCondition('routing', ['rules', i, 'when'], 'elsewhere', r.when, ROUTING_SYNTHETIC_PROPERTIES);
  });
  routing.escalations.forEach((e, i) => {
    checkCondition('routing', ['escalations', i, 'when'], e.optional ? 'optional' : 'elsewhere', e.when, ROUTING_SYNTHETIC_PROPERTIES);
  });

  // mapping.yaml: a property that is not there leaves its field empty; a value map key that is
  // not an option is never used.
  for (const object of ['lead', 'contact'] as const) {
    mapping[object].fields.forEach((f, i) => {
      if (!f.hubspot) return;
      const path = [object, 'fields', i, 'hubspot'];
      const property = lookup('mapping', path, 'elsewhere', f.hubspot, `${object === 'lead' ? 'Lead' : 'Contact'}.${f.salesforce} gets ${f.default !== undefined ? 'its default' : 'no value'}`);
      const allowed = property && allowedValues(property);
      if (!property || !allowed || !f.values) return;
      for (const key of Object.keys(f.values)) {
        if (allowed.some((o) => key === o.value || key === o.value.toLowerCase())) continue;
        checkValue('mapping', [object, 'fields', i, 'values', key], 'elsewhere', property, key, 'this entry of values: is never used');
      }
    });
  }
  // The source rules: one that names a property the portal lacks never names its source.
  mapping.source.derive.forEach((r, i) => {
    checkCondition('mapping', ['source', 'derive', i, 'when'], 'elsewhere', r.when);
    if (r.detail) lookup('mapping', ['source', 'derive', i, 'detail', 'property'], 'elsewhere', r.detail.property, `its ${r.source} contacts get no detail (campaign)`);
  });
  lookup('mapping', ['campaign', 'name_from'], 'elsewhere', mapping.campaign.name_from, 'hand-offs join no Salesforce campaign');
  // Values the feedback writes into HubSpot's own enumerations: HubSpot refuses any other (INVALID_OPTION).
  const written = (path: (string | number)[], name: string, value: string) => {
    const property = byName.get(name);
    if (property) checkValue('mapping', path, 'elsewhere', property, value, `HubSpot refuses it when the feedback writes it (INVALID_OPTION)`);
  };
  for (const [key, stage] of Object.entries(mapping.lifecycle_stage)) written(['lifecycle_stage', key], 'lifecyclestage', stage);
  written(['back_to_marketing', 'lifecycle_stage'], 'lifecyclestage', mapping.back_to_marketing.lifecycle_stage);
  for (const [key, status] of Object.entries(mapping.back_to_marketing.lead_status)) written(['back_to_marketing', 'lead_status', key], 'hs_lead_status', status);
  mapping.custom_properties.forEach((name, i) => {
    lookup('mapping', ['custom_properties', i], 'elsewhere', name, 'rules naming it never hold');
  });
  return problems;
}
