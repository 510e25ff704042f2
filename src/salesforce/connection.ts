import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { Connection } from 'jsforce';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types/common.js';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import { createLazyStream } from 'jsforce/lib/util/stream.js';
import type { SalesforceAuth } from '../config/env.ts';
import { SalesforceAuthError, SalesforceUnavailable } from './errors.ts';

/** How long one Salesforce HTTP request may take before it fails as SalesforceUnavailable. */
export const SALESFORCE_REQUEST_TIMEOUT_MS = 30_000;

/** `Sforce-Limit-Info: api-usage=used/limit`: the org's calls in the rolling 24 h and its allocation. */
export interface SalesforceApiUsage {
  used: number;
  limit: number;
}

/**
 * Hooks around every HTTP request the Connection sends (queries, collections, retries after a
 * refresh alike), so a caller can meter calls without this adapter knowing about budgets.
 */
export interface SalesforceCallHooks {
  /** Runs before each request; may wait, or throw to refuse the call (the error reaches the caller). */
  beforeCall?: () => Promise<void>;
  /** Each response's `Sforce-Limit-Info` reading. */
  onLimitInfo?: (usage: SalesforceApiUsage) => void | Promise<void>;
}

export interface SalesforceConnectionOptions {
  auth: SalesforceAuth;
  apiVersion: string;
  /** Consecutive failed refreshes before giving up; jsforce would otherwise retry 401s forever (API_NOTES §0.5). */
  maxRefreshFailures?: number;
  /** Per-request deadline. Default SALESFORCE_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  beforeCall?: SalesforceCallHooks['beforeCall'];
  onLimitInfo?: SalesforceCallHooks['onLimitInfo'];
}

/**
 * A jsforce Connection from the env contract: a direct session, a JWT bearer login (assertion
 * signed with the private key, no refresh token: a new assertion on every refresh) or client
 * credentials. The API version is always set (jsforce defaults to 50.0).
 */
export async function connectSalesforce(options: SalesforceConnectionOptions): Promise<Connection> {
  const { auth, apiVersion } = options;
  const maxRefreshes = options.maxRefreshFailures ?? 3;
  const timeoutMs = options.timeoutMs ?? SALESFORCE_REQUEST_TIMEOUT_MS;
  const mint = async (): Promise<{ access_token: string; instance_url: string }> => {
    if (auth.kind === 'token') throw new SalesforceAuthError('the Salesforce session expired and SALESFORCE_ACCESS_TOKEN cannot be refreshed: set up JWT or client-credentials login');
    const form: Record<string, string> =
      auth.kind === 'jwt'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await jwtAssertion(auth) }
        : { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret };
    let response: Response;
    try {
      response = await fetch(`${auth.loginUrl.replace(/\/$/, '')}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Unreachable or silent: not a refused login, so no reason to pause for a person.
      throw new SalesforceUnavailable(`${LOGIN_UNAVAILABLE}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message}`);
    }
    if (response.status >= 500) throw new SalesforceUnavailable(`${LOGIN_UNAVAILABLE}: HTTP ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; instance_url?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token || !body.instance_url) {
      throw new SalesforceAuthError(`Salesforce login failed: ${body.error ?? response.status} ${body.error_description ?? ''}`.trim());
    }
    return { access_token: body.access_token, instance_url: body.instance_url };
  };

  // jsforce refreshes on every 401 and retries the call; when Salesforce refuses the new session
  // too, it loops forever (docs/salesforce-api.md#auth). So refreshes are counted until Salesforce answers a
  // call with anything but 401, and more than `maxRefreshes` of them within a minute give up.
  // Later (a job retried after an operator fixed the credentials) the count starts again.
  const guard = { refreshes: 0, lastAt: 0 };
  const refreshFn = (conn: Connection, callback: (error: Error | null, accessToken?: string) => void) => {
    const now = Date.now();
    if (now - guard.lastAt > REFRESH_GUARD_WINDOW_MS) guard.refreshes = 0;
    if (guard.refreshes >= maxRefreshes) {
      callback(new SalesforceAuthError(`Salesforce refused the session after ${guard.refreshes} refreshes in a row; giving up`));
      return;
    }
    guard.refreshes += 1;
    guard.lastAt = now;
    mint().then(
      (token) => {
        conn.instanceUrl = token.instance_url;
        callback(null, token.access_token);
      },
      (error: Error) => callback(error),
    );
  };

