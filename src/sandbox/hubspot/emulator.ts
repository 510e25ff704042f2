import { setTimeout as sleep } from 'node:timers/promises';
import { realClock, type SandboxClock } from '../clock.ts';
import type { FaultInjector } from '../faults.ts';
import { generateContacts } from '../seed/contacts.ts';
import type { Emulator, SandboxReply, SandboxRequest } from '../types.ts';
import { sendWebhookBatch, type WebhookEvent } from '../webhook-sender.ts';
import { batchReply, checkBatchSize, newTraceId, notFoundError, readContacts, validateProperties } from './batch.ts';
import { createCrm, type CrmHelpers } from './crm.ts';
import { hubspotError, HubSpotReplyError, validationError } from './errors.ts';
import {
  defaultContactProperties,
  onlyDefined,
  toPortalOptions,
  vanillaContactProperties,
  VALID_TYPES,
  withPropertyOptions,
  type ContactPropertyOptions,
  type PropertyDefinition,
} from './properties.ts';
import { RATE_LIMIT_MESSAGES, RateLimiter, type RateLimitKind } from './rate-limits.ts';
import { present, runSearch, searchRequestSchema } from './search.ts';
import { ContactStore, type ChangeEvent, type ContactRecord, type Properties } from './store.ts';

export interface HubSpotEmulatorOptions {
  baseUrl: string;
  faults: FaultInjector;
  seed: number;
  /** The token it accepts. Default a fixed sandbox token. */
  accessToken?: string;
  /** Webhook signing secret. */
  clientSecret?: string;
  /** Per-token rolling 10 s budget; 0 disables. Default 190 (Professional/Enterprise). */
  tenSecondlyLimit?: number;
  /** Search requests per second; 0 disables. Default 5. */
  searchPerSecond?: number;
  /** Daily budget. Default 1,000,000 (Enterprise). */
  dailyLimit?: number;
  /** A write becomes searchable after this delay. Default 0 (tests set it to see the lag). */
  indexingLagMs?: number;
  /** Scopes the token lacks: calls needing them get 403 MISSING_SCOPES. */
  missingScopes?: string[];
  webhooks?: { targetUrl: string; batchDelayMs?: number; maxBatch?: number; signedUrl?: string };
  /** The currencies the portal has set up, the first its company currency (the deal property deal_currency_code's options). Default ['USD']. */
  currencies?: string[];
  /** The sandbox's clock (clock.ts): createdate, lastmodifieddate, updatedAt and webhook occurredAt read it. Default: real time. */
  clock?: SandboxClock;
  /**
   * A portal set up differently: these enumeration contact properties get exactly these options,
   * e.g. `{ lead_source: [{ label: 'Trade Show', value: 'Trade Show' }, …] }` (labels as internal
   * values). Seeded contacts carry their values over to these options.
   */
  contactPropertyOptions?: ContactPropertyOptions;
  /**
   * A vanilla portal: HubSpot's standard contact properties only (no lead_source, BANT or demo
   * properties); seeded contacts carry only what HubSpot itself records (traffic source and its
   * drill-downs, conversions, engagement).
   */
  vanillaPortal?: boolean;
}

