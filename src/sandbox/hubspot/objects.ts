import type { SandboxReply } from '../types.ts';
import { inlineAssociations, v3Associations, type AssociationsContext, type InlineAssociation } from './associations.ts';
import { BATCH_LIMIT, batchReply, validateProperties } from './batch.ts';
import { batchInputs } from './body.ts';
import { DEFAULT_COMPANY_PROPERTIES } from './companies.ts';
import { checkDeal, DEFAULT_DEAL_PROPERTIES } from './deals.ts';
import { HubSpotReplyError, hubspotError, validationError } from './errors.ts';
import { inputError, objectsNotFound, uniqueValueConflict } from './object-errors.ts';
import type { CrmRecord, ObjectStore } from './object-store.ts';
import { OBJECT_TYPES, objectTypeOf, type CrmObjectType } from './object-types.ts';
import type { Pipeline } from './pipelines.ts';
import { present, runSearch, searchRequestSchema } from './search.ts';
import type { Properties } from './store.ts';

/**
 * The v3 object endpoints for companies and deals (`/crm/v3/objects/{companies|deals}`): read by
 * id, list, create, update, archive, and batch read/create/update/upsert/archive, shaped as the
 * contact endpoints are (docs/hubspot-api.md#batch, #crm-objects).
 */
export type ObjectType = 'companies' | 'deals';

export interface ObjectsContext {
  stores: Record<ObjectType, ObjectStore>;
  associations: AssociationsContext;
  pipelines: Pipeline[];
  baseUrl: string;
}

const SYSTEM = ['createdate', 'hs_lastmodifieddate', 'hs_object_id'];

function defaultsOf(type: ObjectType): string[] {
  return type === 'deals' ? DEFAULT_DEAL_PROPERTIES : DEFAULT_COMPANY_PROPERTIES;
}

/** The properties a write answers with: the ones written and the system ones. */
function written(properties: Properties): string[] {
  return [...new Set([...Object.keys(properties), ...SYSTEM])];
}

