import { AuthFailed, DailyLimit, isLeadloopError, RateLimited, RequestRefused, Unavailable, type LeadloopError } from '../errors/index.ts';

/** What the SDK throws for a non-2xx answer (ApiException): the status, the parsed body, the headers. */
interface SdkError {
  code?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface HubSpotErrorBody {
  category?: string;
  policyName?: string;
  message?: string;
  errors?: { code?: string; context?: Record<string, string[]> }[];
}

/**
 * Classifies anything a HubSpot call threw into one of leadloop's named errors, once, here
 * (docs/hubspot-api.md, "Errors" and "Rate limits"):
 * - 429: DAILY (policyName) → DAILY_LIMIT; TEN_SECONDLY_ROLLING or the search endpoints' secondly
 *   limit → RATE_LIMITED with the wait the policy implies (a Retry-After header wins);
 * - 401/403 → AUTH_FAILED (revoked or expired token, MISSING_SCOPES);
 * - 400 and other 4xx → REQUEST_REFUSED with the category and the property names the body names;
 * - 5xx, no answer, a network failure → UNAVAILABLE.
 * Messages keep codes and property names only: HubSpot's messages can quote property values.
 */
export function classifyHubSpotError(error: unknown): LeadloopError {
  if (isLeadloopError(error)) return error;
  const e = (error ?? {}) as SdkError;
  const status = typeof e.code === 'number' ? e.code : 0;
  const body: HubSpotErrorBody = typeof e.body === 'object' && e.body !== null ? (e.body as HubSpotErrorBody) : {};
  if (status === 429) {
    const header = Number(e.headers?.['retry-after']);
    const retryAfter = Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
    if (body.policyName === 'DAILY') return new DailyLimit('hubspot');
    // The search endpoints' 429 names its limit in the message (the SDK's own retry logic matches it).
    const secondly = body.policyName === 'SECONDLY' || body.message === 'You have reached your secondly limit.';
    return new RateLimited('hubspot', secondly ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING', retryAfter ?? (secondly ? 1_000 : 10_000));
  }
  if (status === 401 || status === 403) return new AuthFailed('hubspot', body.category ?? (status === 401 ? 'INVALID_AUTHENTICATION' : 'FORBIDDEN'), { status });
  // The first error's own code (INVALID_OPTION, PROPERTY_DOESNT_EXIST) says more than the category (VALIDATION_ERROR).
  if (status >= 400 && status < 500) return new RequestRefused('hubspot', body.errors?.[0]?.code ?? body.category ?? `HTTP_${status}`, { status, fields: propertyNames(body) });
  if (status >= 500) return new Unavailable('hubspot', `HTTP ${status}`, { status });
  // No answer: the SDK rethrows what node:http or fetch threw (a refused connection, a reset).
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  const code = (error as { code?: unknown } | undefined)?.code;
  return new Unavailable('hubspot', typeof code === 'string' ? code : (cause?.code ?? (error instanceof Error ? error.name : 'no answer')));
}

/** The property names a HubSpot error body names (errors[].context.propertyName), never their values. */
function propertyNames(body: HubSpotErrorBody): string[] {
  const names = new Set<string>();
  for (const e of body.errors ?? []) for (const name of e.context?.propertyName ?? []) names.add(name);
  return [...names];
}
