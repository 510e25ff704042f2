/**
 * Lead conversion: the SOAP API's `convertLead()` (REST has no convert call) and the sandbox's
 * own hand for it. Sources and what is assumed: docs/salesforce-api.md#lead-conversion.
 *
 * One LeadConvert is one transaction: the lead becomes read-only (IsConverted, ConvertedDate, the
 * converted ids, its status the convertedStatus), an Account and a Contact are created from it, or
 * it is merged into the ones named (only their empty fields are filled), and an Opportunity is
 * created unless doNotCreateOpportunity: named opportunityName or else the lead's company, its
 * primary campaign the lead's most recent campaign, the new contact its primary contact role.
 * The lead's tasks and events move to the contact; its campaign memberships name the contact too.
 */
import { isSalesforceId, sobjectOfId, toId18 } from './ids.ts';
import type { ItemError, Org, SfRecord, WriteOptions } from './org.ts';
import { RecordError, sfDate, sfDay } from './record.ts';
import { CONVERTED_LEAD_STATUSES, SCHEMA } from './schema.ts';
import { child, escapeXml, SoapFault, type XmlElement } from './soap.ts';

/** One conversion request (the Partner WSDL's LeadConvert, the parts the emulator carries out). */
export interface LeadConvert {
  leadId: string;
  /** A LeadStatus with IsConverted = true; the lead's Status becomes it. */
  convertedStatus: string | null;
  /** An existing Account to merge into; else one is created from the lead. */
  accountId?: string | null;
  /** An existing Contact of `accountId` to merge into; else one is created. */
  contactId?: string | null;
  /** The owner of what is created; required when a queue owns the lead. Default: the lead's owner. */
  ownerId?: string | null;
  opportunityName?: string | null;
  doNotCreateOpportunity?: boolean;
  /** Overwrite the existing contact's LeadSource with the lead's. */
  overwriteLeadSource?: boolean;
}

export interface LeadConvertResult {
  accountId: string | null;
  contactId: string | null;
  leadId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: ItemError[];
}

/**
 * LeadConvert elements per convertLead() call. Assumption: 200, as the SOAP API's other
 * multi-record calls; Apex's Database.convertLead takes up to 100.
 */
export const MAX_LEAD_CONVERTS = 200;

/** Field mapping of a new org (no custom mappings): lead field → account / contact field. */
const TO_ACCOUNT: Readonly<Record<string, string>> = { Company: 'Name', Website: 'Website', Industry: 'Industry', NumberOfEmployees: 'NumberOfEmployees', Country: 'BillingCountry' };
const TO_CONTACT: Readonly<Record<string, string>> = { FirstName: 'FirstName', LastName: 'LastName', Email: 'Email', Phone: 'Phone', Title: 'Title', LeadSource: 'LeadSource' };
const QUEUE_OWNER = 'Converted objects can only be owned by users.  If the lead is not owned by a user, you must specify a user for the Owner field.';
/** Tables a conversion can add rows to: a refused conversion removes what it added. */
const TOUCHED = ['Account', 'Contact', 'Opportunity', 'OpportunityContactRole', 'OpportunityHistory', 'LeadHistory'];

/** Converts one lead; a refusal is the result's errors and leaves the org as it was. */
export function convertLead(org: Org, request: LeadConvert, userId: string, at = org.clock.now()): LeadConvertResult {
  const sizes = TOUCHED.map((name) => [name, org.table(name).size] as const);
  try {
    return convertOne(org, request, userId, at);
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    // Maps keep insertion order and a conversion deletes nothing: what it added is at the end.
    for (const [name, size] of sizes) {
      const table = org.table(name);
      for (const id of [...table.keys()].slice(size)) table.delete(id);
    }
    org.invalidateIndexes();
    return { accountId: null, contactId: null, leadId: null, opportunityId: null, success: false, errors: [error.error] };
  }
}

function existing(org: Org, sobject: string, id: string, field: string): SfRecord {
  if (!isSalesforceId(id)) throw new RecordError('MALFORMED_ID', `${field}: id value of incorrect type: ${id}`, [field]);
  const record = sobjectOfId(id) === sobject ? org.table(sobject).get(toId18(id)) : undefined;
  if (!record) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field]);
  if (record.IsDeleted) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', [field]);
  return record;
}