function list(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** What a read answers with: the asked properties (or the type's defaults) and any asked associations. */
function presentRead(ctx: ObjectsContext, type: ObjectType, record: CrmRecord, properties: string[], associations: CrmObjectType[]) {
  const body = present(record, properties.length > 0 ? properties : defaultsOf(type));
  const linked = associations.length > 0 ? v3Associations(ctx.associations.store, type, record.id, associations) : {};
  return Object.keys(linked).length > 0 ? { ...body, associations: linked } : body;
}

/**
 * The property an input's id is a value of: `hs_object_id` (the record id) when none is named,
 * else a `hasUniqueValue` property. A batch update or upsert naming any other property, or naming
 * `hs_object_id` itself, is refused with "Unable to perform update/upsert by non-unique …"
 * (third-party captures, docs/hubspot-api.md#unique-value-properties): the record id goes in `id`
 * with no idProperty. Reads keep accepting `hs_object_id`; their refusal's wording is unconfirmed.
 */
function idPropertyOf(endpoint: string, store: ObjectStore, idProperty: unknown, batchWrite = false): string {
  const named = typeof idProperty === 'string' && idProperty !== '';
  const name = named ? idProperty : 'hs_object_id';
  if (batchWrite && (!store.isUnique(name) || name === 'hs_object_id') && named) {
    throw new HubSpotReplyError(
      validationError(endpoint, `Unable to perform update/upsert by non-unique ${OBJECT_TYPES[store.type].typeId} property ${name} in portal ID ${SANDBOX_PORTAL_ID}`, 'INVALID_ID_PROPERTY', {
        propertyName: [name],
      }),
    );
  }
  if (!store.isUnique(name)) {
    throw new HubSpotReplyError(validationError(endpoint, `${name} is not a unique identifier property of ${store.type}`, 'INVALID_ID_PROPERTY', { propertyName: [name] }));
  }
  return name;
}

/** The sandbox portal's id (the one its webhooks carry, emulator.ts). */
const SANDBOX_PORTAL_ID = 62515;

/** One input's planned write, or the refusal it gets. */
type Planned = { ok: true; properties: Properties; existing?: CrmRecord; associations: InlineAssociation[] } | { ok: false; error: HubSpotReplyError };

/**
 * Checks one write against the object's rules without writing: properties (unknown, read-only,
 * options), the deal rules, unique values held by other records or claimed earlier in the batch,
 * and inline associations.
 */
function plan(
  ctx: ObjectsContext,
  type: ObjectType,
  endpoint: string,
  input: { properties: unknown; associations?: unknown },
  existing: CrmRecord | undefined,
  claimed: Map<string, object>,
  extra: Properties = {},
): Planned {
  const store = ctx.stores[type];
  try {
    const properties = { ...validateProperties(endpoint, (input.properties as Record<string, unknown>) ?? {}, store.definitions), ...extra };
    if (type === 'deals') checkDeal(endpoint, ctx.pipelines, properties, existing?.properties);
    const conflict = store.conflict(properties, existing?.id);
    if (conflict) throw uniqueValueConflict(endpoint, type, conflict);
    for (const [property, value] of Object.entries(properties)) {
      if (value === null || value === '' || property === 'hs_object_id' || !store.isUnique(property)) continue;
      const key = `${property}\u0000${value}`;
      // The claimant: the record updated, or this create's own input.
      const owner = existing ?? input;
      if (claimed.has(key) && claimed.get(key) !== owner) {
        throw new HubSpotReplyError(validationError(endpoint, `Two inputs give the unique property ${property} the value "${value}"`, 'DUPLICATE_UNIQUE_VALUE', { propertyName: [property] }));
      }
      claimed.set(key, owner);
    }
    const associations = existing ? [] : inlineAssociations(ctx.associations, endpoint, type, input.associations);
    return { ok: true, properties, ...(existing ? { existing } : {}), associations };
  } catch (error) {
    if (error instanceof HubSpotReplyError) return { ok: false, error };
    throw error;
  }
}

/** One create or update as the API would make it (helpers for tests and simulators); throws HubSpotReplyError when refused. */
export function writeObject(ctx: ObjectsContext, type: ObjectType, endpoint: string, input: { properties: unknown; associations?: unknown }, existing: CrmRecord | undefined, now: number): CrmRecord {
  const p = plan(ctx, type, endpoint, input, existing, new Map());
  if (!p.ok) throw p.error;
  return apply(ctx, type, p, now);
}

/** Writes a planned input: creates or updates, then adds its inline associations. */
function apply(ctx: ObjectsContext, type: ObjectType, p: Extract<Planned, { ok: true }>, now: number): CrmRecord {
  const store = ctx.stores[type];
  const record = p.existing ? store.update(p.existing.id, p.properties, now) : store.create(p.properties, now);
  for (const a of p.associations) ctx.associations.store.add(type, record.id, a.to, a.toId, a.typeIds);
  return record;
}

/**
 * A batch write: every input is checked before anything is written. An input that fails and
 * carries an `objectWriteTraceId` becomes one error of a 207 (the documented multi-status); one
 * without fails the whole batch with its own error, and nothing is written.
 */
function runBatch(
  endpoint: string,
  started: string,
  planned: { traceId: string | undefined; planned: Planned }[],
  write: (p: Extract<Planned, { ok: true }>) => unknown,
  extraErrors: unknown[],
  okStatus: number,
): SandboxReply {
  const errors: unknown[] = [...extraErrors];
  for (const { traceId, planned: p } of planned) {
    if (p.ok) continue;
    if (!traceId) throw p.error;
    errors.push(inputError(p.error.reply, traceId));
  }
  const results = planned.flatMap(({ planned: p }) => (p.ok ? [write(p)] : []));
  return batchReply(endpoint, started, results, errors, okStatus);
}

const traceOf = (input: Record<string, unknown>) => (typeof input.objectWriteTraceId === 'string' ? input.objectWriteTraceId : undefined);

export function handleObjects(
  ctx: ObjectsContext,
  endpoint: string,
  type: ObjectType,
  id: string | undefined,
  body: Record<string, unknown>,
  query: URLSearchParams,
  now: number,
  started: string,
): SandboxReply {
  const store = ctx.stores[type];
  const action = endpoint.slice(type.length + 1);
  const archived = query.get('archived') === 'true';
  const associations = list(query, 'associations').flatMap((name) => objectTypeOf(name) ?? []);
  const notFound = (missing: string) => hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [missing] } });

  switch (action) {
    case 'list': {
      const limit = Number(query.get('limit') ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HubSpotReplyError(validationError(endpoint, `limit must be between 1 and 100, was ${query.get('limit')}`, 'INVALID_LIMIT'));
      const after = query.get('after');
      const all = store.all(archived);
      const start = after ? all.findIndex((r) => Number(r.id) > Number(after)) : 0;
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const last = page.at(-1);
      const more = start >= 0 && start + limit < all.length;
      return {
        status: 200,
        endpoint,
        body: {
          results: page.map((r) => presentRead(ctx, type, r, list(query, 'properties'), associations)),
          ...(more && last ? { paging: { next: { after: last.id, link: `${ctx.baseUrl}/crm/v3/objects/${type}?after=${last.id}` } } } : {}),
        },
      };
    }
    case 'get': {
      const idProperty = idPropertyOf(endpoint, store, query.get('idProperty'));
      const record = idProperty === 'hs_object_id' ? store.get(id!, archived) : store.findBy(idProperty, id!);
      if (!record) return notFound(id!);
      return { status: 200, endpoint, body: presentRead(ctx, type, record, list(query, 'properties'), associations) };
    }
    case 'create': {
      const record = writeObject(ctx, type, endpoint, { properties: body.properties, associations: body.associations }, undefined, now);
      return { status: 201, endpoint, body: present(record, written((body.properties as Properties) ?? {})) };
    }
    case 'update': {
      const idProperty = idPropertyOf(endpoint, store, query.get('idProperty'));
      const existing = store.findBy(idProperty, id!);
      if (!existing) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.', { context: { id: [id!] } });
      const record = writeObject(ctx, type, endpoint, { properties: body.properties }, existing, now);
      return { status: 200, endpoint, body: present(record, written((body.properties as Properties) ?? {})) };
    }
    case 'search': {
      // `POST /crm/v3/objects/{type}/search`: the contact search's request, limits and paging
      // (docs/hubspot-api.md#search) over this type's records, each result with this type's
      // properties; search sees a change at once here (no indexing lag for companies and deals).
      const parsed = searchRequestSchema.safeParse(body);
      if (!parsed.success)
        throw new HubSpotReplyError(validationError(endpoint, `Invalid search request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'INVALID_REQUEST'));
      const asked = parsed.data.properties ?? [];
      const properties = asked.length > 0 ? [...new Set([...asked, 'hs_object_id', 'createdate', 'hs_lastmodifieddate'])] : defaultsOf(type);
      try {
        const answer = runSearch(parsed.data, store.all(), store.definitions);
        return { status: 200, endpoint, body: { ...answer, results: answer.results.map((r) => present(store.get(r.id)!, properties)) } };
      } catch (error) {
        if (error instanceof HubSpotReplyError) throw new HubSpotReplyError({ ...error.reply, endpoint });
        throw error;
      }
    }
    case 'archive':
      store.archive(id!, now);
      return { status: 204, endpoint };
    case 'batch.read': {
      const inputs = batchInputs(body, endpoint, BATCH_LIMIT);
      const idProperty = idPropertyOf(endpoint, store, body.idProperty);
      const asked = Array.isArray(body.properties) ? (body.properties as string[]) : [];
      const results = [];
      const missing: string[] = [];
      for (const input of inputs) {
        const key = String(input.id ?? '');
        const record = idProperty === 'hs_object_id' ? store.get(key, archived) : store.findBy(idProperty, key);
        if (!record) missing.push(key);
        // Batch read always returns hs_object_id, createdate and the modified date (batch_read_207.json).
        else results.push(present(record, asked.length > 0 ? [...new Set([...asked, ...SYSTEM])] : defaultsOf(type)));
      }
      return batchReply(endpoint, started, results, missing.length > 0 ? [objectsNotFound(type, missing)] : []);
    }
    case 'batch.create': {
      const claimed = new Map<string, object>();
      const planned = batchInputs(body, endpoint, BATCH_LIMIT).map((input) => ({
        traceId: traceOf(input),
        planned: plan(ctx, type, endpoint, { properties: input.properties, associations: input.associations }, undefined, claimed),
      }));
      return runBatch(endpoint, started, planned, (p) => present(apply(ctx, type, p, now), written(p.properties)), [], 201);
    }
    case 'batch.update': {
      const inputs = batchInputs(body, endpoint, BATCH_LIMIT);
      const ids = inputs.map((i) => String(i.id ?? ''));
      if (new Set(ids).size !== ids.length) throw new HubSpotReplyError(validationError(endpoint, 'Duplicate IDs found in batch input', 'DUPLICATE_IDS'));
      const claimed = new Map<string, object>();
      const missing: string[] = [];
      const planned = inputs.flatMap((input, n) => {
        const existing = store.findBy(idPropertyOf(endpoint, store, input.idProperty, true), ids[n]!);
        if (!existing) {
          missing.push(ids[n]!);
          return [];
        }
        return [{ traceId: traceOf(input), planned: plan(ctx, type, endpoint, { properties: input.properties }, existing, claimed) }];
      });
      // Unknown ids answer 207 OBJECT_NOT_FOUND, as the contact batch update does (an assumption there too).
      return runBatch(endpoint, started, planned, (p) => present(apply(ctx, type, p, now), written(p.properties)), missing.length > 0 ? [objectsNotFound(type, missing)] : [], 200);
    }
    case 'batch.upsert': {
      const inputs = batchInputs(body, endpoint, BATCH_LIMIT);
      const ids = inputs.map((i) => String(i.id ?? ''));
      if (new Set(ids).size !== ids.length) throw new HubSpotReplyError(validationError(endpoint, 'Duplicate IDs found in batch input', 'DUPLICATE_IDS'));
      const claimed = new Map<string, object>();
      const planned = inputs.map((input, n) => {
        const idProperty = idPropertyOf(endpoint, store, input.idProperty, true);
        const existing = store.findBy(idProperty, ids[n]!);
        if (!existing && idProperty === 'hs_object_id') {
          // A record cannot be created with an id of the caller's choosing: upsert creates through a unique property.
          return {
            traceId: traceOf(input),
            planned: { ok: false, error: new HubSpotReplyError(hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', 'Object not found.', { context: { id: [ids[n]!] } })) } as Planned,
          };
        }
        // Created: the record gets the id as its identifying property's value.
        const key = existing ? {} : { [idProperty]: ids[n]! };
        return { traceId: traceOf(input), planned: plan(ctx, type, endpoint, { properties: input.properties }, existing, claimed, key) };
      });
      return runBatch(endpoint, started, planned, (p) => ({ ...present(apply(ctx, type, p, now), written(p.properties)), new: !p.existing }), [], 200);
    }
    case 'batch.archive': {
      for (const input of batchInputs(body, endpoint, BATCH_LIMIT)) store.archive(String(input.id ?? ''), now);
      return { status: 204, endpoint };
    }
  }
  return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `sandbox: ${endpoint} is not emulated`);
}
