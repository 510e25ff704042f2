/**
 * The portal's contact property definitions: HubSpot's standard properties leadloop touches,
 * and the custom ones a Copperleaf-like portal has (README, "The config files"). leadloop's own
 * write-back properties are NOT here: `leadloop setup` creates them, as in a real portal.
 */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
  fieldType: string;
  groupName: string;
  options?: { label: string; value: string }[];
  readOnly?: boolean;
  hasUniqueValue?: boolean;
  hubspotDefined?: boolean;
  description?: string;
}

const text = (name: string, label: string, groupName = 'contactinformation'): PropertyDefinition => ({ name, label, type: 'string', fieldType: 'text', groupName, hubspotDefined: true });
const number = (name: string, label: string, groupName = 'contactinformation'): PropertyDefinition => ({ name, label, type: 'number', fieldType: 'number', groupName, hubspotDefined: true });
const datetime = (name: string, label: string, groupName = 'contactinformation'): PropertyDefinition => ({ name, label, type: 'datetime', fieldType: 'date', groupName, hubspotDefined: true });
/**
 * An option's label as a portal shows it; the internal value is what the API stores and sends
 * ("Trade Show" / trade_show, "Computer Software" / COMPUTER_SOFTWARE).
 */
export function optionLabel(value: string): string {
  return value
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

/** Options by internal value; a [value, label] pair where HubSpot's label is not the value in words. */
const enumeration = (name: string, label: string, values: (string | [value: string, label: string])[], groupName = 'contactinformation'): PropertyDefinition => ({
  name,
  label,
  type: 'enumeration',
  fieldType: 'select',
  groupName,
  hubspotDefined: true,
  options: values.map((v) => (typeof v === 'string' ? { label: optionLabel(v), value: v } : { label: v[1], value: v[0] })),
});
const custom = (definition: PropertyDefinition): PropertyDefinition => ({ ...definition, hubspotDefined: false, groupName: 'lead_intelligence' });

export const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

export const INDUSTRIES = [
  'COMPUTER_SOFTWARE',
  'INFORMATION_TECHNOLOGY_AND_SERVICES',
  'INTERNET',
  'COMPUTER_NETWORK_SECURITY',
  'FINANCIAL_SERVICES',
  'BANKING',
  'INSURANCE',
  'HOSPITAL_HEALTH_CARE',
  'RETAIL',
  'MANUFACTURING',
  'EDUCATION_MANAGEMENT',
  'MARKETING_AND_ADVERTISING',
  'TELECOMMUNICATIONS',
  'LOGISTICS_AND_SUPPLY_CHAIN',
];

/** HubSpot's traffic sources (hs_analytics_source, hs_latest_source): imports, integrations and the CRM are OFFLINE. */
const TRAFFIC_SOURCES: (string | [string, string])[] = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'EMAIL_MARKETING',
  ['SOCIAL_MEDIA', 'Organic Social'],
  'REFERRALS',
  'OTHER_CAMPAIGNS',
  'DIRECT_TRAFFIC',
  ['OFFLINE', 'Offline Sources'],
  'PAID_SOCIAL',
];

export const EMPLOYEE_BANDS = ['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+'];

