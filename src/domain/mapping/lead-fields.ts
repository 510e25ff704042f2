import type { PropertyBag } from '../config/condition.ts';
import type { FieldMapping, MappingConfig } from '../config/mapping.ts';

export type SalesforceValue = string | number | boolean | null;

export interface LeadFacts {
  contactId: string;
  properties: PropertyBag;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  handoffReason: string | null;
}

/**
 * The Salesforce fields to write for a contact. `create` includes fields set on creation only
 * (sales owns them afterwards); `update` leaves them out so sales' own changes stand. The
 * external ID is always included: it is the upsert key.
 */
export function toSalesforceFields(
  facts: LeadFacts,
  fields: readonly FieldMapping[],
  mapping: Pick<MappingConfig, 'external_id_field' | 'sales_owned_fields' | 'campaign'>,
  mode: 'create' | 'update',
): Record<string, SalesforceValue> {
  const out: Record<string, SalesforceValue> = { [mapping.external_id_field]: facts.contactId };
  const salesOwned = new Set(mapping.sales_owned_fields);
  for (const field of fields) {
    if (mode === 'update' && (field.on === 'create' || salesOwned.has(field.salesforce))) continue;
    const value = fieldValue(field, facts, mapping.campaign.name_from);
    if (value !== undefined) out[field.salesforce] = value;
  }
  return out;
}

function fieldValue(field: FieldMapping, facts: LeadFacts, sourceDetailProperty: string): SalesforceValue | undefined {
  let raw: string | number | boolean | null | undefined;
  if (field.value !== undefined) raw = field.value;
  else if (field.from === 'score') raw = facts.score;
  else if (field.from === 'grade') raw = facts.grade;
  else if (field.from === 'handoff_reason') raw = facts.handoffReason;
  else if (field.from === 'source_detail') raw = facts.properties[sourceDetailProperty];
  else if (field.hubspot !== undefined) raw = facts.properties[field.hubspot];

  if (typeof raw === 'string') raw = raw.trim();
  if (raw !== undefined && raw !== null && raw !== '' && field.values) {
    const mapped = field.values[String(raw)] ?? field.values[String(raw).toLowerCase()];
    raw = mapped ?? undefined;
  }
  if (raw === undefined || raw === null || raw === '') {
    if (field.default !== undefined) raw = field.default;
    else return undefined;
  }
  if (typeof raw === 'string' && field.max_length !== undefined && raw.length > field.max_length) {
    // Cut on a code point boundary: Salesforce counts characters, and a split surrogate is invalid.
    raw = Array.from(raw).slice(0, field.max_length).join('');
  }
  return raw;
}
