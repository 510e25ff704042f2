import type { MappingConfig } from './config/mapping.ts';

// Shapes setup and its preflight work with: what Salesforce's describe says of a field, and the
// HubSpot properties leadloop writes back (created by `leadloop setup`).

/** What preflight needs to know about one Salesforce field, from describe. */
export interface DescribedField {
  name: string;
  type: string;
  /** Characters a text field holds; 0 for types without a length. */
  length: number;
  externalId: boolean;
  unique: boolean;
  /** Usable in a SOQL WHERE; long text areas are not. Absent from describe: assumed true. */
  filterable: boolean;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  defaultedOnCreate: boolean;
  picklistValues: string[];
  restrictedPicklist: boolean;
}

/**
 * An object's fields by lower-cased API name (Salesforce field names are case-insensitive), and
 * the object's own `createable` where describe gave it (false: the user cannot create its records).
 */
export type DescribedObject = Map<string, DescribedField> & { createable?: boolean };

/** A HubSpot property leadloop writes back. */
export interface WritebackProperty {
  name: string;
  label: string;
  type: 'string' | 'number' | 'datetime' | 'enumeration' | 'bool';
  fieldType: 'text' | 'number' | 'date' | 'select' | 'booleancheckbox';
  options?: { label: string; value: string }[];
}

/** The HubSpot properties leadloop writes, as mapping.yaml names them. */
export function writebackProperties(mapping: Pick<MappingConfig, 'hubspot_writeback'>): WritebackProperty[] {
  const w = mapping.hubspot_writeback;
  const props: (WritebackProperty | undefined)[] = [
    { name: w.score, label: 'leadloop score', type: 'number', fieldType: 'number' },
    { name: w.grade, label: 'leadloop grade', type: 'enumeration', fieldType: 'select', options: ['hot', 'warm', 'cold'].map((v) => ({ label: v, value: v })) },
    w.mql
      ? {
          name: w.mql,
          label: 'leadloop MQL',
          type: 'bool',
          fieldType: 'booleancheckbox',
          options: [
            { label: 'Yes', value: 'true' },
            { label: 'No', value: 'false' },
          ],
        }
      : undefined,
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

/** A HubSpot deal property leadloop writes (created by `leadloop setup`). */
export interface DealPropertySpec extends WritebackProperty {
  hasUniqueValue?: boolean;
}

/** The deal properties the feedback writes besides HubSpot's own: the unique opportunity id, and the competitor. */
export function dealPropertySpecs(mapping: Pick<MappingConfig, 'deal'>): DealPropertySpec[] {
  return [
    { name: mapping.deal.salesforce_id_property, label: 'Salesforce opportunity id', type: 'string', fieldType: 'text', hasUniqueValue: true },
    { name: mapping.deal.competitor_property, label: 'leadloop competitor', type: 'string', fieldType: 'text' },
  ];
}