  const hooks: SalesforceCallHooks = {
    ...(options.beforeCall ? { beforeCall: options.beforeCall } : {}),
    ...(options.onLimitInfo ? { onLimitInfo: options.onLimitInfo } : {}),
  };
  const answered = (status: number): void => {
    if (status !== 401) guard.refreshes = 0;
  };
  if (auth.kind === 'token') {
    return instrument(new Connection({ instanceUrl: auth.instanceUrl, accessToken: auth.accessToken, version: apiVersion, refreshFn }), timeoutMs, hooks, answered);
  }
  const token = await mint();
  return instrument(new Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: apiVersion, refreshFn }), timeoutMs, hooks, answered);
}

/** Prefix of a login that got no usable answer; errors.ts keeps it apart from a refused login. */
export const LOGIN_UNAVAILABLE = 'Salesforce login unavailable';
const REFRESH_GUARD_WINDOW_MS = 60_000;

const callHooks = new WeakMap<Connection, SalesforceCallHooks>();

/**
 * Sets (replaces) the hooks of a Connection made by connectSalesforce, e.g. to gate an existing
 * connection on a budget. Returns the same connection.
 */
export function setSalesforceCallHooks(conn: Connection, hooks: SalesforceCallHooks): Connection {
  if (!callHooks.has(conn)) throw new TypeError('setSalesforceCallHooks needs a Connection made by connectSalesforce');
  callHooks.set(conn, hooks);
  return conn;
}

/**
 * Wraps the Connection's transport, the one place every REST request passes (jsforce's
 * `conn.limitInfo` is only a last-value field, with no event a budget could await):
 * - the hooks run around each request;
 * - each request gets a deadline, and a timeout becomes SalesforceUnavailable. jsforce's own
 *   default is 30 minutes, and its abort surfaces as an AbortError that would read as "released";
 * - jsforce's own retries (5 for GET/PUT/DELETE on 5xx and network errors, sleeping inside the
 *   job) are off: the queue is the one retry layer.
 */
function instrument(conn: Connection, timeoutMs: number, hooks: SalesforceCallHooks, answered: (status: number) => void): Connection {
  callHooks.set(conn, hooks);
  const inner = conn._transport;
  const noRetries: HttpRequestOptions['retry'] = { maxRetries: 0, methods: [] };
  const httpRequest = (request: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> => {
    const { stream, setStream } = createLazyStream();
    const promise = (async () => {
      const current = callHooks.get(conn);
      await current?.beforeCall?.();
      const call = inner.httpRequest(request, { ...options, retry: noRetries, timeout: timeoutMs });
      setStream(call.stream());
      let timer: NodeJS.Timeout | undefined;
      // jsforce's timeout covers the wait for the headers; this one also covers a body that stalls.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut(request, timeoutMs)), timeoutMs + 1_000);
      });
      let response: HttpResponse;
      try {
        response = await Promise.race([call, deadline]);
      } catch (error) {
        throw (error as Error)?.name === 'AbortError' ? timedOut(request, timeoutMs) : error;
      } finally {
        clearTimeout(timer);
      }
      answered(response.statusCode);
      const usage = parseApiUsage(response.headers?.['sforce-limit-info']);
      if (usage) await current?.onLimitInfo?.(usage);
      return response;
    })();
    return StreamPromise.create(() => ({ stream, promise }));
  };
  conn._transport = Object.assign(Object.create(inner) as typeof inner, { httpRequest });
  return conn;
}

function timedOut(request: HttpRequest, timeoutMs: number): SalesforceUnavailable {
  // The path only: query strings carry SOQL, which may hold personal data.
  const path = request.url.replace(/\?.*$/, '').replace(/^https?:\/\/[^/]+/, '');
  return new SalesforceUnavailable(`Salesforce did not answer ${request.method} ${path} within ${timeoutMs} ms`, { timeoutMs });
}

function parseApiUsage(header: string | undefined): SalesforceApiUsage | null {
  const match = header ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
  return match ? { used: Number(match[1]), limit: Number(match[2]) } : null;
}

async function jwtAssertion(auth: Extract<SalesforceAuth, { kind: 'jwt' }>): Promise<string> {
  const pem = auth.privateKey ?? readFileSync(auth.privateKeyFile!, 'utf8');
  const key = await importPKCS8(pem.includes('BEGIN') ? pem : pem.replace(/\\n/g, '\n'), 'RS256');
  // Salesforce JWT bearer: iss = consumer key, sub = username, aud = the login host, exp a few minutes ahead.
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(auth.clientId).setSubject(auth.username).setAudience(auth.loginUrl.replace(/\/$/, '')).setExpirationTime('3m').sign(key);
}
