import { randomUUID } from 'node:crypto';
import type { SandboxReply } from '../types.ts';

/**
 * HubSpot's error body: `status`, `message`, `correlationId`, `category`, optional `errors`,
 * `context`, `links` (docs/hubspot-api.md#errors; test/fixtures/vendor/hubspot/error_400_validation.json,
 * error_403_missing_scopes.json, error_429_daily.json).
 */
export function hubspotError(endpoint: string, status: number, category: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): SandboxReply {
  return { status, endpoint, headers, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
}

/** A 400 VALIDATION_ERROR with one sub-error, shaped like test/fixtures/vendor/hubspot/error_400_validation.json. */
export function validationError(endpoint: string, message: string, code: string, context: Record<string, string[]> = {}): SandboxReply {
  return hubspotError(endpoint, 400, 'VALIDATION_ERROR', message, { errors: [{ message, code, context }] });
}

/** Thrown inside a handler to answer with a HubSpot error. */
export class HubSpotReplyError extends Error {
  readonly reply: SandboxReply;
  constructor(reply: SandboxReply) {
    super((reply.body as { message?: string }).message ?? 'error');
    this.reply = reply;
  }
}
