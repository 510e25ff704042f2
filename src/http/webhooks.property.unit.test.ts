import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectSafeResponse, quietServer, signatureHeaders } from './test-server.ts';

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });

// Bodies from plain noise to near-valid event arrays, so both the early refusals and the
// checks after a valid signature are reached.
const eventLike = fc.record(
  {
    objectId: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
    occurredAt: fc.oneof(fc.integer(), fc.double(), fc.string()),
    subscriptionType: fc.oneof(fc.constantFrom('contact.creation', 'contact.propertyChange', 'contact.merge', 'contact.privacyDeletion', 'object.creation'), fc.string()),
    propertyName: fc.string(),
    mergedObjectIds: fc.array(fc.oneof(fc.integer(), fc.string())),
    objectTypeId: fc.constantFrom('0-1', '0-3', ''),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(''),
  fc.string(),
  fc.json(),
  fc.array(eventLike, { maxLength: 120 }).map((events) => JSON.stringify(events)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ),
    printable,
  ),
  { nil: undefined },
);
const signature = fc.constantFrom('valid', 'none', 'garbage', 'stale');
const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
const extraHeaders = fc.dictionary(fc.constantFrom('x-forwarded-proto', 'x-forwarded-host', 'x-hubspot-request-timestamp', 'content-encoding', 'accept', 'user-agent'), printable, { maxKeys: 3 });

describe('POST /webhooks/hubspot under random input', () => {
  it('never answers 5xx, an internal message or the body it was sent', { timeout: 60_000 }, async () => {
    const { app } = await quietServer();
    await fc.assert(
      fc.asyncProperty(method, body, contentType, signature, extraHeaders, async (verb, payload, type, signing, extra) => {
        const headers: Record<string, string> = { host: 'leads.example.com' };
        if (type !== undefined) headers['content-type'] = type;
        if (signing === 'valid') Object.assign(headers, signatureHeaders(payload));
        if (signing === 'stale') Object.assign(headers, signatureHeaders(payload, Date.now() - 600_000));
        if (signing === 'garbage') Object.assign(headers, { 'x-hubspot-signature-v3': 'bm90IGEgc2lnbmF0dXJl', 'x-hubspot-request-timestamp': String(Date.now()) });
        Object.assign(headers, extra);
        const response = await app.inject({ method: verb, url: '/webhooks/hubspot', headers, ...(verb === 'GET' || verb === 'HEAD' ? {} : { payload }) });
        expect(response.statusCode).toBeLessThan(500);
        if (verb !== 'HEAD') expectSafeResponse(response, payload); // a HEAD answer has no body to check
      }),
      { numRuns: 300 },
    );
  });
});
