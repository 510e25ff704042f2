import type { Connection } from 'jsforce';
import type { FoundPeople, OwnerDirectory, TaskWrite } from '../domain/handoff/types.ts';
import type { Rejection } from '../errors/index.ts';
import { pullAccounts, type IndexedAccount } from './accountIndex.ts';
import { createCampaignRecords, type CampaignObject, type CampaignRecordToCreate } from './campaignMembers.ts';
import { createTasks } from './createTasks.ts';
import { describeFields, type DescribedObject } from './describeFields.ts';
import { loadDirectory } from './directory.ts';
import { eraseLeads } from './eraseLeads.ts';
import { eraseTasks } from './eraseTasks.ts';
import { findPeople } from './findPeople.ts';
import { leadsKeyedBy } from './leadsKeyedBy.ts';
import { rekeyLeads, type RekeyOutcome } from './rekeyLeads.ts';
import { upsertAndUpdate } from './upsertLeads.ts';

/**
 * Salesforce as the pipeline uses it (its LeadSink), over the one-operation files beside it. Every
 * call goes through the connection's gate (budgets, deadline, session refresh).
 */
export class SalesforceLeads {
  readonly #conn: Connection;
  readonly #externalIdField: string;
  readonly #taskKeyField: string;

  constructor(conn: Connection, fields: { externalIdField: string; taskKeyField: string }) {
    this.#conn = conn;
    this.#externalIdField = fields.externalIdField;
    this.#taskKeyField = fields.taskKeyField;
  }

  directory(options: { refresh?: boolean } = {}): Promise<OwnerDirectory> {
    return loadDirectory(this.#conn, options);
  }

  accountsChangedSince(since: number): AsyncIterable<IndexedAccount[]> {
    return pullAccounts(this.#conn, since);
  }

  findPeople(contactIds: readonly string[], emails: readonly string[], taskKeys: readonly string[], campaignNames: readonly string[] = []): Promise<FoundPeople> {
    return findPeople(this.#conn, contactIds, emails, this.#externalIdField, taskKeys, this.#taskKeyField, campaignNames);
  }

  createCampaignRecords(sobject: CampaignObject, records: readonly CampaignRecordToCreate[]) {
    return createCampaignRecords(this.#conn, sobject, records);
  }

  async writeLeads(upserts: readonly Record<string, unknown>[], adoptions: readonly Record<string, unknown>[], options: { useAssignmentRules: boolean; allowDuplicateSave: boolean }) {
    const { upserted, updated } = await upsertAndUpdate(this.#conn, 'Lead', upserts, adoptions, { externalIdField: this.#externalIdField, ...options });
    return { upserted: upserted.written, adopted: updated, rejections: upserted.rejections };
  }

  async createTasks(tasks: readonly (TaskWrite & { whoId: string })[]): Promise<{ created: string[]; rejections: Rejection[] }> {
    const result = await createTasks(
      this.#conn,
      tasks.map((t) => ({ key: t.key, fields: { ...t.fields, WhoId: t.whoId, OwnerId: t.ownerId } })),
      this.#taskKeyField,
    );
    return { created: result.created, rejections: result.rejections };
  }

  rekeyLeads(survivorId: string, mergedIds: readonly string[]): Promise<RekeyOutcome> {
    return rekeyLeads(this.#conn, this.#externalIdField, survivorId, mergedIds);
  }

  eraseLeads(leadIds: readonly string[], mode: 'delete' | 'anonymise', anonymised: Record<string, string | null>) {
    return eraseLeads(this.#conn, leadIds, mode, anonymised);
  }

  leadsKeyedBy(contactId: string): Promise<{ id: string; isConverted: boolean }[]> {
    return leadsKeyedBy(this.#conn, this.#externalIdField, contactId);
  }

  eraseTasks(contactId: string, mode: 'delete' | 'anonymise'): Promise<{ erased: string[]; rejections: Rejection[] }> {
    return eraseTasks(this.#conn, contactId, this.#taskKeyField, mode);
  }

  /** Describes objects for setup's checks (undefined: the org has no such object, or the user cannot see it). */
  describe(objects: readonly string[]): Promise<Map<string, DescribedObject | undefined>> {
    return describeFields(this.#conn, objects);
  }
}
