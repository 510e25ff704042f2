import type { MappingConfig } from '../config/mapping.ts';

/** What an anonymised Lead is left with in a field Salesforce requires (the mapping gives those a default). */
export const ERASED = '[erased]';

/**
 * The Lead fields that blank out a person: every field the mapping fills from a HubSpot property
 * (name, email, phone, title, address...) is cleared; required ones (those with a default) get
 * ERASED. Fields leadloop computes (score, grade, source) stay, so reports still add up.
 */
export function anonymisedLeadFields(mapping: Pick<MappingConfig, 'lead'>): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (const f of mapping.lead.fields) {
    if (f.hubspot === undefined) continue;
    fields[f.salesforce] = f.default !== undefined ? ERASED : null;
  }
  return fields;
}