/** The empty fields of `target` that the lead has values for (merging never overwrites). */
function blanksFilled(lead: SfRecord, target: SfRecord, mapping: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(mapping)) {
    const value = lead[from];
    if (value !== null && value !== undefined && value !== '' && (target[to] === null || target[to] === undefined || target[to] === '')) out[to] = value;
  }
  return out;
}

function mapped(lead: SfRecord, mapping: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(mapping).flatMap(([from, to]) => (lead[from] === null || lead[from] === undefined ? [] : [[to, lead[from]]])));
}

/** Assumption: an opportunity created by conversion closes on the last day of the current (calendar) quarter. */
function endOfQuarter(at: number): string {
  const d = new Date(at);
  const lastMonth = Math.floor(d.getUTCMonth() / 3) * 3 + 2;
  return sfDay(Date.UTC(d.getUTCFullYear(), lastMonth + 1, 0));
}

function convertOne(org: Org, request: LeadConvert, userId: string, at: number): LeadConvertResult {
  const lead = existing(org, 'Lead', request.leadId, 'leadId');
  // Assumption (code): the code a converted lead gets from update and merge.
  if (lead.IsConverted) throw new RecordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
  const status = request.convertedStatus ?? '';
  // "INVALID_STATUS, invalid convertedStatus: Converted: [Status]" (captured): only LeadStatus values with IsConverted convert.
  if (!CONVERTED_LEAD_STATUSES.includes(status)) throw new RecordError('INVALID_STATUS', `invalid convertedStatus: ${status}`, ['Status']);

  // Accounts and contacts cannot be owned by a queue. Assumption: the code (the message is captured).
  const ownerId = request.ownerId ?? (sobjectOfId(String(lead.OwnerId)) === 'User' ? String(lead.OwnerId) : undefined);
  if (!ownerId || sobjectOfId(ownerId) !== 'User') throw new RecordError('INVALID_CROSS_REFERENCE_KEY', QUEUE_OWNER, ['OwnerId']);
  const write: WriteOptions = { autoAssign: false, allowDuplicateSave: true, userId };

  const account = request.accountId ? existing(org, 'Account', request.accountId, 'accountId') : undefined;
  // "this contact must be associated with the specified accountId, and an accountId must be specified" (LeadConvert docs). Assumption: the code.
  const contact = request.contactId ? existing(org, 'Contact', request.contactId, 'contactId') : undefined;
  if (contact && (!account || contact.AccountId !== account.Id)) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['contactId']);

  const accountId = account?.Id ?? org.create('Account', { ...mapped(lead, TO_ACCOUNT), OwnerId: ownerId }, write, at).Id;
  const contactId = contact?.Id ?? org.create('Contact', { ...mapped(lead, TO_CONTACT), AccountId: accountId, OwnerId: ownerId }, write, at).Id;
  let opportunityId: string | null = null;
  if (!request.doNotCreateOpportunity) {
    const campaign = [...org.table('CampaignMember').values()].filter((m) => !m.IsDeleted && m.LeadId === lead.Id).at(-1);
    opportunityId = org.create(
      'Opportunity',
      {
        Name: request.opportunityName ?? lead.Company,
        AccountId: accountId,
        OwnerId: ownerId,
        StageName: SCHEMA.Opportunity!.find((d) => d.name === 'StageName')!.picklistValues![0],
        CloseDate: endOfQuarter(at),
        LeadSource: lead.LeadSource ?? null,
        CampaignId: campaign?.CampaignId ?? null,
      },
      write,
      at,
    ).Id;
    org.create('OpportunityContactRole', { OpportunityId: opportunityId, ContactId: contactId, IsPrimary: true }, write, at);
  }

  // Nothing below can be refused: merge into existing records, then the lead itself.
  if (account) {
    const fill = blanksFilled(lead, account, TO_ACCOUNT);
    if (Object.keys(fill).length > 0) org.systemUpdate('Account', account.Id, fill, userId, at);
  }
  if (contact) {
    const fill = blanksFilled(lead, contact, TO_CONTACT);
    if (request.overwriteLeadSource && lead.LeadSource) fill.LeadSource = lead.LeadSource;
    if (Object.keys(fill).length > 0) org.systemUpdate('Contact', contact.Id, fill, userId, at);
  }
  const stamp = { LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId };
  for (const sobject of ['Task', 'Event']) {
    for (const activity of org.table(sobject).values()) {
      if (activity.IsDeleted || activity.WhoId !== lead.Id) continue;
      // Assumption: an activity with no WhatId gets the new opportunity, else the account.
      Object.assign(activity, { WhoId: contactId, WhatId: activity.WhatId ?? opportunityId ?? accountId, ...stamp });
    }
  }
  for (const member of org.table('CampaignMember').values()) {
    if (!member.IsDeleted && member.LeadId === lead.Id && !member.ContactId) Object.assign(member, { ContactId: contactId, ...stamp });
  }
  org.invalidateIndexes();
  org.systemUpdate(
    'Lead',
    lead.Id,
    { IsConverted: true, Status: status, ConvertedDate: sfDay(at), ConvertedAccountId: accountId, ConvertedContactId: contactId, ConvertedOpportunityId: opportunityId },
    userId,
    at,
  );
  return { accountId, contactId, leadId: lead.Id, opportunityId, success: true, errors: [] };
}

