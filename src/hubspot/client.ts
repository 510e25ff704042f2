import { Client } from '@hubspot/api-client';

export interface HubSpotConnection {
  accessToken: string;
  /** Default https://api.hubapi.com; the sandbox's URL in tests. */
  baseUrl?: string;
}

/**
 * The official client with its own retries off (`numberOfApiCallRetries: 1` = one attempt):
 * the SDK would sleep inside the job and its decorators are process-wide. Retries and budgets
 * live in one place, the queue.
 */
export function createHubSpotClient(connection: HubSpotConnection): Client {
  return new Client({ accessToken: connection.accessToken, numberOfApiCallRetries: 1, ...(connection.baseUrl ? { basePath: connection.baseUrl } : {}) });
}

/** Called before every API call with its kind, so a budget governor can hold it back. */
export type BeforeCall = (kind: 'search' | 'standard') => Promise<void>;

export interface HubSpotContact {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
}
