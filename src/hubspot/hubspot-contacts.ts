import type { Client } from '@hubspot/api-client';
import type { Contact, ContactCursor } from '../domain/contact.ts';
import { batchReadContacts } from './batchReadContacts.ts';
import { batchUpdateContacts, type BatchUpdateResult, type ContactUpdate } from './batchUpdateContacts.ts';
import { countContacts } from './countContacts.ts';
import { findConnectorSyncedContact } from './findConnectorSyncedContact.ts';
import { listContacts } from './listContacts.ts';
import type { WritebackProperty } from '../domain/setup.ts';
import type { PortalProperty } from '../domain/portal-check.ts';
import { contactPropertyDefinitions, contactPropertyTypes, ensureContactProperties } from './properties.ts';
import { searchModifiedContacts } from './searchModifiedContacts.ts';

/**
 * HubSpot's contacts as the pipeline uses them (its ContactSource and PortalSetup), over the
 * one-operation files beside it. Every call goes through the client's gate (budgets, deadline).
 */
export class HubSpotContacts {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  modifiedSince(options: { cursor: ContactCursor; until: number; properties: readonly string[]; pageSize: number }): AsyncIterable<{ contacts: Contact[]; cursor: ContactCursor }> {
    return searchModifiedContacts(this.#client, options);
  }

  all(options: { properties: readonly string[]; after?: string }): AsyncIterable<{ contacts: Contact[]; after: string | undefined }> {
    return listContacts(this.#client, options);
  }

  read(ids: readonly string[], properties: readonly string[]): Promise<{ contacts: Contact[]; missing: string[] }> {
    return batchReadContacts(this.#client, ids, properties);
  }

  count(): Promise<number> {
    return countContacts(this.#client);
  }

  writeBack(updates: readonly ContactUpdate[]): Promise<BatchUpdateResult> {
    return batchUpdateContacts(this.#client, updates);
  }

  /** Every contact property's type, by name. */
  propertyTypes(): Promise<Map<string, string>> {
    return contactPropertyTypes(this.#client);
  }

  /** Every contact property's definition (type, options with label and internal value). */
  propertyDefinitions(): Promise<PortalProperty[]> {
    return contactPropertyDefinitions(this.#client);
  }

  /** Creates the missing properties in `group`; returns the names created. */
  ensureProperties(group: { name: string; label: string }, properties: readonly WritebackProperty[]): Promise<string[]> {
    return ensureContactProperties(this.#client, group, properties);
  }

  /** A contact HubSpot's own Salesforce connector synced, if any. */
  connectorSyncedContact(): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
    return findConnectorSyncedContact(this.#client);
  }
}
