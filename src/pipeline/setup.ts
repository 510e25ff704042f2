import type { Client } from '@hubspot/api-client';
import type { MappingConfig } from '../domain/config/mapping.ts';
import type { BeforeCall } from '../hubspot/client.ts';
import { ensureContactProperties, type WritebackProperty } from '../hubspot/properties.ts';

/** The HubSpot properties leadloop writes, as mapping.yaml names them. */
export function writebackProperties(mapping: Pick<MappingConfig, 'hubspot_writeback'>): WritebackProperty[] {
  const w = mapping.hubspot_writeback;
  const props: (WritebackProperty | undefined)[] = [
    { name: w.score, label: 'leadloop score', type: 'number', fieldType: 'number' },
    { name: w.grade, label: 'leadloop grade', type: 'enumeration', fieldType: 'select', options: ['hot', 'warm', 'cold'].map((v) => ({ label: v, value: v })) },
    w.mql ? { name: w.mql, label: 'leadloop MQL', type: 'bool', fieldType: 'booleancheckbox', options: [{ label: 'Yes', value: 'true' }, { label: 'No', value: 'false' }] } : undefined,
    { name: w.owner, label: 'leadloop owner', type: 'string', fieldType: 'text' },
    { name: w.salesforce_id, label: 'leadloop Salesforce id', type: 'string', fieldType: 'text' },
    w.handoff_at ? { name: w.handoff_at, label: 'leadloop handed off at', type: 'datetime', fieldType: 'date' } : undefined,
    { name: w.outcome, label: 'leadloop outcome', type: 'enumeration', fieldType: 'select', options: ['won', 'lost'].map((v) => ({ label: v, value: v })) },
    { name: w.outcome_amount, label: 'leadloop outcome amount', type: 'number', fieldType: 'number' },
    { name: w.loss_reason, label: 'leadloop loss reason', type: 'string', fieldType: 'text' },
    { name: w.competitor, label: 'leadloop competitor', type: 'string', fieldType: 'text' },
  ];
  return props.filter((p): p is WritebackProperty => p !== undefined);
}

/** Creates the missing write-back properties in a `leadloop` group; returns their names. */
export function setupHubSpot(client: Client, mapping: Pick<MappingConfig, 'hubspot_writeback'>, beforeCall?: BeforeCall): Promise<string[]> {
  return ensureContactProperties(client, { name: 'leadloop', label: 'leadloop' }, writebackProperties(mapping), beforeCall);
}
