import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client } from '@hubspot/api-client';
import { HubSpotUnavailable } from './errors.ts';

/** How long one HubSpot request may take before it fails as HubSpotUnavailable. */
export const HUBSPOT_REQUEST_TIMEOUT_MS = 30_000;

export interface HubSpotConnection {
  accessToken: string;
  /** Default https://api.hubapi.com; the sandbox's URL in tests. */
  baseUrl?: string;
  /** Per-request deadline. Default HUBSPOT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Told the account's daily limit and what is left of it, from the headers of every answer that carries them. */
  onDailyLimit?: (reading: { limit: number; remaining: number }) => void;
}

/**
 * The official client with its own retries off (`numberOfApiCallRetries: 1` = one attempt):
 * the SDK would sleep inside the job and its decorators are process-wide. Retries and budgets
 * live in one place, the queue.
 *
 * SDK v14 calls the global fetch with no signal and takes no fetch of ours, so a hung call would
 * hang the job forever. Given an `httpAgent` it sends through node:http instead: this client's
 * own agent puts a deadline on every request (and keeps connections alive, as fetch did).
 */
export function createHubSpotClient(connection: HubSpotConnection): Client {
  const baseUrl = connection.baseUrl ?? 'https://api.hubapi.com';
  const httpAgent = deadlineAgent(new URL(baseUrl).protocol, connection.timeoutMs ?? HUBSPOT_REQUEST_TIMEOUT_MS, connection.onDailyLimit);
  return new Client({ accessToken: connection.accessToken, numberOfApiCallRetries: 1, httpAgent, ...(connection.baseUrl ? { basePath: connection.baseUrl } : {}) });
}

/** An agent that destroys any request of its own still unanswered (or unfinished) after `timeoutMs`, and reads the daily-limit headers of answers. */
function deadlineAgent(protocol: string, timeoutMs: number, onDailyLimit?: HubSpotConnection['onDailyLimit']): HttpAgent {
  const agent = protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  // addRequest is the one per-request step of an Agent (node:http calls it for every request
  // it sends through the agent); @types/node does not declare it.
  const internals = agent as unknown as { addRequest(request: ClientRequest, ...rest: unknown[]): void };
  const addRequest = internals.addRequest.bind(agent);
  internals.addRequest = (request, ...rest) => {
    const timer = setTimeout(() => {
      // The method and path only: nothing from the query string or body reaches the message.
      request.destroy(new HubSpotUnavailable(0, `HubSpot did not answer ${request.method} ${request.path.replace(/\?.*$/, '')} within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    request.once('close', clear);
    request.once('response', (response) => {
      response.once('end', clear);
      // X-HubSpot-RateLimit-Daily(-Remaining): the daily budget leadloop shares with every app of the account.
      const limit = Number(response.headers['x-hubspot-ratelimit-daily']);
      const remaining = Number(response.headers['x-hubspot-ratelimit-daily-remaining']);
      if (onDailyLimit && response.headers['x-hubspot-ratelimit-daily-remaining'] !== undefined && Number.isFinite(limit) && Number.isFinite(remaining)) onDailyLimit({ limit, remaining });
    });
    addRequest(request, ...rest);
  };
  return agent;
}

/** Called before every API call with its kind, so a budget governor can hold it back. */
export type BeforeCall = (kind: 'search' | 'standard') => Promise<void>;

export interface HubSpotContact {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
}
