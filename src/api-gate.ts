/**
 * The one interface between the API adapters and the budget governor: every HTTP request either
 * SDK sends — HubSpot calls through the SDK's request middleware, Salesforce calls (queryMore
 * included) through jsforce's transport, and token requests — passes `before` and, once answered,
 * `after`. The adapters know nothing of budgets; the governor knows nothing of SDKs.
 */
export interface ApiCall {
  system: 'hubspot' | 'salesforce';
  /** `search`: HubSpot's search endpoints (their own per-second limit); `auth`: a token request (no API allocation). */
  kind: 'search' | 'standard' | 'auth';
  method: string;
  /** The URL path without the query string (which can carry SOQL, hence personal data). */
  path: string;
}

export interface ApiGate {
  /** Before the request goes out: may wait for budget, or throw a named error to refuse it. */
  before(call: ApiCall): Promise<void>;
  /** After an answer: its status and the headers that carry limits (`x-hubspot-ratelimit-*`, `sforce-limit-info`). */
  after(call: ApiCall, answer: { status: number; headers: Readonly<Record<string, string | undefined>> }): void | Promise<void>;
}

/** A gate that lets everything through (scripts and tests that meter nothing). */
export const OPEN_GATE: ApiGate = { before: async () => undefined, after: () => undefined };
