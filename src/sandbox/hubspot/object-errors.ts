import type { SandboxReply } from '../types.ts';
import { HubSpotReplyError, hubspotError } from './errors.ts';
import { OBJECT_TYPES, type CrmObjectType } from './object-types.ts';

/**
 * Error bodies of the object, property and association endpoints. Where HubSpot documents the
 * shape (test/fixtures/vendor/hubspot/error_400_validation.json, batch_create_207_multistatus.json,
 * batch_read_207.json) it is followed; wordings no vendor page prints are marked unconfirmed in
 * docs/hubspot-api.md#crm-objects-unconfirmed.
 */

/**
 * 400 for a property value HubSpot refuses, in the documented "Property values were not valid"
 * envelope (the message embeds the sub-error as JSON; `errors[0]` repeats it with a code).
 */
export function propertyValuesError(endpoint: string, name: string, message: string, code: string): HubSpotReplyError {
  const inner = JSON.stringify([{ isValid: false, message, error: code, name, localizedErrorMessage: message }]);
  return new HubSpotReplyError(hubspotError(endpoint, 400, 'VALIDATION_ERROR', `Property values were not valid: ${inner}`, { errors: [{ message, code, context: { propertyName: [name] } }] }));
}

/**
 * 400 for an object created without its required properties: "Error creating DEAL. Some required
 * properties were not set." with `context.properties` naming them (the wording HubSpot gives for
 * tickets' required pipeline stage in public captures; for deals unconfirmed).
 */
export function requiredPropertiesError(endpoint: string, type: CrmObjectType, missing: string[]): HubSpotReplyError {
  return new HubSpotReplyError(
    hubspotError(endpoint, 400, 'VALIDATION_ERROR', `Error creating ${OBJECT_TYPES[type].upper}. Some required properties were not set.`, { context: { properties: missing } }),
  );
}

/** 409 when a write would give a unique-value property a value another record holds (wording unconfirmed). */
export function uniqueValueConflict(endpoint: string, type: CrmObjectType, c: { property: string; value: string; existingId: string }): HubSpotReplyError {
  return new HubSpotReplyError(
    hubspotError(endpoint, 409, 'CONFLICT', `A ${OBJECT_TYPES[type].singular} with the unique value "${c.value}" for property ${c.property} already exists. Existing ID: ${c.existingId}`, {
      context: { propertyName: [c.property], id: [c.existingId] },
    }),
  );
}

/** One error of a batch answer (`StandardError`). */
export interface StandardErrorBody {
  status: 'error';
  category: string;
  subCategory?: string;
  message: string;
  context: Record<string, string[]>;
  errors: unknown[];
  links: Record<string, string>;
}

/** One batch error (`StandardError`: the OpenAPI schema requires `errors` and `links`, captured bodies omit them when empty). */
export function standardError(category: string, message: string, context: Record<string, string[]>, extra: { subCategory?: string } = {}): StandardErrorBody {
  return { status: 'error', category, message, context, errors: [], links: {}, ...extra };
}

/** The same error as a whole answer (a single-record call refusing what a batch would report per input). */
export function asReply(endpoint: string, status: number, e: StandardErrorBody): SandboxReply {
  return hubspotError(endpoint, status, e.category, e.message, { context: e.context, ...(e.subCategory ? { subCategory: e.subCategory } : {}) });
}

/** A refusal turned into one input's error of a 207, named by its `objectWriteTraceId` (batch_create_207_multistatus.json). */
export function inputError(reply: SandboxReply, traceId: string): StandardErrorBody {
  const body = reply.body as { category: string; message: string; context?: Record<string, string[]>; errors?: unknown[] };
  return { ...standardError(body.category, body.message, { ...body.context, objectWriteTraceId: [traceId] }), errors: body.errors ?? [] };
}

/** Unknown ids of a batch read or update: one OBJECT_NOT_FOUND naming them all (batch_read_207.json). */
export function objectsNotFound(type: CrmObjectType, ids: string[]) {
  return standardError('OBJECT_NOT_FOUND', `Could not get some ${OBJECT_TYPES[type].upper} objects, they may be deleted or not exist. Check that ids are valid.`, { ids });
}
