import type { SandboxReply, SandboxRequest } from '../types.ts';
import { AssociationStore, defaultType, primaryType } from './association-store.ts';
import { handleAssociations, type AssociationsContext } from './associations.ts';
import { jsonBody, jsonObject } from './body.ts';
import { defaultCompanyProperties } from './companies.ts';
import { defaultDealProperties, deriveDealProperties } from './deals.ts';
import { HubSpotReplyError } from './errors.ts';
import { handleObjectProperties, type PropertiesContext } from './object-properties.ts';
import { ObjectStore, type CrmRecord } from './object-store.ts';
import { OBJECT_TYPES, objectTypeOf, type CrmObjectType } from './object-types.ts';
import { handleObjects, writeObject, type ObjectsContext, type ObjectType } from './objects.ts';
import { defaultDealPipelines, handlePipelines, type Pipeline } from './pipelines.ts';
import type { ContactStore, Properties } from './store.ts';

/**
 * The CRM beyond contacts: companies and deals (v3 objects and properties), deal pipelines, and
 * associations v4 between contacts, companies and deals. The emulator routes these requests here
 * after its own auth, scope, rate-limit and fault checks, exactly as it does contact requests.
 */

/** Which operation a request is, the scopes it needs, and what its path names. */
export interface CrmRoute {
  endpoint: string;
  scopes: string[];
  /** The rate limit the call counts against: search's per-second one, none but the daily one (`exempt`), else the 10-second budget. */
  limit?: 'search' | 'exempt';
  params:
    | { kind: 'objects'; type: ObjectType; id?: string }
    | { kind: 'properties'; type: ObjectType; name?: string }
    | { kind: 'pipelines'; pipelineId?: string; stageId?: string }
    | { kind: 'associations'; from: CrmObjectType; to: CrmObjectType; fromId?: string; toId?: string };
}

/** A company or deal as tests and simulators see it. */
export interface CrmObjectSnapshot {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** Helpers on the emulator for tests and the sales simulator; writes obey the API's rules and throw its message when refused. */
export interface CrmHelpers {
  createCompany(properties: Record<string, string | null>, options?: { at?: Date }): CrmObjectSnapshot;
  getCompany(id: string): CrmObjectSnapshot | undefined;
  companies(): CrmObjectSnapshot[];
  /** `associations`: contacts and companies to associate with their default types; `primaryCompany` also as the deal's primary company. */
  createDeal(properties: Record<string, string | null>, options?: { at?: Date; associations?: { contacts?: string[]; companies?: string[]; primaryCompany?: string } }): CrmObjectSnapshot;
  updateDeal(id: string, properties: Record<string, string | null>, options?: { at?: Date }): CrmObjectSnapshot;
  getDeal(id: string): CrmObjectSnapshot | undefined;
  deals(): CrmObjectSnapshot[];
  /** A default association (and its inverse); `primary` makes the company the contact's or deal's primary company. */
  associate(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, options?: { primary?: boolean }): void;
  /** Live records of type `to` associated with a record, with the type ids (from → to) between them. */
  associations(from: CrmObjectType, id: string, to: CrmObjectType): { id: string; typeIds: number[] }[];
  dealPipelines(): Pipeline[];
  /** Adds a deal pipeline (a portal's own pipelines have numeric ids, as do their stages). */
  addDealPipeline(pipeline: Pipeline): void;
}

export interface Crm {
  match(method: string, path: string): CrmRoute | undefined;
  handle(request: SandboxRequest, route: CrmRoute, now: number): SandboxReply;
  readonly helpers: CrmHelpers;
  readonly stores: Record<ObjectType, ObjectStore>;
  readonly associations: AssociationStore;
}

const OBJECT_RE = /^\/crm\/v3\/objects\/([^/]+)(?:\/(batch\/(?:read|create|update|upsert|archive)|[^/]+))?$/;
const PROPERTY_RE = /^\/crm\/v3\/properties\/([^/]+)(?:\/(batch\/create|groups|[^/]+))?$/;
const PIPELINE_RE = /^\/crm\/v3\/pipelines\/([^/]+)(?:\/([^/]+)(?:\/stages(?:\/([^/]+))?)?)?$/;
const STAGES_RE = /^\/crm\/v3\/pipelines\/[^/]+\/[^/]+\/stages(?:\/[^/]+)?$/;
const V4_DEFAULT_RE = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/default\/([^/]+)\/([^/]+)$/;
const V4_PAIR_RE = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)\/([^/]+)$/;
const V4_LIST_RE = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/;
const V4_BATCH_RE = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/(read|create|archive|associate\/default|labels\/archive)$/;

