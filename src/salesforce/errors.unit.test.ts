import { setDispatcher } from 'jsforce/lib/request.js';
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiCall, ApiGate } from '../api-gate.ts';
import { AuthFailed, ConcurrencyLimit, DailyLimit, RequestRefused, Unavailable } from '../errors/index.ts';
import { fixture } from '../../test/support/fixtures.ts';
import { queryTogether } from './composite.ts';
import { connectSalesforce } from './connection.ts';
import { queryAll } from './query.ts';
import { upsertRecords } from './upsertLeads.ts';

// Every Salesforce answer docs/salesforce-api.md lists ("Limits and errors", "Error bodies",
// "sObject Collections"), sent by undici's MockAgent to the real jsforce through the
// one-operation functions, and the named error each becomes (classifySalesforceError in
// ./errors.ts). The vendor bodies are test/fixtures/vendor/salesforce/.
//
// jsforce sends through the npm undici's fetch but with a dispatcher of its own (an Agent made in
// jsforce/lib/request.js), so the global dispatcher alone would not see its requests: the mock is
// installed with jsforce's setDispatcher too. The global one covers Node's fetch (token requests).

const INSTANCE = 'https://test.my.salesforce.test';
const DATA = '/services/data/v64.0';
const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };
/** A personal value Salesforce's messages can quote (a SOQL filter): it must never reach a leadloop error. */
const EMAIL = 'jane.doe@example.com';
const SOQL = `SELECT Id, Email FROM Lead WHERE Email = '${EMAIL}'`;

let mockAgent: MockAgent;
let previousGlobal: Dispatcher;

beforeEach(() => {
  previousGlobal = getGlobalDispatcher();
  mockAgent = new MockAgent();
  mockAgent.disableNetConnect();
  setGlobalDispatcher(mockAgent);
  setDispatcher(mockAgent);
});

afterEach(async () => {
  setDispatcher();
  setGlobalDispatcher(previousGlobal);
  const pending = mockAgent.pendingInterceptors();
  await mockAgent.close();
  // Every answer a test set up was asked for: none was skipped or answered by something else.
  expect(pending.map((p) => `${p.method} ${String(p.path)}`)).toEqual([]);
});

/** A token connection (it cannot refresh) whose gate records every answer. */
async function connect(timeoutMs = 2_000) {
  const answers: { call: ApiCall; status: number; headers: Readonly<Record<string, string | undefined>> }[] = [];
  const gate: ApiGate = { before: async () => {}, after: (call, answer) => void answers.push({ call, ...answer }) };
  const conn = await connectSalesforce({ auth: { kind: 'token', instanceUrl: INSTANCE, accessToken: '00Dxx0000000000!AQ.test' }, apiVersion: '64.0', timeoutMs, gate });
  return { conn, answers };
}

/** The SOQL query GET, answered as given. */
function onQuery(soql = SOQL) {
  return mockAgent.get(INSTANCE).intercept({ method: 'GET', path: `${DATA}/query`, query: { q: soql } });
}

/** The sObject Collections upsert of Leads by Ext_Id__c. */
function onUpsert() {
  return mockAgent.get(INSTANCE).intercept({ method: 'PATCH', path: `${DATA}/composite/sobjects/Lead/Ext_Id__c` });
}

const leads = (...keys: string[]) => keys.map((key) => ({ Ext_Id__c: key, LastName: 'Doe', Company: 'Acme' }));

