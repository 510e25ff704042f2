/**
 * Campaign members as the org keeps them. A new Campaign gets two CampaignMemberStatus rows, Sent
 * (the default) and Responded (HasResponded); a status label is unique within its campaign. A
 * CampaignMember names a Lead or a Contact (one of them), at most once per campaign
 * (DUPLICATE_VALUE "Already a campaign member."); its Status is one of its campaign's status
 * labels (the default when none is sent) and HasResponded, with FirstRespondedDate, follows it.
 * Sources: docs/salesforce-api.md#campaign-members. Assumptions (unconfirmed): the refusal codes
 * and texts of a bad status, a second label and a member naming neither record.
 */
import type { Org } from './org.ts';
import { RecordError, type SfRecord, sfDay } from './record.ts';
import type { ObjectRules, SaveEvent } from './rules.ts';

/** The statuses a new campaign gets. */
export const DEFAULT_MEMBER_STATUSES = [
  { Label: 'Sent', HasResponded: false, IsDefault: true, SortOrder: 1 },
  { Label: 'Responded', HasResponded: true, IsDefault: false, SortOrder: 2 },
] as const;

/** Gives a campaign the default member statuses (a campaign created through the API gets them by its save; seeding calls this). */
export function addDefaultMemberStatuses(org: Org, campaignId: string, at = org.clock.now()): void {
  for (const status of DEFAULT_MEMBER_STATUSES) org.insertRaw('CampaignMemberStatus', { CampaignId: campaignId, ...status }, at);
}

export function memberStatusesOf(org: Org, campaignId: string): SfRecord[] {
  return org.findByField('CampaignMemberStatus', 'CampaignId', campaignId);
}

export const campaignMemberStatusDefaults: ObjectRules = {
  afterSave({ org, record, before, at }: SaveEvent) {
    if (!before) addDefaultMemberStatuses(org, record.Id, at);
  },
};

export const memberStatusRules: ObjectRules = {
  beforeSave({ org, record }: SaveEvent) {
    const label = String(record.Label ?? '').toLowerCase();
    const clash = memberStatusesOf(org, String(record.CampaignId)).find((s) => s.Id !== record.Id && String(s.Label).toLowerCase() === label);
    // Assumption (unconfirmed): the code and text of a second status with the same label.
    if (clash) throw new RecordError('DUPLICATE_VALUE', `duplicate value found: Label duplicates value on record with id: ${clash.Id}`, ['Label']);
  },
  afterSave({ org, record }: SaveEvent) {
    // One default per campaign: making one the default makes the others not.
    if (record.IsDefault !== true) return;
    for (const other of memberStatusesOf(org, String(record.CampaignId))) if (other.Id !== record.Id && other.IsDefault === true) other.IsDefault = false;
  },
};

export const campaignMemberRules: ObjectRules = {
  beforeSave({ org, record, before, at }: SaveEvent) {
    const campaignId = String(record.CampaignId);
    if (!before) {
      const leadId = typeof record.LeadId === 'string' ? record.LeadId : undefined;
      const contactId = typeof record.ContactId === 'string' ? record.ContactId : undefined;
      // "Each record ... must contain either a ContactId or a LeadId, but can't contain both": with both, only the ContactId is inserted.
      if (contactId && leadId) record.LeadId = null;
      if (!contactId && !leadId) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [LeadId, ContactId]', ['LeadId', 'ContactId']);
      const field = contactId ? 'ContactId' : 'LeadId';
      const who = contactId ?? leadId!;
      if (!org.get('Campaign', campaignId)) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['CampaignId']);
      if (!org.get(field === 'ContactId' ? 'Contact' : 'Lead', who)) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field]);
      // By campaign, then the record (a merge or a conversion re-points members in place).
      const already = org.findByField('CampaignMember', 'CampaignId', campaignId).some((m) => m[field] === who);
      if (already) throw new RecordError('DUPLICATE_VALUE', 'Already a campaign member.', []);
    }
    const statuses = memberStatusesOf(org, campaignId);
    if (record.Status === null || record.Status === undefined || record.Status === '') record.Status = statuses.find((s) => s.IsDefault === true)?.Label ?? null;
    const status = statuses.find((s) => s.Label === record.Status);
    // Assumption (unconfirmed): the code and text Salesforce answers for a label the campaign lacks.
    if (!status) throw new RecordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Status: bad value for restricted picklist field: ${String(record.Status)}`, ['Status']);
    record.HasResponded = status.HasResponded === true;
    if (record.HasResponded && !record.FirstRespondedDate) record.FirstRespondedDate = sfDay(at);
  },
};