const V4_BATCH_ENDPOINTS: Record<string, string> = {
  read: 'associations.v4.batch.read',
  create: 'associations.v4.batch.create',
  archive: 'associations.v4.batch.archive',
  'associate/default': 'associations.v4.batch.associate-default',
  'labels/archive': 'associations.v4.batch.labels-archive',
};

const objectTypeParam = (name: string): ObjectType | undefined => {
  const type = objectTypeOf(name);
  return type === 'companies' || type === 'deals' ? type : undefined;
};
const unique = (scopes: string[]) => [...new Set(scopes)];
const decode = (s: string) => decodeURIComponent(s);

/** Classifies a request the emulator does not answer itself; `undefined` when it is not emulated. */
export function matchCrm(method: string, path: string): CrmRoute | undefined {
  let m = OBJECT_RE.exec(path);
  const objectType = m ? objectTypeParam(m[1]!) : undefined;
  if (m && objectType) {
    const info = OBJECT_TYPES[objectType];
    const sub = m[2];
    const read = { scopes: [info.readScope] };
    const write = { scopes: [info.writeScope] };
    const params = { kind: 'objects' as const, type: objectType };
    if (sub === undefined && method === 'GET') return { endpoint: `${objectType}.list`, ...read, params };
    if (sub === undefined && method === 'POST') return { endpoint: `${objectType}.create`, ...write, params };
    if (sub?.startsWith('batch/') && method === 'POST') return { endpoint: `${objectType}.${sub.replace('/', '.')}`, ...(sub === 'batch/read' ? read : write), params };
    // Search: its own per-second limit, outside the 10-second budget (docs/hubspot-api.md#search).
    if (sub === 'search' && method === 'POST') return { endpoint: `${objectType}.search`, ...read, params, limit: 'search' };
    if (sub !== undefined && !sub.startsWith('batch/') && sub !== 'search' && sub !== 'merge') {
      const withId = { ...params, id: decode(sub) };
      if (method === 'GET') return { endpoint: `${objectType}.get`, ...read, params: withId };
      if (method === 'PATCH') return { endpoint: `${objectType}.update`, ...write, params: withId };
      if (method === 'DELETE') return { endpoint: `${objectType}.archive`, ...write, params: withId };
    }
    return undefined;
  }
  m = PROPERTY_RE.exec(path);
  const propertyType = m ? objectTypeParam(m[1]!) : undefined;
  if (m && propertyType) {
    const info = OBJECT_TYPES[propertyType];
    const sub = m[2];
    const base = `${propertyType}.properties`;
    const params = { kind: 'properties' as const, type: propertyType };
    if (sub === undefined && method === 'GET') return { endpoint: `${base}.list`, scopes: [info.readScope], params };
    if (sub === undefined && method === 'POST') return { endpoint: `${base}.create`, scopes: [info.schemaWriteScope], params };
    if (sub === 'batch/create' && method === 'POST') return { endpoint: `${base}.batch.create`, scopes: [info.schemaWriteScope], params };
    if (sub === 'groups' && method === 'GET') return { endpoint: `${base}.groups.list`, scopes: [info.readScope], params };
    if (sub === 'groups' && method === 'POST') return { endpoint: `${base}.groups.create`, scopes: [info.schemaWriteScope], params };
    if (sub !== undefined && sub !== 'groups' && !sub.startsWith('batch/')) {
      const named = { ...params, name: decode(sub) };
      if (method === 'GET') return { endpoint: `${base}.get`, scopes: [info.readScope], params: named };
      if (method === 'PATCH') return { endpoint: `${base}.update`, scopes: [info.schemaWriteScope], params: named };
      if (method === 'DELETE') return { endpoint: `${base}.archive`, scopes: [info.schemaWriteScope], params: named };
    }
    return undefined;
  }
  m = PIPELINE_RE.exec(path);
  if (m && method === 'GET' && objectTypeOf(m[1]!) === 'deals') {
    const scopes = [OBJECT_TYPES.deals.readScope];
    const params = { kind: 'pipelines' as const, ...(m[2] ? { pipelineId: decode(m[2]) } : {}), ...(m[3] ? { stageId: decode(m[3]) } : {}) };
    if (!m[2]) return { endpoint: 'pipelines.deals.list', scopes, params };
    if (!STAGES_RE.test(path)) return { endpoint: 'pipelines.deals.get', scopes, params };
    return { endpoint: m[3] ? 'pipelines.deals.stage' : 'pipelines.deals.stages', scopes, params };
  }
  const v4 = (from: string, to: string, write: boolean, endpoint: string, ids: { fromId?: string; toId?: string } = {}): CrmRoute | undefined => {
    const f = objectTypeOf(from);
    const t = objectTypeOf(to);
    if (!f || !t) return undefined;
    const scopes = write ? [OBJECT_TYPES[f].writeScope, OBJECT_TYPES[t].writeScope] : [OBJECT_TYPES[f].readScope, OBJECT_TYPES[t].readScope];
    return { endpoint, scopes: unique(scopes), params: { kind: 'associations', from: f, to: t, ...ids } };
  };
  m = V4_DEFAULT_RE.exec(path);
  if (m && method === 'PUT') return v4(m[1]!, m[3]!, true, 'associations.v4.default.create', { fromId: decode(m[2]!), toId: decode(m[4]!) });
  m = V4_PAIR_RE.exec(path);
  if (m && (method === 'PUT' || method === 'DELETE'))
    return v4(m[1]!, m[3]!, true, method === 'PUT' ? 'associations.v4.create' : 'associations.v4.archive', { fromId: decode(m[2]!), toId: decode(m[4]!) });
  m = V4_LIST_RE.exec(path);
  if (m && method === 'GET') return v4(m[1]!, m[3]!, false, 'associations.v4.list', { fromId: decode(m[2]!) });
  m = V4_BATCH_RE.exec(path);
  // The spec exempts every association batch operation from the 10-second limit (docs/hubspot-api.md#associations).
  const batch = m && method === 'POST' ? v4(m[1]!, m[2]!, m[3] !== 'read', V4_BATCH_ENDPOINTS[m[3]!]!) : undefined;
  if (batch) return { ...batch, limit: 'exempt' };
  return undefined;
}

