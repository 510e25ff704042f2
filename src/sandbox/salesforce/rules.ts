import { eventRules, taskRules } from './activities.ts';
import { campaignMemberRules, campaignMemberStatusDefaults, memberStatusRules } from './campaign-members.ts';
import { campaignRollupRules } from './campaigns.ts';
import { leadHistoryRules } from './history.ts';
import { contactRoleRules, opportunityRules } from './opportunities.ts';
import type { Org } from './org.ts';
import type { SfRecord } from './record.ts';

/** One save of one record, as the org's rules see it. */
export interface SaveEvent {
  org: Org;
  sobject: string;
  /** Before the save: the record as it will be stored (rules may derive fields on it). After: the stored record. */
  record: SfRecord;
  /** The record before this save; undefined on create. */
  before: Readonly<SfRecord> | undefined;
  /** The fields the write set, validated (on create, with the defaults filled in). */
  changed: Readonly<Record<string, unknown>>;
  userId: string;
  at: number;
}

/**
 * What the org does around a save of one object, beyond field-level validation: derived read-only
 * fields and refusals (`beforeSave`, may throw a RecordError and nothing is stored), rows it
 * writes beside the record such as history (`afterSave`), records that go with a deleted parent
 * (`afterDelete`). Each object's rules live in their own file.
 */
export interface ObjectRules {
  beforeSave?(event: SaveEvent): void;
  afterSave?(event: SaveEvent): void;
  afterDelete?(org: Org, record: SfRecord, at: number): void;
}

const RULES: Readonly<Record<string, readonly ObjectRules[]>> = {
  Opportunity: [opportunityRules, campaignRollupRules],
  OpportunityContactRole: [contactRoleRules],
  Task: [taskRules],
  Event: [eventRules],
  Lead: [leadHistoryRules],
  Campaign: [campaignMemberStatusDefaults],
  CampaignMember: [campaignMemberRules],
  CampaignMemberStatus: [memberStatusRules],
};

export function rulesOf(sobject: string): readonly ObjectRules[] {
  return RULES[sobject] ?? [];
}
