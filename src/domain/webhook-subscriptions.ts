import type { LeadloopConfig } from './config/index.ts';
import { propertiesToPull } from './inputs.ts';

/** HubSpot updates these on every write, ours included: a change event for them says nothing new. */
const TOUCHED_BY_EVERY_WRITE = ['lastmodifieddate', 'hs_lastmodifieddate'];

/** Property-change events leadloop ignores: the properties it writes itself, and those every write touches. */
export function ignoredWebhookProperties(config: Pick<LeadloopConfig, 'mapping'>): Set<string> {
  return new Set([...Object.values(config.mapping.hubspot_writeback).filter((p): p is string => typeof p === 'string'), ...TOUCHED_BY_EVERY_WRITE]);
}

/**
 * The contact properties whose change can change a decision: the ones to subscribe to with
 * `contact.propertyChange` (or `object.propertyChange`), so a hand-off follows within seconds.
 */
export function webhookPropertySubscriptions(config: LeadloopConfig): string[] {
  const ignored = ignoredWebhookProperties(config);
  return propertiesToPull(config).filter((p) => !ignored.has(p));
}
