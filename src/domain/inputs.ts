import { createHash } from 'node:crypto';
import { conditionProperties, type Condition, type PropertyBag } from './config/condition.ts';
import type { LeadloopConfig } from './config/index.ts';
import { sourceProperties } from './contact-source.ts';

/** Properties HubSpot sets on every write: never part of the inputs. */
const VOLATILE = new Set(['lastmodifieddate', 'hs_lastmodifieddate', 'hs_object_id', 'createdate']);

/** Every HubSpot property the decision reads, plus what the pipeline needs around it. */
export function propertiesToPull(config: LeadloopConfig): string[] {
  const conditions: (Condition | undefined)[] = [
    ...config.scoring.fit.map((r) => r.when),
    ...config.scoring.engagement.map((r) => r.when),
    ...config.scoring.negative.map((r) => r.when),
    ...config.scoring.disqualifiers.map((r) => r.when),
    ...['budget', 'authority', 'need', 'timeline'].map((k) => config.scoring.bant[k as 'budget']?.when),
    config.scoring.mql.immediate_sources,
    ...config.routing.rules.map((r) => r.when),
    ...config.routing.escalations.map((e) => e.when),
  ];
  const names = new Set<string>(['email', 'firstname', 'lastname', 'company', 'website', 'lead_source', 'lastmodifieddate', 'createdate']);
  for (const c of conditions) if (c) for (const p of conditionProperties(c)) names.add(p);
  for (const r of config.scoring.engagement) if (r.recency?.property) names.add(r.recency.property);
  for (const f of [...config.mapping.lead.fields, ...config.mapping.contact.fields]) if (f.hubspot) names.add(f.hubspot);
  names.add(config.mapping.campaign.name_from);
  for (const p of sourceProperties(config.mapping)) names.add(p);
  for (const p of Object.values(config.mapping.hubspot_writeback)) if (p) names.add(p);
  names.delete('leadloop_grade');
  names.delete('leadloop_score');
  return [...names].sort();
}

/**
 * A digest of a contact's inputs: every pulled property except the ones leadloop writes back and
 * those HubSpot changes on every write, so leadloop's own write-back never looks like a change.
 */
export function inputFingerprint(properties: PropertyBag, config: LeadloopConfig, configVersion: string): string {
  const written = new Set(Object.values(config.mapping.hubspot_writeback));
  const entries = Object.entries(properties)
    .filter(([k, v]) => !written.has(k) && !VOLATILE.has(k) && v !== null && v !== undefined && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  // The config version is part of it: a new config re-scores every contact once.
  return createHash('sha256').update(configVersion).update(JSON.stringify(entries)).digest('base64url').slice(0, 22);
}

/** `changedAt` null: first seen with this value, so when it happened is unknown (never counts as fresh). */
export type Observed = Record<string, { value: string | null; changedAt: number | null }>;

/** Engagement properties whose recency comes from what leadloop observes (`recency.observed`). */
export function observedProperties(config: LeadloopConfig): string[] {
  return [...new Set(config.scoring.engagement.filter((r) => r.recency?.observed).flatMap((r) => conditionProperties(r.when)))];
}

/**
 * Updates what leadloop observed: a value that differs from the last one seen changed at `at`.
 * A contact seen for the first time has no known change yet, so a lifetime counter is not fresh.
 */
export function observe(previous: Observed | undefined, properties: PropertyBag, watched: readonly string[], at: number): Observed {
  const next: Observed = { ...previous };
  for (const name of watched) {
    const value = properties[name] ?? null;
    const before = previous?.[name];
    if (!before) next[name] = { value, changedAt: null };
    else if (before.value !== value) next[name] = { value, changedAt: at };
  }
  return next;
}

/** The history score() reads: the observed changes with a known time. */
export function historyOf(observed: Observed): Record<string, { changedAt: number }> {
  const out: Record<string, { changedAt: number }> = {};
  for (const [name, entry] of Object.entries(observed)) if (entry.changedAt !== null) out[name] = { changedAt: entry.changedAt };
  return out;
}
