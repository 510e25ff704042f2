import { INDUSTRIES, LIFECYCLE_STAGES, type PropertyDefinition } from './properties.ts';

/** Companies: their standard properties. None is required on create (companies guide: name or domain recommended). */

const def = (name: string, label: string, type: PropertyDefinition['type'], fieldType: string, extra: Partial<PropertyDefinition> = {}): PropertyDefinition => ({
  name,
  label,
  type,
  fieldType,
  groupName: 'companyinformation',
  hubspotDefined: true,
  ...extra,
});

const options = (values: string[]) => values.map((value) => ({ label: value, value }));

/** Properties a company list or read returns when none are asked for (companies guide). */
export const DEFAULT_COMPANY_PROPERTIES = ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'];

export function defaultCompanyProperties(): PropertyDefinition[] {
  return [
    def('hs_object_id', 'Record ID', 'number', 'number', { readOnly: true, hasUniqueValue: true }),
    def('name', 'Company name', 'string', 'text'),
    // `domain` is not unique in HubSpot: two companies may share it (the UI only warns).
    def('domain', 'Company Domain Name', 'string', 'text'),
    def('website', 'Website URL', 'string', 'text'),
    def('industry', 'Industry', 'enumeration', 'select', { options: options(INDUSTRIES) }),
    def('numberofemployees', 'Number of Employees', 'number', 'number'),
    def('annualrevenue', 'Annual Revenue', 'number', 'number'),
    def('phone', 'Phone Number', 'string', 'text'),
    def('city', 'City', 'string', 'text'),
    def('state', 'State/Region', 'string', 'text'),
    def('country', 'Country/Region', 'string', 'text'),
    def('description', 'Description', 'string', 'textarea'),
    def('lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { options: options(LIFECYCLE_STAGES) }),
    def('hubspot_owner_id', 'Company owner', 'enumeration', 'select'),
    def('createdate', 'Create Date', 'datetime', 'date', { readOnly: true }),
    def('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnly: true }),
  ];
}