function snapshot(r: CrmRecord): CrmObjectSnapshot {
  return { id: r.id, properties: { ...r.properties }, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived };
}

/** Runs a helper's write; a refusal becomes an Error carrying HubSpot's message. */
function orThrow<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof HubSpotReplyError) {
      const body = error.reply.body as { message?: string; context?: unknown };
      throw new Error(`HubSpot would refuse this (${error.reply.status}): ${body.message}${body.context ? ` ${JSON.stringify(body.context)}` : ''}`);
    }
    throw error;
  }
}

export function createCrm(options: { contacts: ContactStore; baseUrl: string; clock?: { now(): number }; currencies?: readonly string[] }): Crm {
  const { contacts, baseUrl } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const pipelines = defaultDealPipelines();
  const stores: Record<ObjectType, ObjectStore> = {
    companies: new ObjectStore('companies', defaultCompanyProperties(), { firstId: 20_000_001 }),
    deals: new ObjectStore('deals', defaultDealProperties(options.currencies), { firstId: 30_000_001, derive: deriveDealProperties(pipelines) }),
  };
  const exists = (type: CrmObjectType, id: string) => (type === 'contacts' ? contacts.get(id) !== undefined : stores[type].get(id) !== undefined);
  const associations = new AssociationStore({
    exists,
    // A contact's primary company is its `associatedcompanyid` ("Primary Associated Company ID").
    onPrimaryCompany: (holder, holderId, companyId) => {
      if (holder === 'contacts' && contacts.get(holderId)) contacts.update(holderId, { associatedcompanyid: companyId }, clock.now());
    },
  });
  const associationsContext: AssociationsContext = { store: associations, exists, baseUrl };
  const objects: ObjectsContext = { stores, associations: associationsContext, pipelines, baseUrl };
  const propertiesOf = (type: ObjectType): PropertiesContext => ({ store: stores[type], pipelines });

  function handle(request: SandboxRequest, route: CrmRoute, now: number): SandboxReply {
    const { endpoint, params } = route;
    const started = new Date(now).toISOString();
    const query = request.url.searchParams;
    switch (params.kind) {
      case 'objects':
        return handleObjects(objects, endpoint, params.type, params.id, request.method === 'GET' || request.method === 'DELETE' ? {} : jsonObject(request, endpoint), query, now, started);
      case 'properties':
        return handleObjectProperties(propertiesOf(params.type), endpoint, params.name, request.method === 'GET' || request.method === 'DELETE' ? {} : jsonObject(request, endpoint), started);
      case 'pipelines':
        return handlePipelines(endpoint, pipelines, params.pipelineId, params.stageId);
      case 'associations':
        return handleAssociations(associationsContext, endpoint, params, request.method === 'POST' || request.method === 'PUT' ? jsonBody(request, endpoint) : undefined, query, started);
    }
  }

  const at = (o?: { at?: Date }) => o?.at?.getTime() ?? clock.now();
  const helpers: CrmHelpers = {
    createCompany: (properties, o) => snapshot(orThrow(() => writeObject(objects, 'companies', 'companies.create', { properties }, undefined, at(o)))),
    getCompany: (id) => {
      const r = stores.companies.get(id);
      return r ? snapshot(r) : undefined;
    },
    companies: () => stores.companies.all().map(snapshot),
    createDeal(properties, o) {
      const inline = [
        ...(o?.associations?.contacts ?? []).map((id) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] })),
        ...(o?.associations?.companies ?? []).map((id) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }] })),
        ...(o?.associations?.primaryCompany ? [{ to: { id: o.associations.primaryCompany }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] }] : []),
      ];
      return snapshot(orThrow(() => writeObject(objects, 'deals', 'deals.create', { properties, associations: inline }, undefined, at(o))));
    },
    updateDeal(id, properties, o) {
      const existing = stores.deals.get(id);
      if (!existing) throw new Error(`deal ${id} not found`);
      return snapshot(orThrow(() => writeObject(objects, 'deals', 'deals.update', { properties: properties as Properties }, existing, at(o))));
    },
    getDeal: (id) => {
      const r = stores.deals.get(id);
      return r ? snapshot(r) : undefined;
    },
    deals: () => stores.deals.all().map(snapshot),
    associate(from, fromId, to, toId, o) {
      const t = defaultType(from, to);
      if (!t) throw new Error(`${from} cannot be associated with ${to}`);
      if (!exists(from, fromId) || !exists(to, toId)) throw new Error(`no such ${!exists(from, fromId) ? `${from} ${fromId}` : `${to} ${toId}`}`);
      const primary = o?.primary ? primaryType(from, to) : undefined;
      if (o?.primary && !primary) throw new Error(`${from} → ${to} has no primary type`);
      associations.add(from, fromId, to, toId, [(primary ?? t).typeId]);
    },
    associations: (from, id, to) => associations.list(from, id, to).map((a) => ({ id: a.toId, typeIds: a.typeIds })),
    dealPipelines: () => structuredClone(pipelines),
    addDealPipeline(pipeline) {
      if (pipelines.some((p) => p.id === pipeline.id)) throw new Error(`pipeline ${pipeline.id} exists`);
      pipelines.push(structuredClone(pipeline));
    },
  };

  return { match: matchCrm, handle, helpers, stores, associations };
}
