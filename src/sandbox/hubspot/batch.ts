import { randomUUID } from 'node:crypto';
import { HubSpotReplyError, validationError } from './errors.ts';
import type { PropertyDefinition } from './properties.ts';
import { present } from './search.ts';
import type { ContactStore, Properties } from './store.ts';

/** "Object API batch endpoints are limited to 100 inputs per request" (docs/hubspot-api.md#batch); the 400 body is unconfirmed. */
export const BATCH_LIMIT = 100;

export function checkBatchSize(endpoint: string, inputs: unknown[]): void {
  if (inputs.length > BATCH_LIMIT) {
    throw new HubSpotReplyError(validationError(endpoint, `Too many inputs: ${inputs.length}; the maximum is ${BATCH_LIMIT}`, 'TOO_MANY_INPUTS'));
  }
}

/**
 * Checks property values the way HubSpot's batch endpoints do: an unknown or read-only property,
 * or a value outside an enumeration's options, refuses the whole request with 400
 * (test/fixtures/vendor/hubspot/error_400_validation.json: PROPERTY_DOESNT_EXIST).
 */
export function validateProperties(endpoint: string, properties: Record<string, unknown>, definitions: Map<string, PropertyDefinition>): Properties {
  const out: Properties = {};
  for (const [name, value] of Object.entries(properties)) {
    const definition = definitions.get(name);
    if (!definition) {
      throw new HubSpotReplyError(
        validationError(
          endpoint,
          `Property values were not valid: [{"isValid":false,"message":"Property \\"${name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${name}"}]`,
          'PROPERTY_DOESNT_EXIST',
          { propertyName: [name] },
        ),
      );
    }
    if (definition.readOnly) {
      throw new HubSpotReplyError(validationError(endpoint, `Property "${name}" is read-only`, 'READ_ONLY_VALUE', { propertyName: [name] }));
    }
    const text = value === null || value === undefined ? null : String(value);
    if (text !== null && text !== '' && definition.type === 'enumeration' && definition.options && !definition.options.some((o) => o.value === text)) {
      throw new HubSpotReplyError(validationError(endpoint, `${text} was not one of the allowed options for ${name}`, 'INVALID_OPTION', { propertyName: [name] }));
    }
    if (text !== null && text !== '' && definition.type === 'number' && !Number.isFinite(Number(text))) {
      throw new HubSpotReplyError(validationError(endpoint, `${text} is not a valid number for ${name}`, 'INVALID_INTEGER', { propertyName: [name] }));
    }
    out[name] = text;
  }
  return out;
}

/** The emulator does a batch in no time of the sandbox's clock (clock.ts): it completes when it started. */
function timestamps(started: string) {
  return { startedAt: started, completedAt: started };
}

/** 200 with every result, or 207 with `numErrors`/`errors` for the ones that failed (test/fixtures/vendor/hubspot/batch_read_207.json). */
export function batchReply(endpoint: string, started: string, results: unknown[], errors: unknown[], okStatus = 200) {
  return {
    status: errors.length > 0 ? 207 : okStatus,
    endpoint,
    body: { status: 'COMPLETE', results, ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}), ...timestamps(started) },
  };
}

export function notFoundError(ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
    context: { ids },
    errors: [],
    // The OpenAPI StandardError requires `links`; captured responses omit it when empty.
    links: {},
  };
}

export function readContacts(store: ContactStore, inputs: { id: string }[], properties: string[], idProperty: string | undefined) {
  const results = [];
  const missing: string[] = [];
  for (const { id } of inputs) {
    const contact = idProperty === 'email' ? store.findByEmail(id) : store.get(String(id));
    // Batch read always returns hs_object_id, createdate and lastmodifieddate (test/fixtures/vendor/hubspot/batch_read_207.json).
    if (contact)
      results.push(
        present(
          contact,
          properties.length > 0
            ? [...new Set([...properties, 'createdate', 'hs_object_id', 'lastmodifieddate'])]
            : ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
        ),
      );
    else missing.push(String(id));
  }
  return { results, errors: missing.length > 0 ? [notFoundError(missing)] : [] };
}

export function newTraceId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}
