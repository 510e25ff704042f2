import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthFailed, DailyLimit, RateLimited, RequestRefused, Unavailable } from '../errors/index.ts';
import { fixture } from '../../test/support/fixtures.ts';
import { batchReadContacts } from './batchReadContacts.ts';
import { batchUpdateContacts } from './batchUpdateContacts.ts';
import { createHubSpotClient } from './client.ts';
import { countContacts } from './countContacts.ts';
import { listContacts } from './listContacts.ts';
import { searchModifiedContacts } from './searchModifiedContacts.ts';

// Every HubSpot answer docs/hubspot-api.md lists ("Errors", "Rate limits", "SDK behaviour"), sent
// over HTTP by nock to the real SDK through the one-operation functions, and the named error each
// becomes (classifyHubSpotError in ./errors.ts). The vendor bodies are test/fixtures/vendor/hubspot/.

const BASE = 'https://api.hubapi.test';
const BATCH_READ = '/crm/v3/objects/contacts/batch/read';
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';
const SEARCH = '/crm/v3/objects/contacts/search';
const LIST = '/crm/v3/objects/contacts';
const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' };
/** A personal value HubSpot's messages can quote: it must never reach a leadloop error or rejection. */
const EMAIL = 'jane.doe@example.com';

const client = (timeoutMs = 2_000) => createHubSpotClient({ accessToken: 'pat-na1-test', baseUrl: BASE, timeoutMs });
const readOne = () => batchReadContacts(client(), ['101'], ['email']);
const searchPage = async () => {
  for await (const page of searchModifiedContacts(client(), { cursor: { at: 0, idsAtBoundary: [] }, until: Date.now(), properties: ['email'] })) return page;
  return undefined;
};
const listPage = async () => {
  for await (const page of listContacts(client(), { properties: ['email'] })) return page;
  return undefined;
};

/** What the promise rejected with (fails the test if it resolved). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.unreachable(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

/** A 400 VALIDATION_ERROR as HubSpot words it for a bad option value, quoting the value in its messages. */
function invalidOption(property: string, value: string) {
  const detail = `${value} was not one of the allowed options`;
  return {
    status: 'error',
    message: `Property values were not valid: [{"isValid":false,"message":"${detail}","error":"INVALID_OPTION","name":"${property}"}]`,
    correlationId: '3f1c2a9e-0d57-4a8e-9d51-6c0b7f2e8a11',
    category: 'VALIDATION_ERROR',
    errors: [{ message: detail, code: 'INVALID_OPTION', context: { propertyName: [property] } }],
  };
}

const idsOf = (body: unknown): string[] => (body as { inputs: { id: string }[] }).inputs.map((input) => input.id);

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  // Every answer a test set up was asked for: none was skipped or answered by something else.
  expect(pending).toEqual([]);
});

