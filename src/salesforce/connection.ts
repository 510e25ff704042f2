import { readFileSync } from 'node:fs';
import type { Duplex, Readable } from 'node:stream';
import { importPKCS8, SignJWT } from 'jose';
import { Connection } from 'jsforce';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types/common.js';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import { createLazyStream } from 'jsforce/lib/util/stream.js';
import type { SalesforceAuth } from '../config/env.ts';
import { OPEN_GATE, type ApiCall, type ApiGate } from '../api-gate.ts';
import { AuthFailed, Unavailable } from '../errors/index.ts';
import { LOGIN_UNAVAILABLE } from './errors.ts';

/** How long one Salesforce HTTP request may take before it fails as UNAVAILABLE. */
export const SALESFORCE_REQUEST_TIMEOUT_MS = 30_000;

export interface SalesforceConnectionOptions {
  auth: SalesforceAuth;
  apiVersion: string;
  /** Consecutive failed refreshes before giving up; jsforce would otherwise retry 401s forever (docs/salesforce-api.md, "Auth"). */
  maxRefreshFailures?: number;
  /** Per-request deadline. Default SALESFORCE_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Every request passes it, token requests included (the budget governor); default: none. */
  gate?: ApiGate;
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
  const gate = options.gate ?? OPEN_GATE;
  const mint = async (): Promise<{ access_token: string; instance_url: string }> => {
    if (auth.kind === 'token') throw new AuthFailed('salesforce', 'the session expired and SALESFORCE_ACCESS_TOKEN cannot be refreshed: set up JWT or client-credentials login');
    const form: Record<string, string> =
      auth.kind === 'jwt'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await jwtAssertion(auth) }
        : { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret };
    const tokenUrl = `${auth.loginUrl.replace(/\/$/, '')}/services/oauth2/token`;
    const call: ApiCall = { system: 'salesforce', kind: 'auth', method: 'POST', path: new URL(tokenUrl).pathname };
    await gate.before(call);
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Unreachable or silent: not a refused login, so no reason to pause for a person.
      throw new Unavailable(
        'salesforce',
        `${LOGIN_UNAVAILABLE}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name)}`,
      );
    }
    await gate.after(call, { status: response.status, headers: Object.fromEntries(response.headers) });
    if (response.status >= 500) throw new Unavailable('salesforce', `${LOGIN_UNAVAILABLE}: HTTP ${response.status}`, { status: response.status });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; instance_url?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token || !body.instance_url) {
      // The OAuth error code only: error_description can name the user.
      throw new AuthFailed('salesforce', `login refused (${body.error ?? `HTTP ${response.status}`})`, { status: response.status });
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
      callback(new AuthFailed('salesforce', `the session was refused after ${guard.refreshes} refreshes in a row; giving up`));
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

  const answered = (status: number): void => {
    if (status !== 401) guard.refreshes = 0;
  };
  if (auth.kind === 'token') {
    return instrument(new Connection({ instanceUrl: auth.instanceUrl, accessToken: auth.accessToken, version: apiVersion, refreshFn }), timeoutMs, gate, answered);
  }
  const token = await mint();
  return instrument(new Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: apiVersion, refreshFn }), timeoutMs, gate, answered);
}

const REFRESH_GUARD_WINDOW_MS = 60_000;

/**
 * Wraps the Connection's transport, the one place every REST request passes (queries, queryMore,
 * collections, retries after a refresh alike):
 * - the gate runs around each request (jsforce's `conn.limitInfo` is only a last-value field,
 *   with no event a budget could await);
 * - each request gets a deadline, and a timeout becomes UNAVAILABLE. jsforce's own default is 30
 *   minutes, and its abort surfaces as an AbortError that would read as "released";
 * - jsforce's own retries (5 for GET/PUT/DELETE on 5xx and network errors, sleeping inside the
 *   job) are off: the queue is the one retry layer.
 */
function instrument(conn: Connection, timeoutMs: number, gate: ApiGate, answered: (status: number) => void): Connection {
  const inner = conn._transport;
  const noRetries: HttpRequestOptions['retry'] = { maxRetries: 0, methods: [] };
  const httpRequest = (request: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> => {
    const { stream, setStream } = createLazyStream();
    const promise = (async () => {
      const call = callOf(request);
      await gate.before(call);
      const sent = inner.httpRequest(request, { ...options, retry: noRetries, timeout: timeoutMs });
      const body = sent.stream();
      setStream(body);
      const source = bodySourceOf(body);
      let timer: NodeJS.Timeout | undefined;
      // jsforce's timeout covers the wait for the headers; this one also covers a body that stalls,
      // and frees the socket: a response left hanging would hold it open.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          source.destroy();
          body.destroy();
          reject(timedOut(call, timeoutMs));
        }, timeoutMs + 1_000);
      });
      let response: HttpResponse;
      try {
        response = await Promise.race([sent, deadline]);
      } catch (error) {
        await gate.after(call, { status: 0, headers: {} });
        throw (error as Error)?.name === 'AbortError' ? timedOut(call, timeoutMs) : error;
      } finally {
        clearTimeout(timer);
      }
      answered(response.statusCode);
      await gate.after(call, { status: response.statusCode, headers: (response.headers ?? {}) as Record<string, string | undefined> });
      return response;
    })();
    return StreamPromise.create(() => ({ stream, promise }));
  };
  conn._transport = Object.assign(Object.create(inner) as typeof inner, { httpRequest });
  return conn;
}

/**
 * jsforce pipes the response body (a Readable over fetch's web stream) into the stream it hands
 * out, with no error listener on the body: a connection cut halfway through would be an uncaught
 * 'terminated' error that ends the process, and a stalled one would keep its socket. The body is
 * caught as it is piped, its failure is passed on as the request's, and `destroy` cancels it,
 * which closes the socket.
 */
function bodySourceOf(body: Duplex): { destroy(): void } {
  let source: Readable | undefined;
  let stopped = false;
  const inner = (body as Duplex & { _readable?: Readable })._readable;
  inner?.once('pipe', (piped: Readable) => {
    source = piped;
    piped.on('error', (error: Error) => body.destroy(error));
    if (stopped) piped.destroy();
  });
  return {
    destroy() {
      stopped = true;
      source?.destroy();
    },
  };
}

/** The path only: query strings carry SOQL, which may hold personal data. */
function callOf(request: HttpRequest): ApiCall {
  return { system: 'salesforce', kind: 'standard', method: request.method.toUpperCase(), path: request.url.replace(/\?.*$/, '').replace(/^https?:\/\/[^/]+/, '') };
}

function timedOut(call: ApiCall, timeoutMs: number): Unavailable {
  return new Unavailable('salesforce', `no answer to ${call.method} ${call.path} within ${timeoutMs} ms`, { timeoutMs });
}

async function jwtAssertion(auth: Extract<SalesforceAuth, { kind: 'jwt' }>): Promise<string> {
  const pem = auth.privateKey ?? readFileSync(auth.privateKeyFile!, 'utf8');
  const key = await importPKCS8(pem.includes('BEGIN') ? pem : pem.replace(/\\n/g, '\n'), 'RS256');
  // Salesforce JWT bearer: iss = consumer key, sub = username, aud = the login host, exp a few minutes ahead.
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(auth.clientId).setSubject(auth.username).setAudience(auth.loginUrl.replace(/\/$/, '')).setExpirationTime('3m').sign(key);
}
