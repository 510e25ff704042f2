import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jwtVerify } from 'jose';
import { realClock, type SandboxClock } from '../clock.ts';
import type { FaultInjector } from '../faults.ts';
import { seedExtraAccounts, seedOrg } from '../seed/org.ts';
import type { Emulator, SandboxReply, SandboxRequest } from '../types.ts';
import { convertLead, type LeadConvert, leadConvertResultXml, runConvertLead } from './conversion.ts';
import { setFieldHistoryTracking } from './history.ts';
import { KEY_PREFIX, isSalesforceId, sobjectOfId, toId18 } from './ids.ts';
import { queryFieldDefinition } from './metadata.ts';
import { seedOpportunityStages } from './opportunities.ts';
import { canonicalObject, Org, RecordError, sfDate, type SfRecord, type WriteOptions } from './org.ts';
import { sfDay } from './record.ts';
import { CHILD_RELATIONSHIPS, type ChildRelationship, childRelationship, unknownChildRelationship } from './relationships.ts';
import { type FieldDef, fieldIn, fieldOf, fieldsIn, objectInfo, SCHEMA, type SchemaView } from './schema.ts';
import { type FieldType, matches, parseSoql, SoqlError, type SoqlQuery, type Where } from './soql.ts';
import { child, mergeResultXml, parseXml, runMerge, SoapFault, type SoapReply, soapFault, soapResponse, type XmlElement, XmlError } from './soap.ts';
import { uriLimitReply } from './uri-limit.ts';

export interface SalesforceEmulatorOptions {
  baseUrl: string;
  faults: FaultInjector;
  seed: number;
  /** The version leadloop should use; any vNN.N path is served. Default '64.0'. */
  apiVersion?: string;
  /** Daily API allocation reported in Sforce-Limit-Info; default 100,000. */
  dailyApiLimit?: number;
  /** An active Lead assignment rule (to the Inbound Lead Queue) overwrites OwnerId unless Sforce-Auto-Assign: FALSE. Default true. */
  assignmentRuleActive?: boolean;
  /** Duplicate rule on Lead email. Default true. */
  duplicateRuleOnLeadEmail?: boolean;
  /** Rows per query page; Salesforce's default is 2,000. */
  queryBatchSize?: number;
  /** Accounts to seed beyond those of the seeded contacts (a large org). Default 0. */
  extraAccounts?: number;
  /**
   * Multiple currencies enabled with these active ISO codes, the first the corporate currency
   * (e.g. ['EUR', 'USD']): CurrencyIsoCode then exists on Opportunity, Lead, Account, Contact and
   * Campaign. Default: a single-currency org, where that field does not exist (INVALID_FIELD).
   */
  currencies?: string[];
  /** Fields with history tracking on from the start, as `Object.Field` (only Lead is emulated), e.g. ['Lead.Status']. Default none. */
  fieldHistoryTracking?: string[];
  /** The sandbox's clock (clock.ts): every record time reads it. Default: real time. */
  clock?: SandboxClock;
}

/** Who does something through the sandbox's hands, and when (a simulator backdates). Default: the integration user, now. */
export interface ActAs {
  userId?: string;
  at?: number;
}

export interface SalesforceEmulator extends Emulator {
  readonly system: 'salesforce';
  readonly org: Org;
  readonly clock: SandboxClock;
  credentials(): { apiVersion: string; accessToken: string; refreshToken: string; clientId: string; clientSecret: string; username: string; privateKeyFile: string };
  seedOrg(contacts: ReadonlyArray<{ id: string; properties: Record<string, string | null> }>): void;
  records(sobject: string): ReadonlyArray<Record<string, unknown>>;
  insert(sobject: string, fields: Record<string, unknown>): string;
  update(sobject: string, id: string, fields: Record<string, unknown>): void;
  /**
   * Converts a lead as a person would in Salesforce (conversion.ts; the SOAP convertLead rules):
   * an Account, a Contact and, unless doNotCreateOpportunity, an Opportunity (Amount set after,
   * as an edit). A queue-owned lead's records go to `ownerId` or else to the acting user.
   */
  convertLead(leadId: string, options?: ActAs & Partial<Omit<LeadConvert, 'leadId'>> & { amount?: number }): { contactId: string; accountId: string; opportunityId?: string };
  /** Creates a record through the org's save rules (derived fields, history), as a person in Salesforce would. Returns the id. */
  create(sobject: string, fields: Record<string, unknown>, options?: ActAs): string;
  /** Edits a record through the org's save rules (converted leads refused, history written), as a person would. */
  edit(sobject: string, id: string, fields: Record<string, unknown>, options?: ActAs): void;
  /** A new opportunity: Prospecting, closing in 30 days, owned by the acting user, unless `fields` say otherwise. */
  createOpportunity(fields: Record<string, unknown>, options?: ActAs): string;
  /** Moves an opportunity to Closed Won or Closed Lost, with any other fields of the same save (Loss_Reason__c, Amount...). */
  closeOpportunity(id: string, won: boolean, options?: ActAs & { fields?: Record<string, unknown> }): void;
  /** Turns field history tracking of one field on or off from now on (Setup → Set History Tracking); only Lead is emulated. */
  setFieldHistoryTracking(sobject: string, field: string, on: boolean): void;
  expireSessions(): void;
  /** API calls counted against the daily allocation. */
  apiUsage(): { used: number; limit: number };
  close(): Promise<void>;
}

const ORG_ID = '00D5g000000LdLpEAK';
const COLLATOR = new Intl.Collator('en');
export const INTEGRATION_USERNAME = 'leadloop.integration@copperleaf.example';

