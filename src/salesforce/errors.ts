import { AuthFailed, ConcurrencyLimit, DailyLimit, isLeadloopError, RequestRefused, Unavailable, type LeadloopError } from '../errors/index.ts';

/** One error of Salesforce's error array. */
interface SalesforceErrorItem {
  errorCode?: string;
  message?: string;
  fields?: string[];
}

/**
 * What jsforce throws for an error answer: HttpApiError with `errorCode` (= `name`) and `data`
 * (the one { message, errorCode, fields }, or for several the array, as MULTIPLE_API_ERRORS).
 * For a SOAP fault (HTTP 500, docs/salesforce-api.md#soap-merge) `errorCode` is the faultcode,
 * `sf:<ExceptionCode>` (e.g. `sf:INVALID_SESSION_ID`) or `soapenv:Client`/`soapenv:Server`, and
 * `message` the faultstring ("<CODE>: <text>").
 */
interface JsforceError {
  errorCode?: string;
  name?: string;
  message?: string;
  data?: SalesforceErrorItem | SalesforceErrorItem[];
}

// A refused session, login or refresh: a person must fix the credentials.
const AUTH_CODES = new Set(['INVALID_SESSION_ID', 'INVALID_AUTH_HEADER', 'invalid_grant', 'invalid_client', 'invalid_client_id', 'unauthorized_client', 'INVALID_LOGIN']);
// Salesforce's own "try again" answers.
const TRANSIENT_CODES = new Set(['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'REQUEST_RUNNING_TOO_LONG']);

/**
 * Classifies anything a Salesforce call threw into one of leadloop's named errors, once, here
 * (docs/salesforce-api.md, "Limits and errors"):
 * - REQUEST_LIMIT_EXCEEDED names two limits, told apart by the message: "TotalRequests" is the
 *   org's daily allocation (DAILY_LIMIT), anything else the concurrent long-running requests
 *   (CONCURRENCY_LIMIT);
 * - a refused session, login or refresh → AUTH_FAILED; a login that got no usable answer stays
 *   UNAVAILABLE (connection.ts throws it so; jsforce wraps a failed refresh as "Unable to refresh
 *   session due to: …", which is read here);
 * - 5xx (ERROR_HTTP_5xx), SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, network failures → UNAVAILABLE;
 * - anything else Salesforce answered → REQUEST_REFUSED with its errorCode and field names.
 * An answer of several errors (jsforce's MULTIPLE_API_ERRORS) is read by its first error, with
 * the field names of all. A SOAP fault is read by its exception code (`sf:` dropped), by the same
 * rules; `soapenv:Client` → REQUEST_REFUSED (SOAP_CLIENT_FAULT), `soapenv:Server` → UNAVAILABLE.
 * Messages keep codes and field names only: Salesforce's messages can quote SOQL and values.
 */
export function classifySalesforceError(error: unknown): LeadloopError {
  if (isLeadloopError(error)) return error;
  const e = (error ?? {}) as JsforceError;
  const first = e.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data) ? e.data[0] : undefined;
  const fault = /^(sf|soapenv):(\w+)$/.exec(e.errorCode ?? e.name ?? '');
  // A SOAP envelope Salesforce could not take is the request's fault; one it failed on, its own.
  if (fault?.[1] === 'soapenv') return fault[2] === 'Client' ? new RequestRefused('salesforce', 'SOAP_CLIENT_FAULT') : new Unavailable('salesforce', 'SOAP_SERVER_FAULT');
  const code = fault?.[2] ?? first?.errorCode ?? e.errorCode ?? e.name ?? '';
  const message = first?.message ?? e.message ?? String(error);
  if (code === 'REQUEST_LIMIT_EXCEEDED') return /TotalRequests/i.test(message) ? new DailyLimit('salesforce') : new ConcurrencyLimit('salesforce');
  if (/Unable to refresh session/i.test(message)) {
    // The refresh function's own error, wrapped by jsforce: its words (ours, no vendor text) say which it was.
    if (message.includes(LOGIN_UNAVAILABLE)) return new Unavailable('salesforce', 'the login got no usable answer');
    const ours = /Salesforce refused the credentials: (.*)$/s.exec(message)?.[1];
    return new AuthFailed('salesforce', ours ?? 'the session could not be refreshed');
  }
  if (AUTH_CODES.has(code)) return new AuthFailed('salesforce', code, { status: 401 });
  const status = /^ERROR_HTTP_(\d{3})$/.exec(code);
  if ((status && Number(status[1]) >= 500) || TRANSIENT_CODES.has(code)) return new Unavailable('salesforce', code, status ? { status: Number(status[1]) } : {});
  const network = networkCode(error);
  if (network) return new Unavailable('salesforce', network);
  if (code && code !== 'Error' && code !== 'TypeError') return new RequestRefused('salesforce', code, { ...(status ? { status: Number(status[1]) } : {}), fields: fieldsOf(e) });
  return new Unavailable('salesforce', error instanceof Error ? error.name : 'no answer');
}

/** Prefix of the message of a login that got no usable answer (connection.ts), kept apart from a refused login. */
export const LOGIN_UNAVAILABLE = 'Salesforce login unavailable';

const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|UND_ERR_\w+)\b/;

function networkCode(error: unknown): string | undefined {
  const chain: unknown[] = [];
  for (let e: unknown = error; e && chain.length < 4; e = (e as { cause?: unknown }).cause) chain.push(e);
  // The innermost code says most (undici's "fetch failed" wraps an ECONNRESET).
  for (const e of chain) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.test(code)) return code;
  }
  for (const e of chain) {
    const message = (e as { message?: unknown }).message;
    if (typeof message !== 'string') continue;
    const match = NETWORK.exec(message);
    if (match) return match[0];
    if (/fetch failed|socket hang up|^terminated$/i.test(message)) return 'network failure';
  }
  return undefined;
}

function fieldsOf(e: JsforceError): string[] {
  const data = Array.isArray(e.data) ? e.data : e.data ? [e.data] : [];
  return [...new Set(data.flatMap((d) => d.fields ?? []))];
}

/** A Collections or composite item's refusal as a Rejection: the statusCode and field names, never the message. */
export function rejectionOf(recordKey: string, errors: readonly { statusCode?: string; fields?: string[] }[]): { system: 'salesforce'; recordKey: string; code: string; fields: string[] } {
  return { system: 'salesforce', recordKey, code: errors[0]?.statusCode ?? 'UNKNOWN', fields: [...new Set(errors.flatMap((e) => e.fields ?? []))] };
}
