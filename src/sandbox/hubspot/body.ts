import type { SandboxRequest } from '../types.ts';
import { HubSpotReplyError, hubspotError, validationError } from './errors.ts';

/** The request's JSON body (`{}` when empty); HubSpot answers 400 to a body it cannot read (as the contact endpoints do). */
export function jsonBody(request: SandboxRequest, endpoint: string): unknown {
  if (request.rawBody.length === 0) return {};
  try {
    return JSON.parse(request.rawBody.toString('utf8')) as unknown;
  } catch {
    throw new HubSpotReplyError(hubspotError(endpoint, 400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not valid JSON'));
  }
}

export function jsonObject(request: SandboxRequest, endpoint: string): Record<string, unknown> {
  const parsed = jsonBody(request, endpoint);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  throw new HubSpotReplyError(hubspotError(endpoint, 400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not a JSON object'));
}

/**
 * `inputs` of a batch body, at most `limit` of them. Over the limit the emulator answers 400
 * VALIDATION_ERROR: HubSpot's body for it is unconfirmed (docs/hubspot-api.md#batch).
 */
export function batchInputs(body: Record<string, unknown>, endpoint: string, limit: number): Record<string, unknown>[] {
  if (!Array.isArray(body.inputs)) throw new HubSpotReplyError(validationError(endpoint, 'inputs is required and must be an array', 'INVALID_INPUTS'));
  if (body.inputs.length > limit) throw new HubSpotReplyError(validationError(endpoint, `Too many inputs: ${body.inputs.length}; the maximum is ${limit}`, 'TOO_MANY_INPUTS'));
  return body.inputs.map((input) => (input && typeof input === 'object' ? (input as Record<string, unknown>) : {}));
}

/** `{ id }` of a `PublicObjectId` (`from`, `to`), or undefined when absent. */
export function objectIdOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