export async function createSalesforceEmulator(options: SalesforceEmulatorOptions): Promise<SalesforceEmulator> {
  const apiVersion = options.apiVersion ?? '64.0';
  const dailyLimit = options.dailyApiLimit ?? 100_000;
  const batchSize = options.queryBatchSize ?? 2_000;
  const faults = options.faults;
  const clock = options.clock ?? realClock();
  const org = new Org({ duplicateRuleOnLeadEmail: options.duplicateRuleOnLeadEmail ?? true, ...(options.currencies ? { currencies: options.currencies } : {}) }, clock);
  const directory = seedOrg(org, [], options.seed);
  seedOpportunityStages(org, directory.integrationUserId);
  for (const pair of options.fieldHistoryTracking ?? []) {
    const [object, field] = pair.split('.') as [string, string];
    setFieldHistoryTracking(org, object, field, true);
  }
  if (options.assignmentRuleActive ?? true) org.behaviour.assignmentRuleOwnerId = directory.inboundQueueId;
  if (options.extraAccounts) seedExtraAccounts(org, options.extraAccounts, options.seed, directory);

  const clientId = '3MVG9sandboxLeadloopConsumerKey';
  const clientSecret = 'sandbox-consumer-secret';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyDir = mkdtempSync(join(tmpdir(), 'leadloop-sandbox-'));
  const privateKeyFile = join(keyDir, 'server.key');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const verifyKey = publicKey;

  const fixedToken = `${ORG_ID.slice(0, 15)}!AQ4AQsandbox.fixed.session`;
  const sessions = new Map<string, { userId: string }>([[fixedToken, { userId: directory.integrationUserId }]]);
  const locators = new Map<string, { records: unknown[]; offset: number; totalSize: number; version: string; batchSize: number }>();
  const refreshToken = `5Aep861sandbox.${randomBytes(12).toString('base64url')}`;
  const refreshTokens = new Map<string, string>([[refreshToken, directory.integrationUserId]]);
  let used = 0;
  let calls = 0;

  const issue = (userId: string): string => {
    const token = `${ORG_ID.slice(0, 15)}!AQ4AQ${randomBytes(24).toString('base64url')}`;
    sessions.set(token, { userId });
    return token;
  };

  const errorReply = (endpoint: string, status: number, errorCode: string, message: string, extra: Record<string, unknown> = {}): SandboxReply => ({
    status,
    endpoint,
    // Top-level REST errors are a JSON array of {message, errorCode} (docs/salesforce-api.md#error-bodies; test/fixtures/vendor/salesforce/error_40x_*.json).
    body: [{ message, errorCode, ...extra }],
  });

  async function oauth(request: SandboxRequest): Promise<SandboxReply> {
    const endpoint = 'oauth.token';
    const form = new URLSearchParams(request.rawBody.toString('utf8'));
    const grant = form.get('grant_type');
    const fail = (error: string, description: string, status = 400): SandboxReply => ({ status, endpoint, body: { error, error_description: description } });
    let userId: string | undefined;
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      // JWT bearer: RS256 assertion, iss = consumer key, sub = username, aud = login URL (docs/salesforce-api.md#auth).
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', verifyKey, { issuer: clientId, audience: [options.baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'] });
        const user = org.findByField('User', 'Username', String(payload.sub ?? ''))[0];
        if (!user) return fail('invalid_grant', "user hasn't approved this consumer");
        if (user.IsActive === false) return fail('invalid_grant', 'inactive user');
        userId = user.Id;
      } catch (error) {
        const message = (error as Error).message;
        return fail('invalid_grant', /exp/.test(message) ? 'expired authorization code' : /iss|aud/.test(message) ? 'invalid client credentials' : 'invalid assertion');
      }
    } else if (grant === 'refresh_token') {
      // Refresh-token grant (web-server and user-agent flows issue refresh tokens; JWT and client credentials do not).
      if (form.get('client_id') !== clientId) return fail('invalid_client_id', 'client identifier invalid');
      if (form.get('client_secret') !== null && form.get('client_secret') !== clientSecret) return fail('invalid_client', 'invalid client credentials');
      const holder = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!holder) return fail('invalid_grant', 'expired access/refresh token');
      userId = holder;
    } else if (grant === 'client_credentials') {
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return fail('invalid_client', 'invalid client credentials');
      userId = directory.integrationUserId;
    } else {
      return fail('unsupported_grant_type', 'grant type not supported');
    }
    const token = issue(userId);
    const body: Record<string, unknown> = {
      access_token: token,
      scope: 'api',
      instance_url: options.baseUrl,
      id: `${options.baseUrl}/id/${ORG_ID}/${userId}`,
      token_type: 'Bearer',
    };
    // issued_at is about the token (the caller's wall clock), not the org's data: real time.
    if (grant === 'client_credentials') Object.assign(body, { signature: randomBytes(32).toString('base64'), issued_at: String(Date.now()) });
    return { status: 200, endpoint, body };
  }

  function writeOptions(request: SandboxRequest, userId: string, version?: string): WriteOptions {
    const autoAssign = String(request.headers['sforce-auto-assign'] ?? 'TRUE').toUpperCase() !== 'FALSE';
    const duplicateHeader = String(request.headers['sforce-duplicate-rule-header'] ?? '');
    return { autoAssign, allowDuplicateSave: /allowSave\s*=\s*true/i.test(duplicateHeader), userId, ...(version ? { apiVersion: Number(version) } : {}) };
  }

  /** The fields a request sees: those of its API version, CurrencyIsoCode only in a multi-currency org. */
  const viewOf = (version: string): SchemaView => org.view(Number(version));

  function present(sobject: string, record: SfRecord, fields: readonly string[] | undefined, version: string): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: sobject, url: `/services/data/v${version}/sobjects/${sobject}/${record.Id}` } };
    const names = fields ?? fieldsIn(sobject, viewOf(version)).map((d) => d.name);
    for (const name of names) {
      if (name.includes('.')) {
        const [rel, field] = name.split('.') as [string, string];
        const ref = SCHEMA[sobject]!.find((d) => d.relationshipName?.toLowerCase() === rel.toLowerCase());
        const target = ref ? org.find(String(record[ref.name] ?? '')) : undefined;
        const targetType = target ? (Object.entries(KEY_PREFIX).find(([, p]) => p === target.Id.slice(0, 3))?.[0] ?? 'User') : undefined;
        const existing = (out[ref?.relationshipName ?? rel] as Record<string, unknown> | null | undefined) ?? undefined;
        if (!target || !targetType) out[ref?.relationshipName ?? rel] = null;
        else {
          const def = fieldOf(targetType, field);
          out[ref!.relationshipName!] = {
            ...(existing ?? { attributes: { type: targetType, url: `/services/data/v${version}/sobjects/${targetType}/${target.Id}` } }),
            [def?.name ?? field]: target[def?.name ?? field] ?? null,
          };
        }
        continue;
      }
      const def = fieldOf(sobject, name);
      out[def?.name ?? name] = record[def?.name ?? name] ?? null;
    }
    return out;
  }

  /** The type of a field a query names (`Relationship.Field` too), for comparing and sorting as Salesforce does. */
  function typeOf(sobject: string, name: string): FieldType | undefined {
    if (!name.includes('.')) return fieldOf(sobject, name)?.type;
    const [rel, field] = name.split('.') as [string, string];
    const ref = SCHEMA[sobject]!.find((d) => d.relationshipName?.toLowerCase() === rel.toLowerCase());
    return (ref?.referenceTo ?? []).map((target) => fieldOf(target, field)?.type).find((t) => t !== undefined);
  }

  function checkFields(query: SoqlQuery, sobject: string, soql: string, view: SchemaView): void {
    const names = [...query.fields, ...query.orderBy.map((o) => o.field)];
    const filters: Exclude<Where, { kind: 'and' | 'or' | 'not' }>[] = [];
    const walk = (w: SoqlQuery['where']): void => {
      if (!w) return;
      if (w.kind === 'and' || w.kind === 'or') {
        walk(w.left);
        walk(w.right);
      } else if (w.kind === 'not') {
        walk(w.inner);
      } else if ('field' in w) {
        names.push(w.field);
        filters.push(w);
      }
    };
    walk(query.where);
    const pointAt = (name: string, problem: string) => {
      const column = soql.indexOf(name) + 1;
      return `\n${soql}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:1:Column:${column}\n${problem}`;
    };
    for (const name of names) {
      const [head, tail] = name.split('.') as [string, string | undefined];
      if (tail === undefined) {
        if (fieldIn(sobject, head, view)) continue;
        throw new SoqlError(
          'INVALID_FIELD',
          pointAt(
            name,
            `No such column '${name}' on entity '${sobject}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          ),
        );
      }
      const ref = SCHEMA[sobject]!.find((d) => d.relationshipName?.toLowerCase() === head.toLowerCase());
      if (!ref) {
        throw new SoqlError(
          'INVALID_FIELD',
          pointAt(
            name,
            `Didn't understand relationship '${head}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
          ),
        );
      }
      const targets = ref.referenceTo ?? [];
      if (!targets.some((t) => fieldIn(t, tail, view))) {
        throw new SoqlError(
          'INVALID_FIELD',
          pointAt(
            name,
            `No such column '${tail}' on entity '${targets[0] ?? head}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          ),
        );
      }
    }
    // An id field compared with what is not an id, or with LIKE, is refused (INVALID_QUERY_FILTER_OPERATOR, captured answers).
    for (const filter of filters) {
      const type = typeOf(sobject, filter.field);
      if (type !== 'id' && type !== 'reference') continue;
      if (filter.kind === 'like') throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', pointAt(filter.field, 'invalid operator on id field'));
      const values = filter.kind === 'in' ? filter.values : [filter.value];
      const bad = values.find((v) => typeof v !== 'string' || (v !== '' && !isSalesforceId(v)));
      if (bad !== undefined && bad !== null) throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', pointAt(filter.field, `invalid ID field: ${typeof bad === 'object' ? 'date' : String(bad)}`));
    }
  }

  function runQuery(soql: string, all: boolean, version: string, endpoint: string, batch: number): SandboxReply {
    let query: SoqlQuery;
    let children: { relationship: ChildRelationship; query: SoqlQuery }[];
    let metadata: Record<string, unknown>[] | undefined;
    try {
      query = parseSoql(soql);
      // FieldDefinition is metadata read as rows (metadata.ts), not a table of the org.
      metadata = queryFieldDefinition(org, query, viewOf(version), version);
    } catch (error) {
      if (error instanceof SoqlError) return errorReply(endpoint, 400, error.errorCode, error.message);
      throw error;
    }
    if (metadata) return page(metadata, 0, version, endpoint, batch);
    const sobject = canonicalObject(query.from);
    if (!SCHEMA[sobject]) return errorReply(endpoint, 400, 'INVALID_TYPE', `\n${soql}\nERROR at Row:1\nsObject type '${query.from}' is not supported.`);
    try {
      checkFields(query, sobject, soql, viewOf(version));
      // Parent-child subqueries name a child relationship in FROM (relationships.ts); their fields are the child's.
      children = query.subqueries.map((sub) => {
        const relationship = childRelationship(sobject, sub.from);
        if (!relationship) throw new SoqlError('INVALID_TYPE', unknownChildRelationship(soql, sub.from));
        checkFields(sub, relationship.childSObject, soql, viewOf(version));
        return { relationship, query: sub };
      });
    } catch (error) {
      if (error instanceof SoqlError) return errorReply(endpoint, 400, error.errorCode, error.message);
      throw error;
    }
    // An equality or IN filter on a text field reads only its candidates (the org can be 100,000 leads); the filter still decides.
    const rows = select(sobject, query, all, candidateRows(org, query.where, sobject) ?? [...org.table(sobject).values()]);
    if (query.count) return { status: 200, endpoint, body: { totalSize: rows.length, done: true, records: [] } };
    // Each subquery's child rows grouped by parent once, not scanned once per parent row.
    const byParent = children.map(({ relationship }) => {
      const groups = new Map<string, SfRecord[]>();
      for (const row of org.table(relationship.childSObject).values()) {
        const parent = String(row[relationship.field] ?? '');
        const group = groups.get(parent);
        if (group) group.push(row);
        else groups.set(parent, [row]);
      }
      return groups;
    });
    const records = rows.map((r) => {
      const out = present(sobject, r, query.fields, version);
      children.forEach(({ relationship, query: sub }, i) => {
        // Salesforce nests a child query's result as { totalSize, done, records }, or null when it has no rows.
        const found = select(relationship.childSObject, sub, all, byParent[i]!.get(r.Id) ?? []).map((c) => present(relationship.childSObject, c, sub.fields, version));
        out[relationship.relationshipName] = found.length === 0 ? null : { totalSize: found.length, done: true, records: found };
      });
      return out;
    });
    return page(records, 0, version, endpoint, batch);
  }

  /** The rows of `scope` a query selects: its filter (deleted rows only for queryAll), order, offset and limit. */
  function select(sobject: string, query: SoqlQuery, all: boolean, scope: SfRecord[]): SfRecord[] {
    const get = (record: SfRecord) => (field: string) => {
      if (field.includes('.')) {
        const [rel, f] = field.split('.') as [string, string];
        const ref = SCHEMA[sobject]!.find((d) => d.relationshipName?.toLowerCase() === rel.toLowerCase());
        const target = ref ? org.find(String(record[ref.name] ?? '')) : undefined;
        if (!target) return null;
        const key = Object.keys(target).find((k) => k.toLowerCase() === f.toLowerCase());
        return key ? target[key] : null;
      }
      return record[fieldOf(sobject, field)!.name];
    };
    const types = (field: string) => typeOf(sobject, field);
    let rows = scope.filter((r) => (all || !r.IsDeleted) && matches(query.where, get(r), types));
    if (query.orderBy.length > 0) {
      // Ids sort by their characters (case matters: the order `Id > '...'` pages by); text by the collator.
      const binary = query.orderBy.map((o) => ['id', 'reference'].includes(types(o.field) ?? ''));
      // Keys read once per row, not once per comparison: an org of a million accounts is sorted whole.
      const keyed = rows.map((row) => ({ row, keys: query.orderBy.map((o) => get(row)(o.field)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < query.orderBy.length; i++) {
          const o = query.orderBy[i]!;
          const x = a.keys[i];
          const y = b.keys[i];
          if (x === y) continue;
          if (x === null || x === undefined) return o.nullsLast ? 1 : -1;
          if (y === null || y === undefined) return o.nullsLast ? -1 : 1;
          const n = typeof x === 'number' && typeof y === 'number' ? x - y : binary[i] ? (String(x) < String(y) ? -1 : 1) : COLLATOR.compare(String(x), String(y));
          if (n !== 0) return o.desc ? -n : n;
        }
        return 0;
      });
      rows = keyed.map((k) => k.row);
    }
    if (query.offset) rows = rows.slice(query.offset);
    if (query.limit !== undefined) rows = rows.slice(0, query.limit);
    return rows;
  }

  /**
   * The batch a query asks for with `Sforce-Query-Options: batchSize=N`: "The default is 2,000; the
   * minimum is 200, and the maximum is 2,000. There is no guarantee that the requested batch size
   * is the actual batch size" (Query Options header). Outside that range the emulator clamps.
   */
  function requestedBatch(request: SandboxRequest): number | undefined {
    const match = /batchSize\s*=\s*(\d+)/i.exec(String(request.headers['sforce-query-options'] ?? ''));
    return match ? Math.min(2_000, Math.max(200, Number(match[1]))) : undefined;
  }

  function page(records: unknown[], offset: number, version: string, endpoint: string, batch: number, locator?: string): SandboxReply {
    const slice = records.slice(offset, offset + batch);
    const done = offset + slice.length >= records.length;
    const body: Record<string, unknown> = { totalSize: records.length, done, records: slice };
    if (!done) {
      const id = locator ?? `01g5g${randomBytes(6).toString('hex').slice(0, 10)}`;
      locators.set(id, { records, offset: offset + slice.length, totalSize: records.length, version, batchSize: batch });
      // jsforce rebuilds the next URL from its last path segment (docs/salesforce-api.md#soql-queries-and-paging).
      body.nextRecordsUrl = `/services/data/v${version}/query/${id}-${offset + slice.length}`;
    }
    return { status: 200, endpoint, body };
  }

  async function rest(request: SandboxRequest, version: string, rest: string): Promise<SandboxReply> {
    const method = request.method;
    const endpoint = classify(method, rest);
    const token = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const session = sessions.get(token);
    calls += 1;
    if (!session || (faults.options.sessionExpiryAfterCalls !== undefined && calls > faults.options.sessionExpiryAfterCalls && token === fixedToken)) {
      return errorReply(endpoint, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    if (used >= dailyLimit || (faults.options.dailyLimitAfterCalls !== undefined && calls > faults.options.dailyLimitAfterCalls)) {
      return errorReply(endpoint, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    used += 1;
    const limitHeader = { 'sforce-limit-info': `api-usage=${used}/${dailyLimit}` };
    const fault = faults.decide();
    if (fault.kind === 'hang') return { status: 0, endpoint, hang: true };
    // Salesforce has no REST 429: a rate fault is the concurrent long-running request limit (assumption on the message text).
    if (fault.kind === 'rate-limit') return { ...errorReply(endpoint, 403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'), headers: limitHeader };
    if (fault.kind === 'server-error') return { ...errorReply(endpoint, fault.status, 'SERVER_UNAVAILABLE', 'Server unavailable (injected by the sandbox)'), headers: limitHeader };
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    let reply: SandboxReply;
    try {
      reply = route(request, version, rest, endpoint, writeOptions(request, session.userId, version));
    } catch (error) {
      if (error instanceof RecordError) reply = errorReply(endpoint, error.httpStatus, error.error.statusCode, error.message, error.error.fields.length ? { fields: error.error.fields } : {});
      else if (error instanceof SyntaxError) reply = errorReply(endpoint, 400, 'JSON_PARSER_ERROR', `The request body is not valid JSON: ${error.message}`);
      else throw error;
    }
    // Carried out, answer lost on the way back: the client sees a call that never answers.
    if (fault.kind === 'lost-answer') return { status: 0, endpoint, hang: true };
    if (fault.kind === 'partial-body') return { ...reply, headers: { ...limitHeader, ...reply.headers }, partial: fault.ending };
    return { ...reply, headers: { ...limitHeader, ...reply.headers } };
  }

  /**
   * POST /services/Soap/u/{version}: the Partner SOAP API, its `merge` call only (soap.ts;
   * docs/salesforce-api.md#soap-merge). The session comes in the envelope's SessionHeader (jsforce
   * sends no Authorization header to SOAP). A call counts in the request log as `soap.<call>` and
   * against the daily allocation like a REST call, whatever number of merge requests it carries.
   * Refusals of the whole call are SOAP faults (HTTP 500); jsforce reads their faultcode
   * (`sf:INVALID_SESSION_ID` makes it refresh the session and send again).
   */
  async function soap(request: SandboxRequest): Promise<SandboxReply> {
    let envelope: XmlElement | undefined;
    let unreadable: string | undefined;
    try {
      envelope = parseXml(request.rawBody.toString('utf8'));
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      unreadable = error.message;
    }
    const call = child(envelope, 'Body')?.children[0];
    const endpoint = `soap.${call && /^\w{1,40}$/.test(call.local) ? call.local : 'unknown'}`;
    const reply = (answer: SoapReply, status = answer.status): SandboxReply => ({ status, endpoint, body: answer.body, contentType: 'text/xml;charset=UTF-8' });
    calls += 1;
    // Assumption: the faultstrings of an unreadable envelope and of a missing call (Axis's wording).
    if (unreadable !== undefined || envelope?.local !== 'Envelope') return reply(soapFault('soapenv:Client', `Unable to parse the request: ${unreadable ?? 'not a SOAP envelope'}`));
    if (!call) return reply(soapFault('soapenv:Client', 'No operation in the SOAP Body'));
    const token = child(child(child(envelope, 'Header'), 'SessionHeader'), 'sessionId')?.text.trim() ?? '';
    const session = sessions.get(token);
    if (!session || (faults.options.sessionExpiryAfterCalls !== undefined && calls > faults.options.sessionExpiryAfterCalls && token === fixedToken)) {
      return reply(soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session'));
    }
    if (used >= dailyLimit || (faults.options.dailyLimitAfterCalls !== undefined && calls > faults.options.dailyLimitAfterCalls)) {
      // Assumption: the SOAP fault carries the REST error's code and text.
      return reply(soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    }
    used += 1;
    const fault = faults.decide();
    if (fault.kind === 'hang') return { status: 0, endpoint, hang: true };
    if (fault.kind === 'rate-limit') return reply(soapFault('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'));
    if (fault.kind === 'server-error') return reply(soapFault('SERVER_UNAVAILABLE', 'Server unavailable (injected by the sandbox)'), fault.status);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (call.local !== 'merge' && call.local !== 'convertLead') return reply(soapFault('soapenv:Client', `sandbox: the SOAP call ${call.local} is not emulated (only merge and convertLead are)`));
    try {
      // jsforce names each merge request <mergeRequests>, the WSDL <request>: any child of <merge> is one.
      if (call.local === 'merge') return reply(soapResponse('merge', runMerge(org, call.children, session.userId).map(mergeResultXml), { used, limit: dailyLimit }));
      // <leadConverts>, in the WSDL and from jsforce alike (conversion.ts).
      const converts = call.children.filter((c) => c.local === 'leadConverts');
      return reply(soapResponse('convertLead', runConvertLead(org, converts, session.userId).map(leadConvertResultXml), { used, limit: dailyLimit }));
    } catch (error) {
      if (error instanceof SoapFault) return reply(soapFault(error.code, error.message, error.faultType));
      throw error;
    }
  }

  /** The request's JSON body, not validated: each handler reads the shape its endpoint takes (invalid JSON throws the SyntaxError handle() answers). */
  function body(request: SandboxRequest): Record<string, unknown> {
    return request.rawBody.length === 0 ? {} : (JSON.parse(request.rawBody.toString('utf8')) as Record<string, unknown>);
  }

  function route(request: SandboxRequest, version: string, path: string, endpoint: string, write: WriteOptions): SandboxReply {
    const method = request.method;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (endpoint === 'limits') {
      return { status: 200, endpoint, body: { DailyApiRequests: { Max: dailyLimit, Remaining: Math.max(0, dailyLimit - used) }, DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 } } };
    }
    if (endpoint === 'query' || endpoint === 'queryAll') {
      const q = request.url.searchParams.get('q');
      if (!q) return errorReply(endpoint, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
      return runQuery(q, endpoint === 'queryAll', version, endpoint, requestedBatch(request) ?? batchSize);
    }
    if (endpoint === 'query.more') {
      const [locator, offsetText] = (parts[1] ?? '').split('-') as [string, string];
      const state = locators.get(locator);
      if (!state) return errorReply(endpoint, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return page(state.records, Number(offsetText) || state.offset, state.version, endpoint, requestedBatch(request) ?? state.batchSize, locator);
    }
    if (endpoint === 'sobjects.global') {
      return {
        status: 200,
        endpoint,
        body: {
          encoding: 'UTF-8',
          maxBatchSize: 200,
          sobjects: Object.keys(SCHEMA).map((name) => ({
            name,
            label: objectInfo(name).label,
            keyPrefix: KEY_PREFIX[name] ?? null,
            createable: objectInfo(name).createable,
            updateable: objectInfo(name).updateable,
            deletable: objectInfo(name).deletable,
            queryable: true,
            custom: false,
            urls: { sobject: `/services/data/v${version}/sobjects/${name}` },
          })),
        },
      };
    }
    if (endpoint === 'sobjects.describe') return { status: 200, endpoint, body: describe(canonicalObject(parts[1]!), version) };
    if (endpoint === 'composite') return composite(request, version);
    if (endpoint.startsWith('sobjects.collections')) return collections(request, version, parts, endpoint, write);
    const sobject = canonicalObject(parts[1] ?? '');
    if (!SCHEMA[sobject]) return errorReply(endpoint, 404, 'NOT_FOUND', `The requested resource does not exist`);
    if (endpoint === 'sobject.create') {
      const created = org.create(sobject, body(request), write);
      return { status: 201, endpoint, body: { id: created.Id, success: true, errors: [] } };
    }
    if (endpoint === 'sobject.upsert') {
      const [, , field, value] = parts as [string, string, string, string];
      const result = upsertOne(sobject, field, value, body(request), write);
      if ('multiple' in result) return { status: 300, endpoint, body: result.multiple.map((id) => `/services/data/v${version}/sobjects/${sobject}/${id}`) };
      return { status: result.created ? 201 : 200, endpoint, body: { id: result.id, success: true, errors: [], created: result.created } };
    }
    const id = parts[2]!;
    if (endpoint === 'sobject.get') {
      const record = isSalesforceId(id) ? org.get(sobject, id) : undefined;
      if (!record) return errorReply(endpoint, 404, 'NOT_FOUND', 'The requested resource does not exist');
      const fields = request.url.searchParams.get('fields')?.split(',');
      return { status: 200, endpoint, body: present(sobject, record, fields, version) };
    }
    if (endpoint === 'sobject.update') {
      org.update(sobject, id, body(request), write);
      return { status: 204, endpoint };
    }
    if (endpoint === 'sobject.delete') {
      org.delete(sobject, id);
      return { status: 204, endpoint };
    }
    return errorReply(endpoint, 404, 'NOT_FOUND', `sandbox: ${method} ${path} is not emulated`);
  }

  /**
   * POST /composite: up to 25 subrequests in one call (one API call against the org's allocation),
   * run in order; a subrequest may use an earlier one's answer through `@{referenceId.path}`.
   * Answers `{ compositeResponse: [{ body, httpHeaders, httpStatusCode, referenceId }] }`, one per
   * subrequest, whatever their status. allOrNone: the first failure rolls every write of the call
   * back and the other subrequests answer 400 PROCESSING_HALTED. Without it, a subrequest whose
   * reference cannot be resolved (an earlier one failed) answers 400 PROCESSING_HALTED and the
   * rest go on. (Salesforce REST API Developer Guide, "Send Multiple Requests Using Composite": at
   * most 5 subrequests may be sObject Collections or query operations, Query More included.)
   */
  function composite(request: SandboxRequest, version: string): SandboxReply {
    const endpoint = 'composite';
    const input = body(request) as { allOrNone?: boolean; compositeRequest?: unknown };
    const subrequests = input.compositeRequest;
    if (!Array.isArray(subrequests) || subrequests.length === 0) return errorReply(endpoint, 400, 'JSON_PARSER_ERROR', 'compositeRequest: a list of subrequests is required');
    if (subrequests.length > 25) return errorReply(endpoint, 400, 'INVALID_API_INPUT', 'Composite request exceeds the limit of 25 subrequests');
    const references = new Set<string>();
    let heavy = 0;
    for (const sub of subrequests as { method?: unknown; url?: unknown; referenceId?: unknown }[]) {
      if (typeof sub?.method !== 'string' || typeof sub.url !== 'string' || typeof sub.referenceId !== 'string')
        return errorReply(endpoint, 400, 'JSON_PARSER_ERROR', 'Each subrequest needs method, url and referenceId');
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(sub.referenceId) || references.has(sub.referenceId))
        return errorReply(endpoint, 400, 'INVALID_API_INPUT', `Invalid or duplicate referenceId: ${sub.referenceId}`);
      references.add(sub.referenceId);
      const own = Object.keys((sub as { httpHeaders?: Record<string, unknown> }).httpHeaders ?? {}).map((h) => h.toLowerCase());
      if (own.some((h) => h === 'accept' || h === 'authorization' || h === 'content-type'))
        return errorReply(endpoint, 400, 'INVALID_API_INPUT', 'Subrequests inherit Accept, Authorization and Content-Type from the composite request: do not set them');
      const path = /^\/services\/data\/v\d{2,3}\.\d\/([^?]*)/.exec(sub.url)?.[1] ?? '';
      const kind = classify(sub.method.toUpperCase(), path);
      if (kind === 'query' || kind === 'queryAll' || kind === 'query.more' || kind.startsWith('sobjects.collections')) heavy += 1;
    }
    if (heavy > 5) return errorReply(endpoint, 400, 'INVALID_API_INPUT', 'Composite request can have at most 5 query or sObject Collections subrequests');

    const allOrNone = input.allOrNone === true;
    // A write rolled back restores every table as it was (ids handed out are not reused, as in Salesforce).
    const saved = allOrNone ? Object.keys(SCHEMA).map((name) => [name, new Map([...org.table(name)].map(([id, r]) => [id, { ...r }]))] as const) : [];
    const answers: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[] = [];
    const bodies = new Map<string, unknown>();
    let failed = false;
    for (const sub of subrequests as { method: string; url: string; referenceId: string; body?: unknown; httpHeaders?: Record<string, string> }[]) {
      if (failed && allOrNone) {
        answers.push({
          body: [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: sub.referenceId,
        });
        continue;
      }
      let url: string;
      let subBody: unknown;
      try {
        url = resolveReferences(sub.url, bodies, true) as string;
        subBody = sub.body === undefined ? undefined : resolveReferences(sub.body, bodies, false);
      } catch (error) {
        failed = true;
        answers.push({ body: [{ errorCode: 'PROCESSING_HALTED', message: (error as Error).message }], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
        continue;
      }
      const target = new URL(url, request.url);
      const match = /^\/services\/data\/v(\d{2,3}\.\d)\/(.*)$/.exec(target.pathname);
      const method = sub.method.toUpperCase();
      // A subrequest inherits only Accept, Authorization and Content-Type: any other header (Sforce-Auto-Assign...) is its own.
      const headers = {
        ...Object.fromEntries(['accept', 'authorization', 'content-type'].filter((h) => request.headers[h] !== undefined).map((h) => [h, request.headers[h]])),
        ...Object.fromEntries(Object.entries(sub.httpHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
      };
      const inner: SandboxRequest = { method, url: target, headers, rawBody: Buffer.from(subBody === undefined ? '' : JSON.stringify(subBody)) };
      let reply: SandboxReply;
      if (!match) reply = errorReply('composite', 404, 'NOT_FOUND', 'The requested resource does not exist');
      else {
        const subEndpoint = classify(method, match[2]!);
        try {
          reply =
            subEndpoint === 'composite'
              ? errorReply(subEndpoint, 400, 'INVALID_API_INPUT', 'A composite request cannot contain another composite request')
              : route(inner, match[1]!, match[2]!, subEndpoint, writeOptions(inner, sessionUser(request), match[1]!));
        } catch (error) {
          if (error instanceof RecordError) reply = errorReply(subEndpoint, error.httpStatus, error.error.statusCode, error.message, error.error.fields.length ? { fields: error.error.fields } : {});
          else if (error instanceof SyntaxError) reply = errorReply(subEndpoint, 400, 'JSON_PARSER_ERROR', `The request body is not valid JSON: ${error.message}`);
          else throw error;
        }
      }
      const location =
        reply.status === 201 && reply.body && typeof reply.body === 'object' && 'id' in reply.body
          ? { Location: `/services/data/v${match?.[1] ?? version}/sobjects/${canonicalObject(match?.[2]?.split('/')[1] ?? '')}/${String((reply.body as { id: string }).id)}` }
          : {};
      answers.push({ body: reply.body ?? null, httpHeaders: location, httpStatusCode: reply.status, referenceId: sub.referenceId });
      if (reply.status >= 400) failed = true;
      else bodies.set(sub.referenceId, reply.body);
    }
    if (failed && allOrNone) {
      for (const [name, table] of saved) {
        const live = org.table(name);
        live.clear();
        for (const [id, r] of table) live.set(id, r);
      }
      // Subrequests that had succeeded are rolled back too: they answer PROCESSING_HALTED.
      for (const answer of answers) {
        if (answer.httpStatusCode < 400)
          Object.assign(answer, {
            body: [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }],
            httpHeaders: {},
            httpStatusCode: 400,
          });
      }
    }
    return { status: 200, endpoint, body: { compositeResponse: answers } };
  }

  /** Replaces `@{referenceId.field}` / `@{referenceId.records[0].Id}` with the earlier answer's value. */
  function resolveReferences(value: unknown, bodies: ReadonlyMap<string, unknown>, inUrl: boolean): unknown {
    if (typeof value === 'string') {
      return value.replace(/@\{([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (_, ref: string, path: string) => {
        let current: unknown = bodies.get(ref);
        if (current === undefined) throw new Error(`Invalid reference specified. No value for ${ref}${path} found in ${ref}. Provided referenceId ${ref} does not exist or has not been processed.`);
        for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
          current = step.startsWith('[') ? (current as unknown[] | undefined)?.[Number(step.slice(1, -1))] : (current as Record<string, unknown> | undefined)?.[step.slice(1)];
        }
        if (current === undefined || current === null) throw new Error(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
        return inUrl ? encodeURIComponent(String(current)) : String(current);
      });
    }
    if (Array.isArray(value)) return value.map((v) => resolveReferences(v, bodies, inUrl));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, bodies, inUrl)]));
    return value;
  }

  function sessionUser(request: SandboxRequest): string {
    const token = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    return sessions.get(token)?.userId ?? directory.integrationUserId;
  }

  function upsertOne(sobject: string, field: string, value: string, input: Record<string, unknown>, write: WriteOptions): { id: string; created: boolean } | { multiple: string[] } {
    const def = fieldOf(sobject, field);
    if (!def || (!def.externalId && def.name !== 'Id')) throw new RecordError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`, [], 404);
    const existing = org.findByField(sobject, def.name, value);
    if (existing.length > 1) return { multiple: existing.map((r) => r.Id) };
    const fields = { ...input };
    delete fields[def.name];
    if (existing[0]) return { id: org.update(sobject, existing[0].Id, fields, write).Id, created: false };
    return { id: org.create(sobject, { ...fields, [def.name]: value }, write).Id, created: true };
  }

  function collections(request: SandboxRequest, version: string, parts: string[], endpoint: string, write: WriteOptions): SandboxReply {
    if (endpoint === 'sobjects.collections.delete') {
      const ids = (request.url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length > 200) return errorReply(endpoint, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      return {
        status: 200,
        endpoint,
        body: ids.map((id) => {
          try {
            const sobject = Object.entries(KEY_PREFIX).find(([, p]) => p === id.slice(0, 3))?.[0];
            if (!sobject) throw new RecordError('MALFORMED_ID', `malformed id ${id}`, []);
            org.delete(sobject, id);
            return { id, success: true, errors: [] };
          } catch (error) {
            if (error instanceof RecordError) return { id, success: false, errors: [error.error] };
            throw error;
          }
        }),
      };
    }
    const input = body(request) as { ids?: string[]; fields?: string[]; records: Record<string, unknown>[]; allOrNone?: unknown };
    if (endpoint === 'sobjects.collections.retrieve') {
      const sobject = canonicalObject(parts[2]!);
      const ids: string[] = input.ids ?? [];
      if (ids.length > 2000) return errorReply(endpoint, 400, 'EXCEEDED_ID_LIMIT', 'too many ids');
      return {
        status: 200,
        endpoint,
        body: ids.map((id) => {
          const r = isSalesforceId(id) ? org.get(sobject, id) : undefined;
          return r ? present(sobject, r, input.fields, version) : null;
        }),
      };
    }
    const records: Record<string, unknown>[] = input.records;
    if (!Array.isArray(records)) return errorReply(endpoint, 400, 'JSON_PARSER_ERROR', 'records is required');
    // "The list can contain up to 200 objects" (sObject Collections docs); the error body above 200 is unconfirmed.
    if (records.length > 200) return errorReply(endpoint, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const allOrNone = input.allOrNone === true;
    const snapshot = allOrNone ? snapshotOrg() : undefined;
    const results = records.map((record) => {
      const type = (record.attributes as { type?: string } | undefined)?.type ?? parts[2];
      try {
        if (!type) throw new RecordError('INVALID_TYPE', 'Must send a concrete entity type.', []);
        const sobject = canonicalObject(type);
        if (endpoint === 'sobjects.collections.create') return { id: org.create(sobject, record, write).Id, success: true, errors: [] };
        if (endpoint === 'sobjects.collections.update') {
          // Field names are case-insensitive in Salesforce; jsforce sends the record id as "id".
          const idKey = Object.keys(record).find((k) => k.toLowerCase() === 'id');
          const id = String(idKey ? record[idKey] : '');
          const fields = { ...record };
          if (idKey) delete fields[idKey];
          return { id: org.update(sobject, id, fields, write).Id, success: true, errors: [] };
        }
        // Upsert: "objects only of the type indicated in the request URI", each with its external ID.
        const urlType = canonicalObject(parts[2]!);
        if (sobject !== urlType) throw new RecordError('INVALID_TYPE', `records must be of type ${urlType}`, []);
        const field = parts[3]!;
        const value = record[fieldOf(urlType, field)?.name ?? field];
        if (value === undefined || value === null || value === '') throw new RecordError('MISSING_ARGUMENT', `${field} not specified`, [field]);
        const result = upsertOne(urlType, field, String(value), record, write);
        if ('multiple' in result) throw new RecordError('DUPLICATE_EXTERNAL_ID', `${field}: more than one record found for external id field: ${result.multiple.join(', ')}`, [field]);
        return { id: result.id, success: true, errors: [], created: result.created };
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        return { success: false, errors: [error.error] };
      }
    });
    if (allOrNone && results.some((r) => !r.success)) {
      restoreOrg(snapshot!);
      // test/fixtures/vendor/salesforce/composite_sobjects_failure_allOrNone_true.json
      return {
        status: 200,
        endpoint,
        body: results.map((r) =>
          r.success
            ? {
                id: r.id,
                success: false,
                errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
              }
            : r,
        ),
      };
    }
    return { status: 200, endpoint, body: results };
  }

  function snapshotOrg(): Map<string, Map<string, SfRecord>> {
    const copy = new Map<string, Map<string, SfRecord>>();
    for (const sobject of Object.keys(SCHEMA)) copy.set(sobject, new Map([...org.table(sobject)].map(([id, r]) => [id, { ...r }])));
    return copy;
  }

  function restoreOrg(copy: Map<string, Map<string, SfRecord>>): void {
    for (const [sobject, rows] of copy) {
      const table = org.table(sobject);
      table.clear();
      for (const [id, r] of rows) table.set(id, r);
    }
  }

  function describe(sobject: string, version: string) {
    if (!SCHEMA[sobject]) throw new RecordError('NOT_FOUND', `The requested resource does not exist`, [], 404);
    const info = objectInfo(sobject);
    // A multi-currency org's CurrencyIsoCode lists its active currencies, the corporate one the default.
    const picklist = (d: FieldDef) => (d.name === 'CurrencyIsoCode' ? (org.behaviour.currencies ?? []) : (d.picklistValues ?? []));
    const defaultOf = (d: FieldDef) => (d.name === 'CurrencyIsoCode' ? (org.behaviour.currencies?.[0] ?? null) : (d.defaultValue ?? null));
    return {
      name: sobject,
      label: info.label,
      keyPrefix: KEY_PREFIX[sobject] ?? null,
      createable: info.createable,
      updateable: info.updateable,
      deletable: info.deletable,
      queryable: true,
      custom: false,
      urls: { sobject: `/services/data/v${version}/sobjects/${sobject}`, describe: `/services/data/v${version}/sobjects/${sobject}/describe` },
      fields: fieldsIn(sobject, viewOf(version)).map((d) => ({
        name: d.name,
        label: d.label ?? d.name,
        type: d.type,
        length: d.length ?? 0,
        nillable: d.nillable ?? true,
        createable: d.createable ?? false,
        updateable: d.updateable ?? false,
        externalId: d.externalId ?? false,
        unique: d.unique ?? false,
        // Long text areas and history values (anyType) cannot be filtered on in SOQL.
        filterable: d.type !== 'textarea' && d.type !== 'anyType',
        custom: d.name.endsWith('__c'),
        defaultValue: defaultOf(d),
        defaultedOnCreate: defaultOf(d) !== null || ['Id', 'CreatedDate', 'OwnerId'].includes(d.name),
        picklistValues: picklist(d).map((value) => ({ value, label: value, active: true, defaultValue: value === defaultOf(d) })),
        restrictedPicklist: d.restricted === true,
        referenceTo: d.referenceTo ?? [],
        relationshipName: d.relationshipName ?? null,
      })),
      childRelationships: (CHILD_RELATIONSHIPS[sobject] ?? []).map((r) => ({ ...r, deprecatedAndHidden: false, restrictedDelete: false })),
    };
  }

  /** A person's save in Salesforce: no assignment rule, no duplicate-rule block (the page offers "save anyway"). */
  const actAs = (o: ActAs): WriteOptions => ({ autoAssign: false, allowDuplicateSave: true, userId: o.userId ?? directory.integrationUserId });

  const emulator: SalesforceEmulator = {
    system: 'salesforce',
    org,
    clock,
    async handle(request) {
      const path = request.url.pathname;
      if (path === '/services/oauth2/token' && request.method === 'POST') return oauth(request);
      if (path === '/services/data' || path === '/services/data/') {
        // Versions list; no Sforce-Limit-Info here (docs/salesforce-api.md#limits-and-errors).
        return { status: 200, endpoint: 'versions', body: ['58.0', '60.0', '62.0', '64.0', '66.0'].map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })) };
      }
      if (/^\/services\/Soap\/u\/\d{2,3}\.\d\/?$/.test(path) && request.method === 'POST') return soap(request);
      const match = /^\/services\/data\/v(\d{2,3}\.\d)\/(.*)$/.exec(path);
      if (!match) return path.startsWith('/services/') ? errorReply('unknown', 404, 'NOT_FOUND', 'The requested resource does not exist') : undefined;
      // Salesforce's front end refuses an over-long URI or header block before the API sees it (uri-limit.ts).
      return uriLimitReply(request, classify(request.method, match[2]!)) ?? rest(request, match[1]!, match[2]!);
    },
    credentials: () => ({ apiVersion, accessToken: fixedToken, refreshToken, clientId, clientSecret, username: INTEGRATION_USERNAME, privateKeyFile }),
    seedOrg(contacts) {
      seedOrg(org, contacts, options.seed, directory);
    },
    records: (sobject) => [...org.table(sobject).values()].filter((r) => !r.IsDeleted),
    insert: (sobject, fields) => org.insertRaw(sobject, fields).Id,
    update: (sobject, id, fields) => {
      const record = org.get(sobject, id);
      if (!record) throw new Error(`${sobject} ${id} not found`);
      Object.assign(record, fields, { LastModifiedDate: sfDate(clock.now()), SystemModstamp: sfDate(clock.now()) });
      org.invalidateIndexes();
    },
    convertLead(leadId, o = {}) {
      const userId = o.userId ?? directory.integrationUserId;
      const lead = org.get('Lead', leadId);
      // In Salesforce's convert page the owner defaults to the lead's, or to the converting user when a queue owns the lead.
      const ownerId = o.ownerId ?? (lead && sobjectOfId(String(lead.OwnerId)) === 'User' ? String(lead.OwnerId) : userId);
      const result = convertLead(org, { convertedStatus: 'Closed - Converted', ...o, leadId, ownerId }, userId, o.at);
      if (!result.success) throw new Error(`lead ${leadId} cannot be converted: ${result.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`);
      if (result.opportunityId && o.amount !== undefined) org.update('Opportunity', result.opportunityId, { Amount: o.amount }, actAs({ userId }), o.at);
      return { contactId: result.contactId!, accountId: result.accountId!, ...(result.opportunityId ? { opportunityId: result.opportunityId } : {}) };
    },
    create: (sobject, fields, o = {}) => org.create(sobject, fields, actAs(o), o.at).Id,
    edit(sobject, id, fields, o = {}) {
      org.update(sobject, isSalesforceId(id) ? toId18(id) : id, fields, actAs(o), o.at);
    },
    createOpportunity(fields, o = {}) {
      const at = o.at ?? clock.now();
      const userId = o.userId ?? directory.integrationUserId;
      return org.create('Opportunity', { StageName: 'Prospecting', CloseDate: sfDay(at + 30 * 86_400_000), OwnerId: userId, ...fields }, actAs({ userId }), at).Id;
    },
    closeOpportunity(id, won, o = {}) {
      org.update('Opportunity', id, { ...o.fields, StageName: won ? 'Closed Won' : 'Closed Lost' }, actAs(o), o.at);
    },
    setFieldHistoryTracking(sobject, field, on) {
      setFieldHistoryTracking(org, canonicalObject(sobject), field, on);
    },
    expireSessions() {
      sessions.clear();
    },
    apiUsage: () => ({ used, limit: dailyLimit }),
    async close() {
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
  return emulator;
}

function classify(method: string, path: string): string {
  if (path === 'composite' || path === 'composite/') return 'composite';
  if (path === 'limits' || path === 'limits/') return 'limits';
  if (path === 'query' || path === 'query/') return 'query';
  if (path === 'queryAll' || path === 'queryAll/') return 'queryAll';
  if (path.startsWith('query/')) return 'query.more';
  if (path === 'sobjects' || path === 'sobjects/') return 'sobjects.global';
  if (/^sobjects\/[^/]+\/describe\/?$/.test(path)) return 'sobjects.describe';
  if (path.startsWith('composite/sobjects')) {
    const rest = path.split('/').filter(Boolean);
    if (method === 'DELETE') return 'sobjects.collections.delete';
    if (rest.length === 2) return method === 'POST' ? 'sobjects.collections.create' : 'sobjects.collections.update';
    if (rest.length === 3 && method === 'POST') return 'sobjects.collections.retrieve';
    if (rest.length === 4 && method === 'PATCH') return 'sobjects.collections.upsert';
    return 'sobjects.collections.unknown';
  }
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'sobjects' && parts.length === 2 && method === 'POST') return 'sobject.create';
  if (parts[0] === 'sobjects' && parts.length === 3) return method === 'GET' ? 'sobject.get' : method === 'PATCH' ? 'sobject.update' : method === 'DELETE' ? 'sobject.delete' : 'sobject.unknown';
  if (parts[0] === 'sobjects' && parts.length === 4 && method === 'PATCH') return 'sobject.upsert';
  return 'unknown';
}

/**
 * The rows a WHERE clause can match, from the org's field indexes: `f = 'text'` and `f IN (...)`
 * directly, OR as the union of both sides, AND through whichever side narrows; undefined when the
 * clause offers no such handle (the caller scans).
 */
function candidateRows(org: Org, where: Where | undefined, sobject: string): SfRecord[] | undefined {
  if (!where) return undefined;
  // Ids are stored in their 18-character form; a query may name them by 15.
  const key = (field: string) => {
    const type = fieldOf(sobject, field)?.type;
    return (v: string) => ((type === 'id' || type === 'reference') && isSalesforceId(v) ? toId18(v) : v);
  };
  switch (where.kind) {
    case 'cmp':
      return where.op === '=' && typeof where.value === 'string' && !where.field.includes('.') ? org.candidates(sobject, where.field, [key(where.field)(where.value)]) : undefined;
    case 'in':
      return !where.negate && !where.field.includes('.') && where.values.every((v): v is string => typeof v === 'string')
        ? org.candidates(sobject, where.field, (where.values as string[]).map(key(where.field)))
        : undefined;
    case 'or': {
      const left = candidateRows(org, where.left, sobject);
      const right = left && candidateRows(org, where.right, sobject);
      return left && right ? [...new Set([...left, ...right])] : undefined;
    }
    case 'and':
      return candidateRows(org, where.left, sobject) ?? candidateRows(org, where.right, sobject);
    default:
      return undefined;
  }
}
