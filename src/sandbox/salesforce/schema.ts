import { KEY_PREFIX } from './ids.ts';

/**
 * Describe metadata for the objects leadloop uses, standard fields plus the custom fields of
 * the Copperleaf demo org (README, "The sandbox"). Field types and lengths follow Salesforce's
 * standard schema (jsforce's standard-schema.ts).
 */
export interface FieldDef {
  name: string;
  type: 'id' | 'string' | 'email' | 'phone' | 'url' | 'textarea' | 'picklist' | 'reference' | 'boolean' | 'double' | 'int' | 'currency' | 'date' | 'datetime' | 'percent' | 'anyType';
  label?: string;
  length?: number;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
  unique?: boolean;
  picklistValues?: string[];
  defaultValue?: string | number | boolean;
  referenceTo?: string[];
  relationshipName?: string;
  /** A restricted picklist: a value outside `picklistValues` is refused (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST). */
  restricted?: boolean;
  /** The API version the field appeared in: absent from describe and SOQL on older versions (e.g. Task.CompletedDateTime, 59.0). */
  since?: number;
  /** Exists only in an org with multiple currencies enabled (CurrencyIsoCode). */
  multiCurrency?: boolean;
}

const sys = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, nillable: true, createable: false, updateable: false, ...extra });
const f = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, nillable: true, createable: true, updateable: true, ...extra });
const str = (name: string, length: number, extra: Partial<FieldDef> = {}) => f(name, 'string', { length, ...extra });
const owner = (): FieldDef => f('OwnerId', 'reference', { nillable: false, referenceTo: ['User', 'Group'], relationshipName: 'Owner' });
const audit = (): FieldDef[] => [
  sys('Id', 'id', { nillable: false, length: 18 }),
  sys('IsDeleted', 'boolean', { nillable: false }),
  sys('CreatedDate', 'datetime', { nillable: false }),
  sys('LastModifiedDate', 'datetime', { nillable: false }),
  sys('SystemModstamp', 'datetime', { nillable: false }),
  sys('CreatedById', 'reference', { referenceTo: ['User'] }),
  sys('LastModifiedById', 'reference', { referenceTo: ['User'] }),
];

/** The org's LeadStatus values: a new org's four, and Recycled (sales gave the lead back to marketing for nurture). */
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted', 'Recycled'];
/** Why sales disqualified a lead (the Copperleaf org's custom Lead picklist Disqualified_Reason__c). */
export const DISQUALIFIED_REASONS = ['No budget', 'Not a fit', 'Competitor customer', 'Student or personal', 'Bad contact data', 'No response', 'Duplicate'];
export const LEAD_SOURCES = ['Trade Show', 'Web', 'Webinar', 'Advertisement', 'Partner Referral', 'Other', 'Demo Request', 'Content'];
/**
 * The standard sales process's stages (OpportunityStage records of a new org) with what each
 * stage means: docs/salesforce-api.md#opportunities, test/fixtures/vendor/salesforce/opportunity_stages_default.json.
 */
export const OPPORTUNITY_STAGE_TABLE: ReadonlyArray<{ name: string; probability: number; forecastCategoryName: string; isClosed: boolean; isWon: boolean }> = [
  { name: 'Prospecting', probability: 10, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Qualification', probability: 10, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Needs Analysis', probability: 20, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Value Proposition', probability: 50, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Id. Decision Makers', probability: 60, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Perception Analysis', probability: 70, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Proposal/Price Quote', probability: 75, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Negotiation/Review', probability: 90, forecastCategoryName: 'Pipeline', isClosed: false, isWon: false },
  { name: 'Closed Won', probability: 100, forecastCategoryName: 'Closed', isClosed: true, isWon: true },
  { name: 'Closed Lost', probability: 0, forecastCategoryName: 'Omitted', isClosed: true, isWon: false },
];
export const OPPORTUNITY_STAGES = OPPORTUNITY_STAGE_TABLE.map((s) => s.name);
/** ForecastCategoryName (the label users pick) → ForecastCategory (its API value), Opportunity object reference. */
export const FORECAST_CATEGORIES: Readonly<Record<string, string>> = { Omitted: 'Omitted', Pipeline: 'Pipeline', 'Best Case': 'BestCase', Commit: 'Forecast', Closed: 'Closed' };
/** The Copperleaf org's loss reasons (a custom restricted picklist; the seed's values). */
export const LOSS_REASONS = ['Price', 'Missing feature', 'Chose competitor', 'No budget', 'No decision', 'Timing'];
export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];
/** TaskStatus values with IsClosed = true in a new org. */
export const CLOSED_TASK_STATUSES = ['Completed'];
/** LeadStatus values with IsConverted = true: the only ones convertLead takes as convertedStatus. */
export const CONVERTED_LEAD_STATUSES = ['Closed - Converted'];