describe('HubSpot adapter: every documented answer → one leadloop error code', () => {
  it('429 TEN_SECONDLY_ROLLING → RATE_LIMITED, retry after the 10 s window', async () => {
    nock(BASE).post(BATCH_READ).reply(429, {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    const error = await failure(readOne());
    expect(error).toBeInstanceOf(RateLimited);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', system: 'hubspot', policy: 'TEN_SECONDLY_ROLLING', retryAfterMs: 10_000 });
  });

  it("429 with a Retry-After header (seconds) → RATE_LIMITED with that wait in ms, not the policy's window", async () => {
    nock(BASE)
      .post(BATCH_UPDATE)
      .reply(429, { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }, { 'Retry-After': '3' });
    const error = await failure(batchUpdateContacts(client(), [{ contactId: '101', properties: { leadloop_score: '42' } }]));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', policy: 'TEN_SECONDLY_ROLLING', retryAfterMs: 3_000 });
  });

  it('search 429 "You have reached your secondly limit." (no policyName) → RATE_LIMITED SECONDLY, 1 s', async () => {
    nock(BASE).post(SEARCH).reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: 'c0ffee00-0000-4000-8000-000000000002' });
    const error = await failure(searchPage());
    expect(error).toBeInstanceOf(RateLimited);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', system: 'hubspot', policy: 'SECONDLY', retryAfterMs: 1_000 });
  });

  it('search 429 with policyName SECONDLY (as the emulator sends it) → the same, for countContacts too', async () => {
    nock(BASE).post(SEARCH).reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    await expect(countContacts(client())).rejects.toMatchObject({ code: 'RATE_LIMITED', policy: 'SECONDLY', retryAfterMs: 1_000 });
  });

  it("429 DAILY (error_429_daily.json) → DAILY_LIMIT, resume left to the retry policy (midnight in the account's zone)", async () => {
    nock(BASE).get(LIST).query(true).reply(429, fixture('hubspot/error_429_daily.json'));
    const error = await failure(listPage());
    expect(error).toBeInstanceOf(DailyLimit);
    expect(error).toMatchObject({ code: 'DAILY_LIMIT', system: 'hubspot', resumeAt: undefined });
  });

  it('401 INVALID_AUTHENTICATION → AUTH_FAILED with the category as reason', async () => {
    nock(BASE).post(BATCH_READ).reply(401, {
      status: 'error',
      message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      correlationId: 'c0ffee00-0000-4000-8000-000000000003',
      category: 'INVALID_AUTHENTICATION',
    });
    const error = await failure(readOne());
    expect(error).toBeInstanceOf(AuthFailed);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', system: 'hubspot', status: 401, reason: 'INVALID_AUTHENTICATION' });
  });

  it('403 MISSING_SCOPES (error_403_missing_scopes.json) → AUTH_FAILED', async () => {
    nock(BASE).post(SEARCH).reply(403, fixture('hubspot/error_403_missing_scopes.json'));
    const error = await failure(countContacts(client()));
    expect(error).toBeInstanceOf(AuthFailed);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', system: 'hubspot', status: 403, reason: 'MISSING_SCOPES' });
  });

  it("400 VALIDATION_ERROR (error_400_validation.json) → REQUEST_REFUSED: errors[0].code and the property names, not HubSpot's message", async () => {
    nock(BASE).post(BATCH_READ).reply(400, fixture('hubspot/error_400_validation.json'));
    const error = await failure(readOne());
    expect(error).toBeInstanceOf(RequestRefused);
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', system: 'hubspot', status: 400, vendorCode: 'PROPERTY_DOESNT_EXIST', fields: ['testproperty'] });
    expect((error as Error).message).not.toMatch(/does not exist|portalId|HubId/);
  });

  it('a 400 whose messages quote the value → the message and fields carry the property name only', async () => {
    nock(BASE).post(SEARCH).reply(400, invalidOption('hs_lead_status', EMAIL));
    const error = await failure(searchPage());
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', vendorCode: 'INVALID_OPTION', fields: ['hs_lead_status'] });
    expect((error as Error).message).not.toContain(EMAIL);
    expect(JSON.stringify(error)).not.toContain(EMAIL);
    expect((error as Error).cause).toBeUndefined();
  });

  it('404 → REQUEST_REFUSED with the category', async () => {
    nock(BASE).get(LIST).query(true).reply(404, { status: 'error', message: 'Resource not found', correlationId: 'c0ffee00-0000-4000-8000-000000000004', category: 'OBJECT_NOT_FOUND' });
    const error = await failure(listPage());
    expect(error).toBeInstanceOf(RequestRefused);
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', system: 'hubspot', status: 404, vendorCode: 'OBJECT_NOT_FOUND', fields: [] });
  });

  it.each([
    [500, JSON.stringify({ status: 'error', message: 'internal error', correlationId: 'c0ffee00-0000-4000-8000-000000000005', category: 'INTERNAL_ERROR' }), JSON_TYPE],
    [502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' }],
    [503, JSON.stringify({ status: 'error', message: 'Service Unavailable' }), JSON_TYPE],
  ])('%i → UNAVAILABLE with the status', async (status, body, headers) => {
    nock(BASE).post(BATCH_READ).reply(status, body, headers);
    const error = await failure(readOne());
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot', status, timeoutMs: undefined });
  });

  it('a 503 without a Content-Type (the SDK cannot parse it and loses the status) → still UNAVAILABLE', async () => {
    nock(BASE).post(SEARCH).reply(503, '');
    await expect(countContacts(client())).rejects.toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot' });
  });

  it.each(['ECONNRESET', 'ECONNREFUSED'])('a network failure (%s) → UNAVAILABLE naming the code, status 0', async (code) => {
    nock(BASE)
      .post(BATCH_UPDATE)
      .replyWithError(Object.assign(new Error(`socket failure ${code}`), { code }));
    const error = await failure(batchUpdateContacts(client(), [{ contactId: '101', properties: { leadloop_score: '42' } }]));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot', status: 0, timeoutMs: undefined });
    expect((error as Error).message).toContain(code);
  });

  it("no answer within the client's timeoutMs → UNAVAILABLE with timeoutMs, after about that long", async () => {
    // A reply function that answers (headers included) only after the deadline.
    nock(BASE)
      .post(BATCH_READ)
      .reply(() => new Promise((resolve) => setTimeout(() => resolve([200, { status: 'COMPLETE', results: [] }]), 2_000).unref()));
    const started = Date.now();
    const error = await failure(batchReadContacts(client(50), ['101'], ['email']));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot', status: 0, timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('headers sent but the body stalls past timeoutMs (nock .delay()) → UNAVAILABLE', async () => {
    // Not asserted: timeoutMs. Once the headers are in, the client's deadline destroys the request
    // and node:http reports the half-read response as "aborted" (ECONNRESET), so the error does
    // not say it was the deadline.
    nock(BASE).post(SEARCH).delay(2_000).reply(200, { total: 1, results: [] });
    const started = Date.now();
    const error = await failure(countContacts(client(50)));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot', status: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a 400 for a batch update is split in halves until the bad record stands alone: a Rejection with code and property, never the value', async () => {
    const updates = ['1', '2', '3', '4'].map((contactId) => ({ contactId, properties: { hs_lead_status: contactId === '3' ? EMAIL : 'OPEN' } }));
    const ok = (ids: string[]) => ({
      status: 'COMPLETE',
      results: ids.map((id) => ({ id, properties: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z', archived: false })),
      startedAt: '2026-01-02T00:00:00.000Z',
      completedAt: '2026-01-02T00:00:00.100Z',
    });
    const batch = (ids: string[]) => (body: unknown) => JSON.stringify(idsOf(body)) === JSON.stringify(ids);
    nock(BASE)
      .post(BATCH_UPDATE, batch(['1', '2', '3', '4']))
      .reply(400, invalidOption('hs_lead_status', EMAIL))
      .post(BATCH_UPDATE, batch(['1', '2']))
      .reply(200, ok(['1', '2']))
      .post(BATCH_UPDATE, batch(['3', '4']))
      .reply(400, invalidOption('hs_lead_status', EMAIL))
      .post(BATCH_UPDATE, batch(['3']))
      .reply(400, invalidOption('hs_lead_status', EMAIL))
      .post(BATCH_UPDATE, batch(['4']))
      .reply(200, ok(['4']));
    const result = await batchUpdateContacts(client(), updates);
    expect(result.updated).toEqual(['1', '2', '4']);
    expect(result.missing).toEqual([]);
    expect(result.rejections).toEqual([{ system: 'hubspot', recordKey: '3', code: 'INVALID_OPTION', fields: ['hs_lead_status'] }]);
    expect(JSON.stringify(result)).not.toContain(EMAIL);
  });

  it("a one-record batch update refused with 400 (error_400_validation.json) → that record's Rejection, no further split", async () => {
    nock(BASE).post(BATCH_UPDATE).reply(400, fixture('hubspot/error_400_validation.json'));
    const result = await batchUpdateContacts(client(), [{ contactId: '7', properties: { testproperty: 'x' } }]);
    expect(result).toEqual({ updated: [], missing: [], rejections: [{ system: 'hubspot', recordKey: '7', code: 'PROPERTY_DOESNT_EXIST', fields: ['testproperty'] }] });
  });

  it('a batch update answered 503 → UNAVAILABLE for the whole batch, not split', async () => {
    nock(BASE).post(BATCH_UPDATE).reply(503, { status: 'error', message: 'Service Unavailable' });
    const updates = ['1', '2'].map((contactId) => ({ contactId, properties: { leadloop_score: '1' } }));
    await expect(batchUpdateContacts(client(), updates)).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  });

  it("a 207 batch read (batch_read_207.json) → the contacts found, and OBJECT_NOT_FOUND's ids as missing", async () => {
    nock(BASE).post(BATCH_READ).reply(207, fixture('hubspot/batch_read_207.json'));
    const result = await batchReadContacts(client(), ['201', 'raj+2@valmi.io', 'raj+3@valmi.io'], ['email']);
    expect(result.contacts.map((c) => c.id)).toEqual(['201']);
    expect(result.missing).toEqual(['raj+3@valmi.io', 'raj+2@valmi.io']);
  });

  it('a 207 batch update with OBJECT_NOT_FOUND → the others updated, the deleted contacts as missing', async () => {
    const answer = fixture<{ errors: { context: { ids: string[] } }[] }>('hubspot/batch_read_207.json');
    answer.errors[0]!.context.ids = ['9001', '9002'];
    nock(BASE).post(BATCH_UPDATE).reply(207, answer);
    const result = await batchUpdateContacts(
      client(),
      ['201', '9001', '9002'].map((contactId) => ({ contactId, properties: { leadloop_score: '5' } })),
    );
    expect(result).toEqual({ updated: ['201'], missing: ['9001', '9002'], rejections: [] });
  });
});