export function defaultContactProperties(): PropertyDefinition[] {
  return [
    { ...text('hs_object_id', 'Record ID'), type: 'number', readOnly: true, hasUniqueValue: true },
    { ...text('email', 'Email'), hasUniqueValue: true },
    text('firstname', 'First Name'),
    text('lastname', 'Last Name'),
    text('jobtitle', 'Job Title'),
    text('company', 'Company Name'),
    text('phone', 'Phone Number'),
    text('mobilephone', 'Mobile Phone Number'),
    text('website', 'Website URL'),
    text('country', 'Country/Region'),
    text('state', 'State/Region'),
    text('city', 'City'),
    text('zip', 'Postal Code'),
    text('address', 'Street Address'),
    enumeration('industry', 'Industry', INDUSTRIES),
    enumeration('numemployees', 'Number of Employees', EMPLOYEE_BANDS),
    number('annualrevenue', 'Annual Revenue'),
    enumeration(
      'lifecyclestage',
      'Lifecycle Stage',
      LIFECYCLE_STAGES.map((v): [string, string] => [v, v === 'marketingqualifiedlead' ? 'Marketing Qualified Lead' : v === 'salesqualifiedlead' ? 'Sales Qualified Lead' : optionLabel(v)]),
    ),
    enumeration('hs_lead_status', 'Lead Status', ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING']),
    { ...text('hs_email_domain', 'Email Domain'), readOnly: true },
    { ...datetime('createdate', 'Create Date'), readOnly: true },
    { ...datetime('lastmodifieddate', 'Last Modified Date'), readOnly: true },
    { ...datetime('hs_lastmodifieddate', 'Object last modified date/time'), readOnly: true },
    {
      ...enumeration('hs_analytics_source', 'Original Traffic Source', TRAFFIC_SOURCES),
      readOnly: true,
    },
    { ...text('hs_analytics_source_data_1', 'Original Traffic Source Drill-Down 1'), readOnly: true },
    { ...text('hs_analytics_source_data_2', 'Original Traffic Source Drill-Down 2'), readOnly: true },
    { ...enumeration('hs_latest_source', 'Latest Traffic Source', TRAFFIC_SOURCES), readOnly: true },
    { ...text('hs_latest_source_data_1', 'Latest Traffic Source Drill-Down 1'), readOnly: true },
    { ...text('hs_latest_source_data_2', 'Latest Traffic Source Drill-Down 2'), readOnly: true },
    { ...datetime('hs_latest_source_timestamp', 'Latest Traffic Source Date'), readOnly: true },
    { ...number('hs_analytics_num_page_views', 'Number of Pageviews'), readOnly: true },
    { ...number('hs_analytics_num_visits', 'Number of Sessions'), readOnly: true },
    { ...datetime('hs_analytics_last_visit_timestamp', 'Time of Last Session'), readOnly: true },
    { ...number('hs_email_open', 'Marketing emails opened'), readOnly: true },
    { ...number('hs_email_click', 'Marketing emails clicked'), readOnly: true },
    { ...number('hs_email_bounce', 'Marketing emails bounced'), readOnly: true },
    { ...datetime('hs_email_last_open_date', 'Last marketing email open date'), readOnly: true },
    { ...datetime('hs_email_last_click_date', 'Last marketing email click date'), readOnly: true },
    { ...number('num_conversion_events', 'Number of Form Submissions'), readOnly: true },
    { ...number('num_unique_conversion_events', 'Number of Unique Forms Submitted'), readOnly: true },
    { ...text('first_conversion_event_name', 'First Conversion'), readOnly: true },
    { ...datetime('first_conversion_date', 'First Conversion Date'), readOnly: true },
    { ...text('recent_conversion_event_name', 'Recent Conversion'), readOnly: true },
    { ...datetime('recent_conversion_date', 'Recent Conversion Date'), readOnly: true },
    text('hubspot_owner_id', 'Contact owner'),
    number('associatedcompanyid', 'Primary Associated Company ID'),
    custom(enumeration('lead_source', 'Lead Source', ['trade_show', 'event', 'demo_request', 'web_form', 'webinar', 'content_download', 'paid_ads', 'referral', 'other'])),
    custom(text('lead_source_detail', 'Lead Source Detail')),
    custom(datetime('lead_source_date', 'Lead Source Date')),
    custom(number('content_downloads', 'Content Downloads')),
    custom(datetime('last_content_download_date', 'Last Content Download Date')),
    custom(datetime('webinar_attended_date', 'Webinar Attended Date')),
    custom(datetime('demo_requested_date', 'Demo Requested Date')),
    custom(enumeration('demo_watched', 'Demo Watched', ['full', 'partial'])),
    custom(datetime('demo_watched_date', 'Demo Watched Date')),
    custom(enumeration('bant_budget', 'BANT Budget', ['approved', 'planned', 'none', 'unknown'])),
    custom(enumeration('bant_authority', 'BANT Authority', ['decision_maker', 'influencer', 'user', 'unknown'])),
    custom(enumeration('bant_need', 'BANT Need', ['urgent', 'confirmed', 'exploring', 'none'])),
    custom(enumeration('bant_timeline', 'BANT Timeline', ['within_3_months', 'within_6_months', 'within_12_months', 'later', 'unknown'])),
    custom(enumeration('product_interest', 'Product Interest', ['platform', 'analytics', 'integrations', 'services'])),
    custom(number('estimated_deal_size', 'Estimated Deal Size')),
  ];
}

/**
 * A vanilla portal: HubSpot's standard contact properties only, none of the custom ones (lead
 * source, BANT answers, demo watched) a Copperleaf-like portal added.
 */
export function vanillaContactProperties(): PropertyDefinition[] {
  return defaultContactProperties().filter((d) => d.hubspotDefined !== false);
}

/** A generated contact's values for the properties the portal has (a vanilla portal drops the custom ones). */
export function onlyDefined(properties: Record<string, string | null>, definitions: readonly PropertyDefinition[]): Record<string, string | null> {
  const names = new Set(definitions.map((d) => d.name));
  return Object.fromEntries(Object.entries(properties).filter(([name]) => names.has(name)));
}

/** Property types HubSpot accepts on create (API: type + fieldType pairs). */
export const VALID_TYPES = new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']);

/**
 * A portal whose contact properties have other options than the default ones (e.g. lead_source
 * options whose internal values are their labels, "Trade Show" / "Trade Show"): each named
 * enumeration gets exactly these options. Values the data generator makes are carried over to the
 * option they name (by internal value or label, ignoring case, spaces and _), else left empty.
 */
export type ContactPropertyOptions = Record<string, { label: string; value: string }[]>;

export function withPropertyOptions(definitions: PropertyDefinition[], options: ContactPropertyOptions | undefined): PropertyDefinition[] {
  if (!options) return definitions;
  for (const name of Object.keys(options)) {
    const d = definitions.find((p) => p.name === name);
    if (d?.type !== 'enumeration') throw new Error(`sandbox: contactPropertyOptions names ${name}, not an enumeration contact property`);
  }
  return definitions.map((d) => (options[d.name] ? { ...d, options: options[d.name]!.map((o) => ({ label: o.label, value: o.value })) } : d));
}

const slug = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** A generated contact's values moved onto the portal's own options (see withPropertyOptions). */
export function toPortalOptions(properties: Record<string, string | null>, options: ContactPropertyOptions | undefined): Record<string, string | null> {
  if (!options) return properties;
  const out = { ...properties };
  for (const [name, allowed] of Object.entries(options)) {
    const value = out[name];
    if (value === undefined || value === null || value === '') continue;
    const match = allowed.find((o) => o.value === value) ?? allowed.find((o) => slug(o.value) === slug(value) || slug(o.label) === slug(value));
    out[name] = match ? match.value : null;
  }
  return out;
}