/** LeadConvert elements the emulator does not carry out: a request using one is refused whole rather than half done. */
const NOT_EMULATED = ['opportunityId', 'accountRecord', 'contactRecord', 'opportunityRecord', 'bypassAccountDedupeCheck', 'bypassContactDedupeCheck'];

/**
 * The SOAP call: each `<leadConverts>` element (the WSDL's and jsforce's name) is one request,
 * each its own transaction. Problems of the whole call throw a SoapFault.
 */
export function runConvertLead(org: Org, requests: readonly XmlElement[], userId: string, at = org.clock.now()): LeadConvertResult[] {
  // Assumption: an empty call is refused as a malformed request (the WSDL requires at least one element).
  if (requests.length === 0) throw new SoapFault('soapenv:Client', 'convertLead: at least one leadConverts element is required');
  if (requests.length > MAX_LEAD_CONVERTS) throw new SoapFault('EXCEEDED_ID_LIMIT', `too many leadConverts: at most ${MAX_LEAD_CONVERTS} in one call`);
  const parsed = requests.map((element) => {
    const value = (name: string): string | null => {
      const e = child(element, name);
      return !e || e.attrs['xsi:nil'] === 'true' ? null : e.text.trim();
    };
    for (const name of NOT_EMULATED) {
      const e = child(element, name);
      if (e && e.attrs['xsi:nil'] !== 'true' && (e.text.trim() !== '' || e.children.length > 0)) throw new SoapFault('soapenv:Client', `sandbox: LeadConvert.${name} is not emulated`);
    }
    const flag = (name: string) => value(name) === 'true' || value(name) === '1';
    return {
      leadId: value('leadId') ?? '',
      convertedStatus: value('convertedStatus'),
      accountId: value('accountId'),
      contactId: value('contactId'),
      ownerId: value('ownerId'),
      opportunityName: value('opportunityName'),
      doNotCreateOpportunity: flag('doNotCreateOpportunity'),
      overwriteLeadSource: flag('overwriteLeadSource'),
    } satisfies LeadConvert;
  });
  return parsed.map((request) => convertLead(org, request, userId, at));
}

/** One LeadConvertResult, its elements in the Partner WSDL's order (accountId, contactId, errors*, leadId, opportunityId, success). */
export function leadConvertResultXml(r: LeadConvertResult): string {
  const id = (name: string, value: string | null) => (value === null ? `<${name} xsi:nil="true"/>` : `<${name}>${value}</${name}>`);
  const errors = r.errors
    .map((e) => `<errors>${e.fields.map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`)
    .join('');
  return `${id('accountId', r.accountId)}${id('contactId', r.contactId)}${errors}${id('leadId', r.leadId)}${id('opportunityId', r.opportunityId)}<success>${r.success}</success>`;
}
