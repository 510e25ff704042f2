/**
 * Describe metadata for the objects leadloop uses, standard fields plus the custom fields of
 * the Copperleaf demo org (README, "The sandbox"). Field types and lengths follow Salesforce's
 * standard schema (jsforce's standard-schema.ts).
 */
export interface FieldDef {
  name: string;
  type: 'id' | 'string' | 'email' | 'phone' | 'url' | 'textarea' | 'picklist' | 'reference' | 'boolean' | 'double' | 'int' | 'currency' | 'date' | 'datetime' | 'percent';
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

export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];
export const LEAD_SOURCES = ['Trade Show', 'Web', 'Webinar', 'Advertisement', 'Partner Referral', 'Other', 'Demo Request', 'Content'];
export const OPPORTUNITY_STAGES = ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];

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
    sys('ConvertedAccountId', 'reference', { referenceTo: ['Account'] }),
    sys('ConvertedContactId', 'reference', { referenceTo: ['Contact'] }),
    sys('ConvertedOpportunityId', 'reference', { referenceTo: ['Opportunity'] }),
    sys('LastActivityDate', 'date'),
    str('HubSpot_Contact_Id__c', 32, { externalId: true, unique: true, label: 'HubSpot Contact Id' }),
    f('Lead_Score__c', 'double', { label: 'Lead Score' }),
    str('Lead_Grade__c', 10, { label: 'Lead Grade' }),
    str('Lead_Source_Detail__c', 255, { label: 'Lead Source Detail' }),
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
  ],
  Account: [
    ...audit(),
    owner(),
    f('Name', 'string', { length: 255, nillable: false }),
    f('Website', 'url', { length: 255 }),
    f('Industry', 'picklist', { length: 255 }),
    f('NumberOfEmployees', 'int'),
    str('BillingCountry', 80),
  ],
  Opportunity: [
    ...audit(),
    owner(),
    f('Name', 'string', { length: 120, nillable: false }),
    f('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
    f('StageName', 'picklist', { nillable: false, picklistValues: OPPORTUNITY_STAGES }),
    f('CloseDate', 'date', { nillable: false }),
    f('Amount', 'currency'),
    f('Probability', 'percent'),
    sys('IsClosed', 'boolean', { nillable: false }),
    sys('IsWon', 'boolean', { nillable: false }),
    f('LeadSource', 'picklist', { picklistValues: LEAD_SOURCES }),
    f('CampaignId', 'reference', { referenceTo: ['Campaign'], relationshipName: 'Campaign' }),
    str('Loss_Reason__c', 255, { label: 'Loss Reason' }),
    str('Competitor__c', 255, { label: 'Competitor' }),
  ],
  OpportunityContactRole: [
    ...audit(),
    f('OpportunityId', 'reference', { nillable: false, referenceTo: ['Opportunity'] }),
    f('ContactId', 'reference', { nillable: false, referenceTo: ['Contact'] }),
    f('Role', 'picklist'),
    f('IsPrimary', 'boolean'),
  ],
  Task: [
    ...audit(),
    owner(),
    f('Subject', 'string', { length: 255 }),
    f('WhoId', 'reference', { referenceTo: ['Lead', 'Contact'] }),
    f('WhatId', 'reference', { referenceTo: ['Account', 'Opportunity', 'Campaign'] }),
    f('ActivityDate', 'date'),
    f('Status', 'picklist', { nillable: false, picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], defaultValue: 'Not Started' }),
    f('Priority', 'picklist', { nillable: false, picklistValues: ['High', 'Normal', 'Low'], defaultValue: 'Normal' }),
    f('Description', 'textarea', { length: 32000 }),
    f('TaskSubtype', 'picklist', { picklistValues: ['Task', 'Email', 'Call', 'ListEmail', 'Cadence'] }),
    f('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    sys('IsClosed', 'boolean', { nillable: false }),
    str('Leadloop_Key__c', 80, { externalId: true, unique: true, label: 'leadloop Key' }),
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
    f('Leadloop_Leads__c', 'double'),
    f('Leadloop_Won__c', 'double'),
    f('Leadloop_Lost__c', 'double'),
    f('Leadloop_Won_Amount__c', 'currency'),
  ],
  CampaignMember: [
    ...audit(),
    f('CampaignId', 'reference', { nillable: false, referenceTo: ['Campaign'] }),
    f('LeadId', 'reference', { referenceTo: ['Lead'] }),
    f('ContactId', 'reference', { referenceTo: ['Contact'] }),
    f('Status', 'picklist'),
    sys('HasResponded', 'boolean'),
  ],
};

export function fieldOf(sobject: string, name: string): FieldDef | undefined {
  return SCHEMA[sobject]?.find((d) => d.name.toLowerCase() === name.toLowerCase());
}
