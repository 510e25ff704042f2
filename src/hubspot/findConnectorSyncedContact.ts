import type { Client } from '@hubspot/api-client';
import { findConnectorSynced } from './findConnectorSynced.ts';

/** Contact properties HubSpot's own Salesforce connector fills on the records it syncs. */
export const CONNECTOR_PROPERTIES = ['salesforcelastsynctime', 'salesforceleadid', 'salesforcecontactid'] as const;

/** One contact that HubSpot's Salesforce connector has synced (`salesforcelastsynctime` set), if any. */
export function findConnectorSyncedContact(client: Client): Promise<{ id: string; properties: Record<string, string | null> } | undefined> {
  return findConnectorSynced(client, 'contacts', CONNECTOR_PROPERTIES[0], CONNECTOR_PROPERTIES);
}