/** CurrencyIsoCode: on every currency-bearing object once the org enables multiple currencies; its values are the org's active currencies. */
const currency = (object: string): FieldDef => f('CurrencyIsoCode', 'picklist', { length: 3, nillable: false, restricted: true, multiCurrency: true, label: `${object} Currency` });
/** History and metadata objects carry only some of the audit fields. */
const created = (): FieldDef[] => [
  sys('Id', 'id', { nillable: false, length: 18 }),
  sys('IsDeleted', 'boolean', { nillable: false }),
  sys('CreatedById', 'reference', { referenceTo: ['User'] }),
  sys('CreatedDate', 'datetime', { nillable: false }),
];

export const SCHEMA: Record<string, FieldDef[]> = {
  Lead: [
    ...audit(),
    owner(),
    str('FirstName', 40),
    f('LastName', 'string', { length: 80, nillable: false }),
    f('Company', 'string', { length: 255, nillable: false }),
    f('Email', 'email', { length: 80 }),
    f('Phone', 'phone', { length: 40 }),
    str('Title', 128),
    f('Website', 'url', { length: 255 }),
    str('Country', 80),
    str('State', 80),
    str('City', 40),
    f('Industry', 'picklist', { length: 255, picklistValues: ['Technology', 'Finance', 'Banking', 'Insurance', 'Healthcare', 'Retail', 'Manufacturing', 'Education', 'Other'] }),
    f('NumberOfEmployees', 'int'),
    f('LeadSource', 'picklist', { length: 255, picklistValues: LEAD_SOURCES }),
    f('Status', 'picklist', { length: 255, nillable: false, picklistValues: LEAD_STATUSES, defaultValue: 'Open - Not Contacted' }),
    f('Rating', 'picklist', { length: 255, picklistValues: ['Hot', 'Warm', 'Cold'] }),
    f('Description', 'textarea', { length: 32000 }),
    sys('IsConverted', 'boolean', { nillable: false }),
    sys('ConvertedDate', 'date'),
    // Relationship names as the Lead object reference gives them (ConvertedContact.OwnerId: the Contact's owner, which sales may have changed since).
    sys('ConvertedAccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'ConvertedAccount' }),
    sys('ConvertedContactId', 'reference', { referenceTo: ['Contact'], relationshipName: 'ConvertedContact' }),
    sys('ConvertedOpportunityId', 'reference', { referenceTo: ['Opportunity'], relationshipName: 'ConvertedOpportunity' }),
    sys('LastActivityDate', 'date'),
    str('HubSpot_Contact_Id__c', 32, { externalId: true, unique: true, label: 'HubSpot Contact Id' }),
    f('Lead_Score__c', 'double', { label: 'Lead Score' }),
    str('Lead_Grade__c', 10, { label: 'Lead Grade' }),
    str('Lead_Source_Detail__c', 255, { label: 'Lead Source Detail' }),
    f('Disqualified_Reason__c', 'picklist', { length: 255, picklistValues: DISQUALIFIED_REASONS, label: 'Disqualified Reason' }),
    currency('Lead'),
  ],
  Contact: [
    ...audit(),
    owner(),
    f('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
    str('FirstName', 40),
    f('LastName', 'string', { length: 80, nillable: false }),
    f('Email', 'email', { length: 80 }),
    f('Phone', 'phone', { length: 40 }),
    str('Title', 128),
    f('LeadSource', 'picklist', { length: 255, picklistValues: LEAD_SOURCES }),
    str('HubSpot_Contact_Id__c', 32, { externalId: true, unique: true, label: 'HubSpot Contact Id' }),
    currency('Contact'),
  ],
  Account: [
    ...audit(),
    owner(),
    f('Name', 'string', { length: 255, nillable: false }),
    f('Website', 'url', { length: 255 }),
    f('Industry', 'picklist', { length: 255 }),
    f('NumberOfEmployees', 'int'),
    str('BillingCountry', 80),
    currency('Account'),
  ],
  Opportunity: [
    ...audit(),
    owner(),
    f('Name', 'string', { length: 120, nillable: false }),
    f('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
    f('StageName', 'picklist', { length: 255, nillable: false, picklistValues: OPPORTUNITY_STAGES, restricted: true, label: 'Stage' }),
    f('CloseDate', 'date', { nillable: false, label: 'Close Date' }),
    f('Amount', 'currency'),
    f('Probability', 'percent', { label: 'Probability (%)' }),
    sys('ExpectedRevenue', 'currency', { label: 'Expected Amount' }),
    sys('IsClosed', 'boolean', { nillable: false }),
    sys('IsWon', 'boolean', { nillable: false }),
    sys('ForecastCategory', 'picklist', { length: 40, nillable: false, picklistValues: Object.values(FORECAST_CATEGORIES) }),
    f('ForecastCategoryName', 'picklist', { length: 255, picklistValues: Object.keys(FORECAST_CATEGORIES), restricted: true, label: 'Forecast Category' }),
    f('Type', 'picklist', { length: 255, picklistValues: ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer'] }),
    f('NextStep', 'string', { length: 255 }),
    f('Description', 'textarea', { length: 32000 }),
    f('LeadSource', 'picklist', { length: 255, picklistValues: LEAD_SOURCES }),
    f('CampaignId', 'reference', { referenceTo: ['Campaign'], relationshipName: 'Campaign' }),
    currency('Opportunity'),
    f('Loss_Reason__c', 'picklist', { length: 255, picklistValues: LOSS_REASONS, restricted: true, label: 'Loss Reason' }),
    str('Competitor__c', 255, { label: 'Competitor' }),
  ],
  OpportunityContactRole: [
    ...audit(),
    f('OpportunityId', 'reference', { nillable: false, referenceTo: ['Opportunity'], relationshipName: 'Opportunity', updateable: false }),
    f('ContactId', 'reference', { nillable: false, referenceTo: ['Contact'], relationshipName: 'Contact' }),
    f('Role', 'picklist', {
      length: 40,
      picklistValues: ['Business User', 'Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Evaluator', 'Executive Sponsor', 'Influencer', 'Technical Buyer', 'Other'],
    }),
    f('IsPrimary', 'boolean', { nillable: false, defaultValue: false }),
  ],
  OpportunityCompetitor: [
    ...audit(),
    f('OpportunityId', 'reference', { nillable: false, referenceTo: ['Opportunity'], relationshipName: 'Opportunity', updateable: false }),
    str('CompetitorName', 40, { label: 'Competitor Name' }),
    str('Strengths', 1000),
    str('Weaknesses', 1000),
  ],
  // Written by the org on create and on changes of StageName, Amount, CloseDate or Probability (opportunities.ts).
  OpportunityHistory: [
    ...created(),
    sys('SystemModstamp', 'datetime', { nillable: false }),
    sys('OpportunityId', 'reference', { nillable: false, referenceTo: ['Opportunity'], relationshipName: 'Opportunity' }),
    sys('StageName', 'picklist', { length: 255, nillable: false, picklistValues: OPPORTUNITY_STAGES }),
    sys('Amount', 'currency'),
    sys('ExpectedRevenue', 'currency'),
    sys('CloseDate', 'date'),
    sys('Probability', 'percent'),
    sys('ForecastCategory', 'picklist', { length: 40, picklistValues: Object.values(FORECAST_CATEGORIES) }),
  ],
  // Field history of Lead: rows only for fields with history tracking on, from the moment it was turned on (history.ts).
  LeadHistory: [
    ...created(),
    sys('LeadId', 'reference', { nillable: false, referenceTo: ['Lead'], relationshipName: 'Lead' }),
    sys('Field', 'picklist', { length: 255, nillable: false }),
    sys('OldValue', 'anyType'),
    sys('NewValue', 'anyType'),
  ],
  OpportunityStage: [
    sys('Id', 'id', { nillable: false, length: 18 }),
    sys('MasterLabel', 'string', { length: 255 }),
    sys('ApiName', 'string', { length: 255, nillable: false }),
    sys('IsActive', 'boolean', { nillable: false }),
    sys('SortOrder', 'int'),
    sys('IsClosed', 'boolean', { nillable: false }),
    sys('IsWon', 'boolean', { nillable: false }),
    sys('ForecastCategory', 'picklist', { length: 40, nillable: false, picklistValues: Object.values(FORECAST_CATEGORIES) }),
    sys('ForecastCategoryName', 'picklist', { length: 255, nillable: false, picklistValues: Object.keys(FORECAST_CATEGORIES) }),
    sys('DefaultProbability', 'percent'),
    sys('Description', 'string', { length: 255 }),
    sys('CreatedById', 'reference', { referenceTo: ['User'] }),
    sys('CreatedDate', 'datetime', { nillable: false }),
    sys('LastModifiedById', 'reference', { referenceTo: ['User'] }),
    sys('LastModifiedDate', 'datetime', { nillable: false }),
    sys('SystemModstamp', 'datetime', { nillable: false }),
  ],
  Task: [
    ...audit(),
    owner(),
    f('Subject', 'string', { length: 255 }),
    f('WhoId', 'reference', { referenceTo: ['Lead', 'Contact'] }),
    f('WhatId', 'reference', { referenceTo: ['Account', 'Opportunity', 'Campaign'] }),
    f('ActivityDate', 'date'),
    f('Status', 'picklist', { nillable: false, picklistValues: TASK_STATUSES, defaultValue: 'Not Started' }),
    f('Priority', 'picklist', { nillable: false, picklistValues: ['High', 'Normal', 'Low'], defaultValue: 'Normal' }),
    f('Description', 'textarea', { length: 32000 }),
    f('TaskSubtype', 'picklist', { picklistValues: ['Task', 'Email', 'Call', 'ListEmail', 'Cadence'] }),
    f('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    sys('IsClosed', 'boolean', { nillable: false }),
    // "The date and time the task was saved with a Closed status" (Task object reference; API 59.0 and later).
    sys('CompletedDateTime', 'datetime', { since: 59, label: 'Completed Date/Time' }),
    str('Leadloop_Key__c', 80, { externalId: true, unique: true, label: 'leadloop Key' }),
  ],
  // Start and end are kept consistent by the org (activities.ts): StartDateTime = ActivityDateTime, EndDateTime = start + DurationInMinutes.
  Event: [
    ...audit(),
    owner(),
    f('Subject', 'string', { length: 255 }),
    f('WhoId', 'reference', { referenceTo: ['Contact', 'Lead'] }),
    f('WhatId', 'reference', { referenceTo: ['Account', 'Opportunity', 'Campaign'] }),
    f('ActivityDateTime', 'datetime', { label: 'Due Date Time' }),
    f('ActivityDate', 'date', { label: 'Due Date Only' }),
    f('StartDateTime', 'datetime', { label: 'Start Date Time' }),
    f('EndDateTime', 'datetime', { label: 'End Date Time' }),
    f('DurationInMinutes', 'int', { label: 'Duration' }),
    f('IsAllDayEvent', 'boolean', { nillable: false, defaultValue: false, label: 'All-Day Event' }),
    str('Location', 255),
    f('Description', 'textarea', { length: 32000 }),
    f('Type', 'picklist', { length: 40, picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
  ],
  User: [
    ...audit(),
    sys('Username', 'string', { length: 80 }),
    sys('Email', 'email', { length: 128 }),
    sys('FirstName', 'string', { length: 40 }),
    sys('LastName', 'string', { length: 80 }),
    sys('Name', 'string', { length: 121 }),
    sys('IsActive', 'boolean'),
    sys('Title', 'string', { length: 80 }),
  ],
  Group: [...audit(), sys('Name', 'string', { length: 40 }), sys('DeveloperName', 'string', { length: 80 }), sys('Type', 'picklist')],
  Campaign: [
    ...audit(),
    owner(),
    f('Name', 'string', { length: 80, nillable: false }),
    f('Type', 'picklist'),
    f('Status', 'picklist'),
    f('StartDate', 'date'),
    f('IsActive', 'boolean'),
    f('BudgetedCost', 'currency'),
    f('ActualCost', 'currency'),
    f('ExpectedRevenue', 'currency'),
    // Read-only roll-ups of the opportunities whose CampaignId is this campaign (campaigns.ts).
    sys('NumberOfOpportunities', 'int', { nillable: false }),
    sys('NumberOfWonOpportunities', 'int', { nillable: false }),
    sys('AmountAllOpportunities', 'currency'),
    sys('AmountWonOpportunities', 'currency'),
    // The Copperleaf org's fields for leadloop's closed-loop figures (mapping.yaml campaign.figures).
    f('Leadloop_Handoffs__c', 'double'),
    f('Leadloop_SQL__c', 'double'),
    f('Leadloop_Lost__c', 'double'),
    f('Leadloop_Win_Rate__c', 'percent'),
    currency('Campaign'),
  ],
  // A lead or contact once per campaign; Status is one of the campaign's CampaignMemberStatus labels, HasResponded follows it (campaign-members.ts).
  CampaignMember: [
    ...audit(),
    f('CampaignId', 'reference', { nillable: false, referenceTo: ['Campaign'], relationshipName: 'Campaign', updateable: false }),
    f('LeadId', 'reference', { referenceTo: ['Lead'], relationshipName: 'Lead', updateable: false }),
    f('ContactId', 'reference', { referenceTo: ['Contact'], relationshipName: 'Contact', updateable: false }),
    f('Status', 'picklist', { length: 40 }),
    sys('HasResponded', 'boolean', { nillable: false }),
    sys('FirstRespondedDate', 'date'),
  ],
  // The member statuses of one campaign (a new campaign gets Sent, the default, and Responded).
  CampaignMemberStatus: [
    ...audit(),
    f('CampaignId', 'reference', { nillable: false, referenceTo: ['Campaign'], relationshipName: 'Campaign', updateable: false }),
    f('Label', 'string', { length: 765, nillable: false, label: 'Member Status' }),
    f('HasResponded', 'boolean', { nillable: false, defaultValue: false, label: 'Responded' }),
    f('IsDefault', 'boolean', { nillable: false, defaultValue: false, label: 'Is Default' }),
    f('SortOrder', 'int'),
  ],
};

export function fieldOf(sobject: string, name: string): FieldDef | undefined {
  return SCHEMA[sobject]?.find((d) => d.name.toLowerCase() === name.toLowerCase());
}

/** What decides which fields a caller sees: the API version of the request and the org's currency setting. */
export interface SchemaView {
  version: number;
  multiCurrency: boolean;
}

export function isAvailable(def: FieldDef, view: SchemaView): boolean {
  return (def.since === undefined || view.version >= def.since) && (!def.multiCurrency || view.multiCurrency);
}

/** The fields of `sobject` that exist for this view (describe, SELECT-less reads). */
export function fieldsIn(sobject: string, view: SchemaView): FieldDef[] {
  return (SCHEMA[sobject] ?? []).filter((d) => isAvailable(d, view));
}

/** One field by name (case-insensitive), undefined when it does not exist for this view: SOQL answers INVALID_FIELD. */
export function fieldIn(sobject: string, name: string, view: SchemaView): FieldDef | undefined {
  const def = fieldOf(sobject, name);
  return def && isAvailable(def, view) ? def : undefined;
}

/** Object-level describe flags and label, for the objects that differ from a plain read-write object. */
export interface ObjectInfo {
  label: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
}

const READ_ONLY = { createable: false, updateable: false, deletable: false };
const OBJECT_INFO: Record<string, Partial<ObjectInfo>> = {
  // History rows are written by the org only ("entity type cannot be inserted: Case History" is the captured refusal for another history object).
  OpportunityHistory: { label: 'Opportunity History', ...READ_ONLY },
  LeadHistory: { label: 'Lead History', ...READ_ONLY },
  // Stages are metadata (Setup), read through the API: describeSObjects(), query(), retrieve().
  OpportunityStage: { label: 'Opportunity Stage', ...READ_ONLY },
  OpportunityContactRole: { label: 'Contact Role' },
  OpportunityCompetitor: { label: 'Opportunity: Competitor' },
  // Creatable by a user with Read on Campaign and Edit on Lead/Contact (Marketing User not needed: docs/salesforce-api.md#campaign-members).
  CampaignMember: { label: 'Campaign Member' },
  CampaignMemberStatus: { label: 'Campaign Member Status' },
  User: { ...READ_ONLY },
  Group: { ...READ_ONLY },
};

export function objectInfo(sobject: string): ObjectInfo {
  return { label: sobject, createable: true, updateable: true, deletable: true, ...OBJECT_INFO[sobject] };
}

// Key prefixes of the objects added here. They belong in ids.ts's KEY_PREFIX (which the id factory
// and sobjectOfId read); registered from here while that file is outside this change's scope.
// Like the others, from memory (docs/salesforce-api.md#objects-and-fields: unconfirmed).
Object.assign(KEY_PREFIX, { Event: '00U', OpportunityHistory: '008', OpportunityCompetitor: '00J', LeadHistory: '017', OpportunityStage: '01J' });