export interface SeededContact {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** Companies, deals, pipelines and associations: see crm.ts. */
export interface HubSpotEmulator extends Emulator, CrmHelpers {
  readonly system: 'hubspot';
  credentials(): { accessToken: string; clientSecret: string };
  seedContacts(n: number): SeededContact[];
  createContact(properties: Record<string, string | null>, options?: { at?: Date }): SeededContact;
  updateContact(id: string, properties: Record<string, string | null>, options?: { at?: Date }): SeededContact;
  mergeContacts(primaryId: string, mergedId: string): void;
  deleteContact(id: string, options?: { privacy?: boolean }): void;
  getContact(id: string): SeededContact | undefined;
  setWebhookTarget(target: { targetUrl: string; clientSecret?: string; signedUrl?: string } | undefined): void;
  /** Every token issued so far stops working (a revoked app). */
  revokeToken(): void;
  /** Resolves when queued webhook batches have been delivered. */
  flushWebhooks(): Promise<void>;
  readonly store: ContactStore;
  readonly clock: SandboxClock;
  close(): Promise<void>;
}

const PORTAL_ID = 62515;
const APP_ID = 54321;
const CONTACT_SCOPE = 'crm.objects.contacts.read';

export async function createHubSpotEmulator(options: HubSpotEmulatorOptions): Promise<HubSpotEmulator> {
  const accessToken = options.accessToken ?? 'pat-na1-sandbox-0000-leadloop';
  let clientSecret = options.clientSecret ?? 'sandbox-client-secret-leadloop';
  const clock = options.clock ?? realClock();
  const definitions = withPropertyOptions(options.vanillaPortal ? vanillaContactProperties() : defaultContactProperties(), options.contactPropertyOptions);
  const store = new ContactStore(definitions, options.indexingLagMs ?? 0, clock);
  const limiter = new RateLimiter({
    tenSecondlyLimit: options.tenSecondlyLimit ?? 190,
    searchPerSecond: options.searchPerSecond ?? 5,
    dailyLimit: options.dailyLimit ?? 1_000_000,
  });
  const crm = createCrm({ contacts: store, baseUrl: options.baseUrl, clock, ...(options.currencies ? { currencies: options.currencies } : {}) });
  const faults = options.faults;
  let calls = 0;
  let revoked = false;
  let webhookTarget = options.webhooks ? { ...options.webhooks } : undefined;
  let pending: WebhookEvent[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const deliveries = new Set<Promise<unknown>>();
  let eventId = 1;

  store.onChange = (change: ChangeEvent) => {
    if (!webhookTarget) return;
    pending.push(toEvent(change));
    const max = webhookTarget.maxBatch ?? 100;
    if (pending.length >= max) flush();
    else flushTimer ??= setTimeout(flush, webhookTarget.batchDelayMs ?? 50);
  };

  function toEvent(change: ChangeEvent): WebhookEvent {
    const base = { eventId: eventId++, subscriptionId: 1000, portalId: PORTAL_ID, appId: APP_ID, occurredAt: change.at, attemptNumber: 0, objectId: Number(change.objectId), changeSource: 'CRM' };
    switch (change.kind) {
      case 'creation':
        return { ...base, subscriptionType: 'contact.creation', changeFlag: 'NEW' };
      case 'propertyChange':
        return { ...base, subscriptionType: 'contact.propertyChange', propertyName: change.propertyName!, propertyValue: change.propertyValue ?? '' };
      case 'deletion':
        return { ...base, subscriptionType: 'contact.deletion', changeFlag: 'DELETED' };
      case 'privacyDeletion':
        return { ...base, subscriptionType: 'contact.privacyDeletion', changeFlag: 'DELETED' };
      case 'merge':
        return {
          ...base,
          subscriptionType: 'contact.merge',
          primaryObjectId: Number(change.objectId),
          mergedObjectIds: (change.mergedObjectIds ?? []).map(Number),
          newObjectId: Number(change.objectId),
        };
    }
  }

  function flush(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!webhookTarget || pending.length === 0) return;
    const target = webhookTarget;
    const max = target.maxBatch ?? 100;
    while (pending.length > 0) {
      const batch = pending.splice(0, max);
      const delivery = sendWebhookBatch(batch, { clientSecret, targetUrl: target.targetUrl, ...(target.signedUrl ? { signedUrl: target.signedUrl } : {}) });
      deliveries.add(delivery);
      void delivery.finally(() => deliveries.delete(delivery));
    }
  }

  const json = (request: SandboxRequest, endpoint: string): Record<string, unknown> => {
    if (request.rawBody.length === 0) return {};
    try {
      const parsed = JSON.parse(request.rawBody.toString('utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new HubSpotReplyError(hubspotError(endpoint, 400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not a JSON object'));
  };

  const inputsOf = (body: Record<string, unknown>, endpoint: string): Record<string, unknown>[] => {
    if (!Array.isArray(body.inputs)) throw new HubSpotReplyError(validationError(endpoint, 'inputs is required and must be an array', 'INVALID_INPUTS'));
    checkBatchSize(endpoint, body.inputs);
    return body.inputs as Record<string, unknown>[];
  };

  async function route(request: SandboxRequest, endpoint: string, path: string, kind: RateLimitKind, scopes: string[]): Promise<SandboxReply> {
    calls += 1;
    const auth = request.headers.authorization ?? '';
    if (revoked || auth !== `Bearer ${accessToken}`) {
      return hubspotError(
        endpoint,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    }
    if (faults.options.sessionExpiryAfterCalls !== undefined && calls > faults.options.sessionExpiryAfterCalls) {
      return hubspotError(endpoint, 401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    }
    const lacking = scopes.filter((scope) => options.missingScopes?.includes(scope));
    if (lacking.length > 0) {
      return hubspotError(
        endpoint,
        403,
        'MISSING_SCOPES',
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        {
          errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: lacking } }],
          links: { scopes: 'https://developers.hubspot.com/scopes' },
        },
      );
    }
    const dailyExhausted = faults.options.dailyLimitAfterCalls !== undefined && calls > faults.options.dailyLimitAfterCalls;
    // Rate-limit windows are the caller's wall clock, not the portal's data: real time.
    const verdict = limiter.admit(accessToken, kind, Date.now(), dailyExhausted);
    if (!verdict.ok) {
      // 429 body: test/fixtures/vendor/hubspot/error_429_daily.json; the search policyName "SECONDLY" is unconfirmed.
      // Retry-After is not documented for HubSpot 429s: the sandbox does not send it.
      return {
        ...hubspotError(endpoint, 429, 'RATE_LIMITS', RATE_LIMIT_MESSAGES[verdict.policy], { errorType: 'RATE_LIMIT', policyName: verdict.policy, requestId: newTraceId() }),
        headers: verdict.headers,
      };
    }
    const fault = faults.decide();
    if (fault.kind === 'hang') return { status: 0, endpoint, hang: true };
    if (fault.kind === 'rate-limit') {
      return { ...hubspotError(endpoint, 429, 'RATE_LIMITS', RATE_LIMIT_MESSAGES.TEN_SECONDLY_ROLLING, { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }), headers: verdict.headers };
    }
    if (fault.kind === 'server-error') return hubspotError(endpoint, fault.status, 'INTERNAL_ERROR', 'internal error (injected by the sandbox)');
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    try {
      const reply = handle(request, endpoint, path);
      // Carried out, answer lost on the way back: the client sees a call that never answers.
      if (fault.kind === 'lost-answer') return { status: 0, endpoint, hang: true };
      if (fault.kind === 'partial-body') return { ...reply, partial: fault.ending };
      return { ...reply, headers: { ...verdict.headers, ...reply.headers } };
    } catch (error) {
      if (error instanceof HubSpotReplyError) return { ...error.reply, headers: { ...verdict.headers, ...error.reply.headers } };
      throw error;
    }
  }

  function handle(request: SandboxRequest, endpoint: string, path: string): SandboxReply {
    const now = clock.now();
    const started = new Date(now).toISOString();
    const q = request.url.searchParams;
    const listParam = (name: string) =>
      q
        .getAll(name)
        .flatMap((v) => v.split(','))
        .filter(Boolean);
    const contactsPrefix = '/crm/v3/objects/contacts';
    const propsPrefix = '/crm/v3/properties/contacts';
    const crmRoute = crm.match(request.method, path);
    if (crmRoute) return crm.handle(request, crmRoute, now);

    if (endpoint === 'contacts.search') {
      const parsed = searchRequestSchema.safeParse(json(request, endpoint));
      if (!parsed.success)
        throw new HubSpotReplyError(validationError(endpoint, `Invalid search request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'INVALID_REQUEST'));
      return { status: 200, endpoint, body: runSearch(parsed.data, store.searchView(now), store.definitions) };
    }
    if (endpoint === 'contacts.list') {
      const limit = Number(q.get('limit') ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HubSpotReplyError(validationError(endpoint, `limit must be between 1 and 100, was ${q.get('limit')}`, 'INVALID_LIMIT'));
      const after = q.get('after');
      const all = store.all();
      const start = after ? all.findIndex((c) => Number(c.id) > Number(after)) : 0;
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const properties = listParam('properties');
      const last = page.at(-1);
      const hasMore = start >= 0 && start + limit < all.length;
      return {
        status: 200,
        endpoint,
        body: {
          results: page.map((c) => present(c, properties.length > 0 ? properties : ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'])),
          ...(hasMore && last ? { paging: { next: { after: last.id, link: `${options.baseUrl}${contactsPrefix}?after=${last.id}` } } } : {}),
        },
      };
    }
    if (endpoint === 'contacts.get') {
      const id = decodeURIComponent(path.slice(contactsPrefix.length + 1));
      const contact = q.get('idProperty') === 'email' ? store.findByEmail(id) : store.get(id);
      if (!contact) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [id] } });
      const properties = listParam('properties');
      return { status: 200, endpoint, body: present(contact, properties.length > 0 ? properties : ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']) };
    }
    if (endpoint === 'contacts.create') {
      const body = json(request, endpoint);
      const properties = validateProperties(endpoint, (body.properties as Record<string, unknown>) ?? {}, store.definitions);
      if (properties.email && store.findByEmail(properties.email)) {
        return hubspotError(endpoint, 409, 'CONFLICT', `Contact already exists. Existing ID: ${store.findByEmail(properties.email)!.id}`);
      }
      return { status: 201, endpoint, body: present(store.create(properties, now), [...Object.keys(properties), 'createdate', 'hs_object_id', 'lastmodifieddate']) };
    }
    if (endpoint === 'contacts.update') {
      const id = path.slice(contactsPrefix.length + 1);
      if (!store.get(id)) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.', { context: { id: [id] } });
      const properties = validateProperties(endpoint, (json(request, endpoint).properties as Record<string, unknown>) ?? {}, store.definitions);
      const updated = store.update(id, properties, now);
      return { status: 200, endpoint, body: present(updated, [...Object.keys(properties), 'createdate', 'hs_object_id', 'lastmodifieddate']) };
    }
    if (endpoint === 'contacts.archive') {
      store.archive(path.slice(contactsPrefix.length + 1), now);
      return { status: 204, endpoint };
    }
    if (endpoint === 'contacts.batch.read') {
      const body = json(request, endpoint);
      const inputs = inputsOf(body, endpoint) as { id: string }[];
      const { results, errors } = readContacts(store, inputs, (body.properties as string[]) ?? [], body.idProperty as string | undefined);
      return batchReply(endpoint, started, results, errors);
    }
    if (endpoint === 'contacts.batch.update') {
      const inputs = inputsOf(json(request, endpoint), endpoint);
      const ids = inputs.map((i) => String(i.id));
      if (new Set(ids).size !== ids.length) throw new HubSpotReplyError(validationError(endpoint, 'Duplicate IDs found in batch input', 'DUPLICATE_IDS'));
      // Validation refuses the whole batch (400) before anything is written.
      const validated = inputs.map((i) => validateProperties(endpoint, (i.properties as Record<string, unknown>) ?? {}, store.definitions));
      const missing = ids.filter((id) => !store.get(id));
      const results = ids.flatMap((id, n) => (store.get(id) ? [present(store.update(id, validated[n]!, now), [...Object.keys(validated[n]!), 'hs_object_id', 'lastmodifieddate'])] : []));
      // Assumption: unknown ids answer 207 OBJECT_NOT_FOUND, like batch/read (test/fixtures/vendor/hubspot/batch_read_207.json).
      return batchReply(endpoint, started, results, missing.length > 0 ? [notFoundError(missing)] : []);
    }
    if (endpoint === 'contacts.batch.create') {
      const inputs = inputsOf(json(request, endpoint), endpoint);
      const results = [];
      const errors = [];
      const validated = inputs.map((i) => ({
        traceId: i.objectWriteTraceId as string | undefined,
        props: validateProperties(endpoint, (i.properties as Record<string, unknown>) ?? {}, store.definitions),
      }));
      for (const { traceId, props } of validated) {
        const existing = props.email ? store.findByEmail(props.email) : undefined;
        if (existing) {
          // With objectWriteTraceId a failure is reported per input (207); without, the batch fails (test/fixtures/vendor/hubspot/batch_create_207_multistatus.json).
          if (!traceId) return hubspotError(endpoint, 409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
          errors.push({ status: 'error', category: 'CONFLICT', message: `Contact already exists. Existing ID: ${existing.id}`, context: { objectWriteTraceId: [traceId] }, errors: [], links: {} });
          continue;
        }
        results.push(present(store.create(props, now), [...Object.keys(props), 'createdate', 'hs_object_id', 'lastmodifieddate']));
      }
      return batchReply(endpoint, started, results, errors, 201);
    }
    if (endpoint === 'contacts.batch.upsert') {
      const inputs = inputsOf(json(request, endpoint), endpoint);
      const results = inputs.map((i) => {
        const idProperty = (i.idProperty as string | undefined) ?? 'hs_object_id';
        const props = validateProperties(endpoint, (i.properties as Record<string, unknown>) ?? {}, store.definitions);
        const key = String(i.id);
        const existing = idProperty === 'email' ? store.findByEmail(key) : store.get(key);
        const record: ContactRecord = existing ? store.update(existing.id, props, now) : store.create(idProperty === 'email' ? { ...props, email: key } : props, now);
        return { ...present(record, [...Object.keys(props), 'hs_object_id', 'lastmodifieddate']), new: !existing };
      });
      return batchReply(endpoint, started, results, []);
    }
    if (endpoint === 'contacts.batch.archive') {
      for (const i of inputsOf(json(request, endpoint), endpoint)) store.archive(String(i.id), now);
      return { status: 204, endpoint };
    }
    if (endpoint === 'contacts.merge') {
      const body = json(request, endpoint);
      const primary = String(body.primaryObjectId ?? '');
      const other = String(body.objectIdToMerge ?? '');
      if (!store.get(primary) || !store.get(other)) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.', { context: { id: [primary, other] } });
      return { status: 200, endpoint, body: present(store.merge(primary, other, now), ['email', 'firstname', 'lastname', 'hs_object_id', 'lastmodifieddate']) };
    }
    if (endpoint === 'contacts.gdpr-delete') {
      const body = json(request, endpoint);
      const target = body.idProperty === 'email' ? store.findByEmail(String(body.objectId)) : store.get(String(body.objectId));
      if (!target) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.');
      store.archive(target.id, now, 'privacyDeletion');
      return { status: 204, endpoint };
    }
    if (endpoint === 'properties.list') {
      return { status: 200, endpoint, body: { results: [...store.definitions.values()].map(presentProperty) } };
    }
    if (endpoint === 'properties.get') {
      const name = path.slice(propsPrefix.length + 1);
      const definition = store.definitions.get(name);
      if (!definition) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${name}`);
      return { status: 200, endpoint, body: presentProperty(definition) };
    }
    if (endpoint === 'properties.create') {
      return { status: 201, endpoint, body: presentProperty(createProperty(json(request, endpoint), endpoint)) };
    }
    if (endpoint === 'properties.batch.create') {
      const inputs = inputsOf(json(request, endpoint), endpoint);
      return batchReply(
        endpoint,
        started,
        inputs.map((i) => presentProperty(createProperty(i, endpoint))),
        [],
        201,
      );
    }
    if (endpoint === 'properties.groups.list') {
      return { status: 200, endpoint, body: { results: [...store.groups.values()] } };
    }
    if (endpoint === 'properties.groups.create') {
      const body = json(request, endpoint);
      const name = String(body.name ?? '');
      if (!/^[a-z0-9_]+$/.test(name)) throw new HubSpotReplyError(validationError(endpoint, 'name must be lower case letters, digits and _', 'INVALID_NAME'));
      if (store.groups.has(name)) return hubspotError(endpoint, 409, 'OBJECT_ALREADY_EXISTS', `A property group named ${name} already exists.`);
      const group = { name, label: String(body.label ?? name), displayOrder: Number(body.displayOrder ?? -1) };
      store.groups.set(name, group);
      return { status: 201, endpoint, body: group };
    }
    return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `sandbox: ${request.method} ${path} is not emulated`);
  }

  function createProperty(body: Record<string, unknown>, endpoint: string): PropertyDefinition {
    const name = String(body.name ?? '');
    if (!/^[a-z][a-z0-9_]*$/.test(name))
      throw new HubSpotReplyError(validationError(endpoint, `Property name "${name}" must start with a letter and hold lower case letters, digits and _`, 'INVALID_PROPERTY_NAME'));
    if (store.definitions.has(name)) {
      // Duplicate property: 409 (issue 3; exact body per HubSpot's CONFLICT shape).
      throw new HubSpotReplyError(hubspotError(endpoint, 409, 'OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`, { context: { name: [name] } }));
    }
    const type = String(body.type ?? '');
    if (!VALID_TYPES.has(type)) throw new HubSpotReplyError(validationError(endpoint, `type must be one of ${[...VALID_TYPES].join(', ')}`, 'INVALID_TYPE'));
    const groupName = String(body.groupName ?? '');
    if (!store.groups.has(groupName)) throw new HubSpotReplyError(validationError(endpoint, `Property group ${groupName} does not exist`, 'INVALID_GROUP'));
    const definition: PropertyDefinition = {
      name,
      label: String(body.label ?? name),
      type: type as PropertyDefinition['type'],
      fieldType: String(body.fieldType ?? 'text'),
      groupName,
      hubspotDefined: false,
      ...(Array.isArray(body.options) ? { options: body.options as { label: string; value: string }[] } : {}),
      ...(body.hasUniqueValue ? { hasUniqueValue: true } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
    };
    store.definitions.set(name, definition);
    return definition;
  }

  const emulator: HubSpotEmulator = {
    system: 'hubspot',
    store,
    clock,
    async handle(request) {
      const path = request.url.pathname;
      if (!path.startsWith('/crm/')) return undefined;
      const classified = classify(request.method, path);
      if (classified) return route(request, classified, path, classified === 'contacts.search' ? 'search' : 'standard', [CONTACT_SCOPE]);
      const crmRoute = crm.match(request.method, path);
      if (crmRoute) return route(request, crmRoute.endpoint, path, crmRoute.limit ?? 'standard', crmRoute.scopes);
      return hubspotError('unknown', 404, 'OBJECT_NOT_FOUND', `sandbox: ${request.method} ${path} is not emulated`);
    },
    ...crm.helpers,
    credentials: () => ({ accessToken, clientSecret }),
    seedContacts(n) {
      const generated = generateContacts(n, options.seed, clock.now());
      return generated.map(({ properties, at }) => snapshot(store.create(onlyDefined(toPortalOptions(properties, options.contactPropertyOptions), definitions), at, { silent: true })));
    },
    createContact: (properties, o) => snapshot(store.create(properties, o?.at?.getTime() ?? clock.now())),
    updateContact: (id, properties, o) => snapshot(store.update(id, properties, o?.at?.getTime() ?? clock.now())),
    mergeContacts: (primaryId, mergedId) => void store.merge(primaryId, mergedId, clock.now()),
    deleteContact: (id, o) => void store.archive(id, clock.now(), o?.privacy ? 'privacyDeletion' : 'deletion'),
    getContact: (id) => {
      const c = store.get(id);
      return c ? snapshot(c) : undefined;
    },
    setWebhookTarget(target) {
      webhookTarget = target ? { targetUrl: target.targetUrl, ...(target.signedUrl ? { signedUrl: target.signedUrl } : {}) } : undefined;
      if (target?.clientSecret) clientSecret = target.clientSecret;
    },
    revokeToken: () => {
      revoked = true;
    },
    async flushWebhooks() {
      flush();
      await Promise.all([...deliveries]);
    },
    async close() {
      if (flushTimer) clearTimeout(flushTimer);
      pending = [];
      await Promise.allSettled([...deliveries]);
    },
  };
  return emulator;
}

function snapshot(c: ContactRecord): SeededContact {
  return { id: c.id, properties: { ...c.properties }, createdAt: c.createdAt, updatedAt: c.updatedAt, archived: c.archived };
}

function presentProperty(d: PropertyDefinition) {
  return {
    name: d.name,
    label: d.label,
    type: d.type,
    fieldType: d.fieldType,
    groupName: d.groupName,
    description: d.description ?? '',
    options: (d.options ?? []).map((o, displayOrder) => ({ label: o.label, value: o.value, displayOrder, hidden: false })),
    hasUniqueValue: d.hasUniqueValue ?? false,
    hidden: false,
    hubspotDefined: d.hubspotDefined ?? false,
    modificationMetadata: { archivable: !d.hubspotDefined, readOnlyDefinition: d.hubspotDefined ?? false, readOnlyValue: d.readOnly ?? false },
    formField: !d.readOnly,
    archived: false,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

/** Operation names for the request log, from method and path. */
function classify(method: string, path: string): string | undefined {
  const contacts = '/crm/v3/objects/contacts';
  const props = '/crm/v3/properties/contacts';
  if (path === `${contacts}/search` && method === 'POST') return 'contacts.search';
  if (path === contacts && method === 'GET') return 'contacts.list';
  if (path === contacts && method === 'POST') return 'contacts.create';
  if (path === `${contacts}/merge` && method === 'POST') return 'contacts.merge';
  if (path === `${contacts}/gdpr-delete` && method === 'POST') return 'contacts.gdpr-delete';
  const batch = /^\/crm\/v3\/objects\/contacts\/batch\/(read|create|update|upsert|archive)$/.exec(path);
  if (batch && method === 'POST') return `contacts.batch.${batch[1]}`;
  if (path.startsWith(`${contacts}/`) && !path.slice(contacts.length + 1).includes('/')) {
    if (method === 'GET') return 'contacts.get';
    if (method === 'PATCH') return 'contacts.update';
    if (method === 'DELETE') return 'contacts.archive';
  }
  if (path === props && method === 'GET') return 'properties.list';
  if (path === props && method === 'POST') return 'properties.create';
  if (path === `${props}/batch/create` && method === 'POST') return 'properties.batch.create';
  if (path === `/crm/v3/properties/contacts/groups` && method === 'GET') return 'properties.groups.list';
  if (path === `/crm/v3/properties/contacts/groups` && method === 'POST') return 'properties.groups.create';
  if (path.startsWith(`${props}/`) && method === 'GET' && !path.slice(props.length + 1).includes('/')) return 'properties.get';
  return undefined;
}

export type { Properties };
