import type { MappingConfig } from '../domain/config/mapping.ts';
import { dealPropertySpecs, writebackProperties } from '../domain/setup.ts';
import type { DealSetup, PortalSetup } from './ports.ts';

const GROUP = { name: 'leadloop', label: 'leadloop' };

/** Creates the missing contact write-back properties and the feedback's deal properties in `leadloop` groups; returns their names. */
export async function setupHubSpot(portal: PortalSetup, deals: DealSetup, mapping: Pick<MappingConfig, 'hubspot_writeback' | 'deal'>): Promise<string[]> {
  const contact = await portal.ensureProperties(GROUP, writebackProperties(mapping));
  const deal = await deals.ensureDealProperties(GROUP, dealPropertySpecs(mapping));
  return [...contact, ...deal.map((name) => `deal.${name}`)];
}