/** What the promise rejected with (fails the test if it resolved). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.unreachable(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

describe('Salesforce adapter: every documented answer → one leadloop error code', () => {
  it('403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded." (error_403_request_limit.json) → DAILY_LIMIT', async () => {
    const { conn } = await connect();
    onQuery().reply(403, fixture('salesforce/error_403_request_limit.json'), { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(DailyLimit);
    expect(error).toMatchObject({ code: 'DAILY_LIMIT', system: 'salesforce' });
  });

  it('REQUEST_LIMIT_EXCEEDED with another message (concurrent long-running requests) → CONCURRENCY_LIMIT', async () => {
    const { conn } = await connect();
    onQuery().reply(403, [{ message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(ConcurrencyLimit);
    expect(error).toMatchObject({ code: 'CONCURRENCY_LIMIT', system: 'salesforce' });
  });

  it('401 INVALID_SESSION_ID (error_401_invalid_session.json) on a token connection, which cannot refresh → AUTH_FAILED, one request', async () => {
    const { conn, answers } = await connect();
    onQuery().reply(401, fixture('salesforce/error_401_invalid_session.json'), { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(AuthFailed);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', system: 'salesforce' });
    expect(answers.map((a) => a.status)).toEqual([401]);
  });

  it('400 INVALID_FIELD (error_400_invalid_field_soql.json) → REQUEST_REFUSED with the errorCode; the message does not quote the SOQL', async () => {
    const { conn } = await connect();
    onQuery('SELECT Id, Foo__c FROM Lead').reply(400, fixture('salesforce/error_400_invalid_field_soql.json'), { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, 'SELECT Id, Foo__c FROM Lead'));
    expect(error).toBeInstanceOf(RequestRefused);
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', system: 'salesforce', vendorCode: 'INVALID_FIELD', fields: [] });
    expect((error as Error).message).not.toMatch(/SELECT|Foo__c|No such column/);
  });

  it('400 MALFORMED_QUERY quoting a filter value → REQUEST_REFUSED; neither the SOQL nor the value reaches the error', async () => {
    const { conn } = await connect();
    onQuery().reply(400, [{ message: `\n${SOQL}\n                  ^\nERROR at Row:1:Column:19\nunexpected token: '='`, errorCode: 'MALFORMED_QUERY' }], { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', vendorCode: 'MALFORMED_QUERY' });
    expect((error as Error).message).not.toContain('SELECT');
    expect(JSON.stringify(error)).not.toContain(EMAIL);
    expect((error as Error).cause).toBeUndefined();
  });

  it('400 REQUIRED_FIELD_MISSING with fields (error_400_required_field.json) → REQUEST_REFUSED naming the fields', async () => {
    const { conn } = await connect();
    onUpsert().reply(400, fixture('salesforce/error_400_required_field.json'), { headers: JSON_TYPE });
    const error = await failure(upsertRecords(conn, 'Lead', leads('hs-1'), { externalIdField: 'Ext_Id__c' }));
    expect(error).toBeInstanceOf(RequestRefused);
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', system: 'salesforce', vendorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] });
  });

  it('several errors in one answer (jsforce: MULTIPLE_API_ERRORS) → classified by the first errorCode, with every field named', async () => {
    const { conn } = await connect();
    onUpsert().reply(
      400,
      [
        { message: 'Required fields are missing: [Company]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] },
        { message: `Email: invalid email address: ${EMAIL}x`, errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] },
      ],
      { headers: JSON_TYPE },
    );
    const error = await failure(upsertRecords(conn, 'Lead', leads('hs-1'), { externalIdField: 'Ext_Id__c' }));
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', vendorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company', 'Email'] });
    expect(JSON.stringify(error)).not.toContain(EMAIL);
  });

  it('a limit among several errors still reads as the limit (TotalRequests → DAILY_LIMIT)', async () => {
    const { conn } = await connect();
    onQuery().reply(403, [fixture<unknown[]>('salesforce/error_403_request_limit.json')[0], { message: 'Another problem', errorCode: 'UNKNOWN_EXCEPTION' }], { headers: JSON_TYPE });
    await expect(queryAll(conn, SOQL)).rejects.toBeInstanceOf(DailyLimit);
  });

  it.each([500, 503])('%i with a non-JSON body (jsforce: ERROR_HTTP_5xx) → UNAVAILABLE with the status', async (status) => {
    const { conn } = await connect();
    onQuery().reply(status, '<html><body>Service temporarily unavailable</body></html>', { headers: { 'content-type': 'text/html' } });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'salesforce', status });
  });

  it('503 SERVER_UNAVAILABLE (JSON) → UNAVAILABLE', async () => {
    const { conn } = await connect();
    onQuery().reply(503, [{ message: 'Server is unavailable', errorCode: 'SERVER_UNAVAILABLE' }], { headers: JSON_TYPE });
    await expect(queryAll(conn, SOQL)).rejects.toMatchObject({ code: 'UNAVAILABLE', system: 'salesforce' });
  });

  it('UNABLE_TO_LOCK_ROW for the whole request → UNAVAILABLE (retry), not a refusal', async () => {
    const { conn } = await connect();
    onUpsert().reply(400, [{ message: 'unable to obtain exclusive access to this record or 1 records: 00Q5g00000AbCdE', errorCode: 'UNABLE_TO_LOCK_ROW' }], { headers: JSON_TYPE });
    const error = await failure(upsertRecords(conn, 'Lead', leads('hs-1'), { externalIdField: 'Ext_Id__c' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'salesforce' });
    expect((error as Error).message).toContain('UNABLE_TO_LOCK_ROW');
    expect((error as Error).message).not.toContain('00Q5g00000AbCdE');
  });

  it.each(['ECONNRESET', 'ECONNREFUSED'])("a network failure (%s) → UNAVAILABLE, status 0, sent once (jsforce's retries are off)", async (code) => {
    const { conn } = await connect();
    onQuery().replyWithError(Object.assign(new Error(`socket failure ${code}`), { code }));
    onQuery().reply(200, { totalSize: 0, done: true, records: [] }, { headers: JSON_TYPE });
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'salesforce', status: 0, timeoutMs: undefined });
    expect((error as Error).message).not.toContain(EMAIL);
    // The answer a retry would have got is still there for the next call.
    await expect(queryAll(conn, SOQL)).resolves.toEqual([]);
  });

  it('no answer within timeoutMs → UNAVAILABLE with timeoutMs', async () => {
    const { conn, answers } = await connect(50);
    onQuery().reply(200, { totalSize: 0, done: true, records: [] }, { headers: JSON_TYPE }).delay(2_000);
    const started = Date.now();
    const error = await failure(queryAll(conn, SOQL));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', system: 'salesforce', status: 0, timeoutMs: 50 });
    expect((error as Error).message).not.toContain(EMAIL);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(answers).toEqual([{ call: { system: 'salesforce', kind: 'standard', method: 'GET', path: `${DATA}/query` }, status: 0, headers: {} }]);
  });

  it("a refused subrequest of a composite read → named as the direct query's would be", async () => {
    const { conn } = await connect();
    mockAgent
      .get(INSTANCE)
      .intercept({ method: 'POST', path: `${DATA}/composite` })
      .reply(
        200,
        {
          compositeResponse: [
            { body: { totalSize: 0, done: true, records: [] }, httpHeaders: {}, httpStatusCode: 200, referenceId: 'query0' },
            { body: fixture('salesforce/error_400_invalid_field_soql.json'), httpHeaders: {}, httpStatusCode: 400, referenceId: 'query1' },
          ],
        },
        { headers: JSON_TYPE },
      );
    const error = await failure(queryTogether(conn, ['SELECT Id FROM Lead', 'SELECT Id, Foo__c FROM Lead']));
    expect(error).toMatchObject({ code: 'REQUEST_REFUSED', system: 'salesforce', vendorCode: 'INVALID_FIELD' });
    expect((error as Error).message).not.toContain('SELECT');
  });

  it('a Collections upsert partial failure (composite_sobjects_partial_failure_allOrNone_false.json) → a Rejection with statusCode and fields, never the message', async () => {
    const { conn } = await connect();
    onUpsert().reply(200, fixture('salesforce/composite_sobjects_partial_failure_allOrNone_false.json'), { headers: JSON_TYPE });
    const result = await upsertRecords(conn, 'Lead', leads('hs-1', 'hs-2'), { externalIdField: 'Ext_Id__c' });
    expect(result.rejections).toEqual([{ system: 'salesforce', recordKey: 'hs-1', code: 'DUPLICATES_DETECTED', fields: [] }]);
    expect([...result.written]).toEqual([['hs-2', { id: '003RM0000068xVCYAY', created: false }]]);
    expect(JSON.stringify(result.rejections)).not.toContain('Use one of these records?');
  });

  it('Collections item errors with fields (item_errors_examples.json) → Rejections naming the fields, never the values the messages quote', async () => {
    const { conn } = await connect();
    const examples = fixture<Record<'REQUIRED_FIELD_MISSING' | 'DUPLICATE_VALUE', unknown>>('salesforce/item_errors_examples.json');
    onUpsert().reply(
      200,
      [
        { success: false, errors: [examples.REQUIRED_FIELD_MISSING] },
        { success: false, errors: [examples.DUPLICATE_VALUE] },
        { id: '00Q5g00000AbCdFEAV', success: true, errors: [], created: true },
      ],
      { headers: JSON_TYPE },
    );
    const result = await upsertRecords(conn, 'Lead', leads('hs-1', 'hs-2', 'hs-3'), { externalIdField: 'Ext_Id__c' });
    expect(result.rejections).toEqual([
      { system: 'salesforce', recordKey: 'hs-1', code: 'REQUIRED_FIELD_MISSING', fields: ['Company'] },
      { system: 'salesforce', recordKey: 'hs-2', code: 'DUPLICATE_VALUE', fields: [] },
    ]);
    expect(result.written.get('hs-3')).toEqual({ id: '00Q5g00000AbCdFEAV', created: true });
    expect(JSON.stringify(result.rejections)).not.toContain('00Q5g00000AbCdE');
  });

  it("the Sforce-Limit-Info header of an answer (a refusal included) reaches the gate's after, with the path and no SOQL", async () => {
    const { conn, answers } = await connect();
    onQuery().reply(200, { totalSize: 0, done: true, records: [] }, { headers: { ...JSON_TYPE, 'Sforce-Limit-Info': 'api-usage=10018/100000' } });
    onQuery().reply(403, fixture('salesforce/error_403_request_limit.json'), { headers: { ...JSON_TYPE, 'Sforce-Limit-Info': 'api-usage=100000/100000' } });
    await queryAll(conn, SOQL);
    await expect(queryAll(conn, SOQL)).rejects.toBeInstanceOf(DailyLimit);
    const call = { system: 'salesforce', kind: 'standard', method: 'GET', path: `${DATA}/query` };
    expect(answers).toEqual([
      { call, status: 200, headers: expect.objectContaining({ 'sforce-limit-info': 'api-usage=10018/100000' }) },
      { call, status: 403, headers: expect.objectContaining({ 'sforce-limit-info': 'api-usage=100000/100000' }) },
    ]);
    expect(JSON.stringify(answers.map((a) => a.call))).not.toContain(EMAIL);
  });
});
