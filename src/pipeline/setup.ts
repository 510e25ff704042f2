import type { MappingConfig } from '../domain/config/mapping.ts';
import { writebackProperties } from '../domain/setup.ts';
import type { PortalSetup } from './ports.ts';

/** Creates the missing write-back properties in a `leadloop` group; returns their names. */
export function setupHubSpot(portal: PortalSetup, mapping: Pick<MappingConfig, 'hubspot_writeback'>): Promise<string[]> {
  return portal.ensureProperties({ name: 'leadloop', label: 'leadloop' }, writebackProperties(mapping));
}
