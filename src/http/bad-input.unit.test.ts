import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { expectSafeResponse, quietServer, signatureHeaders } from './test-server.ts';

type Inject = InjectOptions & { payload?: string | Buffer };

const JSON_TYPE = { 'content-type': 'application/json' };
const event = '[{"objectId":1,"occurredAt":1,"subscriptionType":"contact.creation"}]';

/** A POST to the webhook route with `body`, signed correctly unless `headers` say otherwise. */
function post(body: string | Buffer, headers: Record<string, string>, signed = true): Inject {
  return { method: 'POST', url: '/webhooks/hubspot', headers: { host: 'leads.example.com', ...(signed ? signatureHeaders(body) : {}), ...headers }, payload: body };
}

describe('bad input never gets a 5xx or an internal message', () => {
  const twoMegabytes = `[${'"x",'.repeat(524_288)}"x"]`;
  it.each<[string, number, Inject]>([
    ['no body, no content type, no signature', 401, { method: 'POST', url: '/webhooks/hubspot' }],
    [
      'no body, no content type, a made-up signature',
      401,
      { method: 'POST', url: '/webhooks/hubspot', headers: { 'x-hubspot-signature-v3': 'abc', 'x-hubspot-request-timestamp': String(Date.now()) } },
    ],
    ['no body, no content type, signed', 400, { method: 'POST', url: '/webhooks/hubspot', headers: { host: 'leads.example.com', ...signatureHeaders('') } }],
    ['an empty JSON body, signed', 400, post('', JSON_TYPE)],
    ['an empty JSON body, unsigned', 401, post('', JSON_TYPE, false)],
    ['text/plain', 415, post('this is not what HubSpot sends', { 'content-type': 'text/plain' })],
    ['text/plain carrying a valid event', 415, post(event, { 'content-type': 'text/plain' })],
    ['form-encoded', 415, post('objectId=1&occurredAt=1&subscriptionType=contact.creation', { 'content-type': 'application/x-www-form-urlencoded' })],
    ['application/octet-stream', 415, post(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x10, 0x20]), { 'content-type': 'application/octet-stream' })],
    ['a body with no content type', 415, post(event, {})],
    ['garbage JSON', 400, post('{{{ not json at all', JSON_TYPE)],
    ['truncated JSON', 400, post(event.slice(0, 30), JSON_TYPE)],
    ['JSON that is not UTF-8', 400, post(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), JSON_TYPE)],
    ['JSON nested very deep', 400, post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, JSON_TYPE)],
    ['a 2 MB body', 413, post(twoMegabytes, JSON_TYPE)],
    ['a 2 MB body without a signature', 413, post(twoMegabytes, JSON_TYPE, false)],
    ['no signature headers', 401, post(event, JSON_TYPE, false)],
    ['only a signature', 401, post(event, { ...JSON_TYPE, 'x-hubspot-signature-v3': signatureHeaders(event)['x-hubspot-signature-v3']! }, false)],
    ['a signature that is not base64', 401, post(event, { ...JSON_TYPE, 'x-hubspot-signature-v3': '%%%%' })],
    ['a timestamp that is not a number', 401, post(event, { ...JSON_TYPE, 'x-hubspot-request-timestamp': 'yesterday' })],
    ['a signature over another body', 401, post(event, { ...JSON_TYPE, ...signatureHeaders('[]') })],
    ['an unknown route', 404, { method: 'GET', url: '/wp-admin/setup.php' }],
    ['a POST with a body to an unknown route', 404, { method: 'POST', url: '/webhooks/salesforce', headers: JSON_TYPE, payload: '{"a":1}' }],
    ['GET on the webhook route', 404, { method: 'GET', url: '/webhooks/hubspot' }],
    ['DELETE on the webhook route', 404, { method: 'DELETE', url: '/webhooks/hubspot' }],
    ['PUT on the webhook route', 404, { method: 'PUT', url: '/webhooks/hubspot', headers: JSON_TYPE, payload: event }],
    ['an undecodable URL', 400, { method: 'GET', url: '/webhooks/%E0%A4%A' }],
  ])('%s → %i', async (_label, status, request) => {
    const { app, plans } = await quietServer();
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expectSafeResponse(response, request.payload as string | Buffer | undefined);
    expect(plans).toEqual([]);
  });

  it("a failure on leadloop's side (Redis down) is a 500 that names no internal detail, logged for us", async () => {
    const { app, lines } = await quietServer({ failIntake: new Error('connect ECONNREFUSED 127.0.0.1:6379') });
    const response = await app.inject(post(event, JSON_TYPE));
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal error' });
    expect(lines.join('')).toContain('ECONNREFUSED');
  });
});
