import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client } from '@hubspot/api-client';
import { OPEN_GATE, type ApiCall, type ApiGate } from '../api-gate.ts';
import { Unavailable } from '../errors/index.ts';

/** How long one HubSpot request may take before it fails as UNAVAILABLE. */
export const HUBSPOT_REQUEST_TIMEOUT_MS = 30_000;

export interface HubSpotConnection {
  accessToken: string;
  /** Default https://api.hubapi.com; the sandbox's URL in tests. */
  baseUrl?: string;
  /** Per-request deadline. Default HUBSPOT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Every request passes it (the budget governor); default: none. */
  gate?: ApiGate;
}

/**
 * The official client with its own retries off (`numberOfApiCallRetries: 1` = one attempt): the
 * SDK would sleep inside the job, and its decorators are process-wide. Retries and budgets live in
 * one place, the queue.
 *
 * Every request passes the gate twice: before, through the SDK's own request middleware (which
 * may return a promise, so a budget can hold the call back), and after, in this client's HTTP
 * agent, which sees every answer's status and rate-limit headers. SDK v14 calls the global fetch
 * with no signal; given an `httpAgent` it sends through node:http instead, so the agent also puts
 * a deadline on every request.
 */
export function createHubSpotClient(connection: HubSpotConnection): Client {
  const baseUrl = connection.baseUrl ?? 'https://api.hubapi.com';
  const gate = connection.gate ?? OPEN_GATE;
  const httpAgent = deadlineAgent(new URL(baseUrl).protocol, connection.timeoutMs ?? HUBSPOT_REQUEST_TIMEOUT_MS, gate);
  const middleware = [
    {
      pre: async (context: unknown) => {
        const request = context as { getUrl(): string; getHttpMethod(): string };
        await gate.before(callOf(request.getHttpMethod(), request.getUrl()));
        return context;
      },
      post: (context: unknown) => context,
    },
  ];
  return new Client({ accessToken: connection.accessToken, numberOfApiCallRetries: 1, httpAgent, middleware, ...(connection.baseUrl ? { basePath: connection.baseUrl } : {}) });
}

/** HubSpot's search endpoints have their own per-second limit. */
function callOf(method: string, url: string): ApiCall {
  const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
  return { system: 'hubspot', kind: /\/search$/.test(path) ? 'search' : 'standard', method: method.toUpperCase(), path };
}

/** An agent that destroys any request of its own still unanswered (or unfinished) after `timeoutMs`, and reports every answer to the gate. */
function deadlineAgent(protocol: string, timeoutMs: number, gate: ApiGate): HttpAgent {
  const agent = protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  // addRequest is the one per-request step of an Agent (node:http calls it for every request
  // it sends through the agent); @types/node does not declare it.
  const internals = agent as unknown as { addRequest(request: ClientRequest, ...rest: unknown[]): void };
  const addRequest = internals.addRequest.bind(agent);
  internals.addRequest = (request, ...rest) => {
    const call = callOf(request.method, request.path);
    const timer = setTimeout(() => {
      void Promise.resolve(gate.after(call, { status: 0, headers: {} })).catch(() => undefined);
      // The method and path only: nothing from the query string or body reaches the message.
      request.destroy(new Unavailable('hubspot', `no answer to ${call.method} ${call.path} within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    request.once('close', clear);
    request.once('response', (response) => {
      response.once('end', clear);
      void Promise.resolve(gate.after(call, { status: response.statusCode ?? 0, headers: response.headers as Record<string, string | undefined> })).catch(() => undefined);
    });
    addRequest(request, ...rest);
  };
  return agent;
}
