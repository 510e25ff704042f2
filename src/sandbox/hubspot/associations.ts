import type { SandboxReply } from '../types.ts';
import { associationType, defaultType, typeFrom, type AssociationStore, type AssociationType } from './association-store.ts';
import { batchReply } from './batch.ts';
import { batchInputs, objectIdOf } from './body.ts';
import { HubSpotReplyError, hubspotError, validationError } from './errors.ts';
import { asReply, standardError } from './object-errors.ts';
import { OBJECT_TYPES, type CrmObjectType } from './object-types.ts';

/**
 * Associations v4 (`/crm/v4/objects/.../associations/...`, `/crm/v4/associations/{from}/{to}/batch/...`;
 * test/fixtures/vendor/hubspot/hubspot_associations_v4_openapi.json) and the associations given
 * inline when an object is created. docs/hubspot-api.md#associations.
 */

/**
 * Inputs per association batch: 1,000 for batch/read, 2,000 for the writes (associations v4 guide
 * as remembered; unconfirmed, as is the body of the 400 past them).
 */
export const ASSOCIATION_READ_LIMIT = 1_000;
export const ASSOCIATION_WRITE_LIMIT = 2_000;
/** GET .../associations/{toObjectType}: "Limit 500 per call" (v4 spec), also its default. */
export const ASSOCIATION_PAGE_LIMIT = 500;

export interface AssociationsContext {
  store: AssociationStore;
  exists: (type: CrmObjectType, id: string) => boolean;
  baseUrl: string;
}

export interface AssociationParams {
  from: CrmObjectType;
  to: CrmObjectType;
  fromId?: string;
  toId?: string;
}

const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';

/** `{category, typeId, label}` of the types between two records (label `null` when unlabelled). */
function withLabels(from: CrmObjectType, to: CrmObjectType, typeIds: number[]) {
  return typeIds.map((typeId) => ({ category: HUBSPOT_DEFINED, typeId, label: associationType(from, to, typeId)?.label ?? null }));
}

function spec(t: AssociationType) {
  return { associationCategory: HUBSPOT_DEFINED, associationTypeId: t.typeId };
}

/** An id that is no live record of its type (wording unconfirmed). */
function missingObject(type: CrmObjectType, id: string, side: 'fromObjectId' | 'toObjectId') {
  return standardError('VALIDATION_ERROR', `No ${OBJECT_TYPES[type].singular} with id ${id} exists`, { [side]: [id] }, { subCategory: 'crm.associations.INVALID_OBJECT_IDS' });
}

function pairRefused(endpoint: string, from: CrmObjectType, to: CrmObjectType): HubSpotReplyError {
  return new HubSpotReplyError(validationError(endpoint, `There is no association type between ${from} and ${to} in this sandbox`, 'INVALID_ASSOCIATION_TYPE'));
}

/** HUBSPOT_DEFINED types from `from` to `to`, checked; USER_DEFINED labels are not emulated. */
function typesOf(endpoint: string, from: CrmObjectType, to: CrmObjectType, specs: unknown): AssociationType[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new HubSpotReplyError(validationError(endpoint, 'types is required and must be a non-empty array', 'INVALID_TYPES'));
  return specs.map((s) => {
    const { associationCategory, associationTypeId } = (s ?? {}) as { associationCategory?: unknown; associationTypeId?: unknown };
    const t = associationCategory === HUBSPOT_DEFINED ? associationType(from, to, Number(associationTypeId)) : undefined;
    if (!t) {
      throw new HubSpotReplyError(
        validationError(endpoint, `${String(associationCategory)} association type ${String(associationTypeId)} is not valid from ${from} to ${to}`, 'INVALID_ASSOCIATION_TYPE', {
          associationTypeId: [String(associationTypeId)],
        }),
      );
    }
    return t;
  });
}

function bothExist(ctx: AssociationsContext, from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string) {
  if (!ctx.exists(from, fromId)) return missingObject(from, fromId, 'fromObjectId');
  if (!ctx.exists(to, toId)) return missingObject(to, toId, 'toObjectId');
  return undefined;
}

/** The default association and its inverse, as `BatchResponsePublicDefaultAssociation.results` lists them. */
function defaultResults(t: AssociationType, fromId: string, toId: string) {
  const inverse = associationType(t.to, t.from, t.inverse)!;
  return [
    { from: { id: fromId }, to: { id: toId }, associationSpec: spec(t) },
    { from: { id: toId }, to: { id: fromId }, associationSpec: spec(inverse) },
  ];
}

function labelsBetween(ctx: AssociationsContext, from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string) {
  const labels = ctx.store.types(from, fromId, to, toId).flatMap((id) => associationType(from, to, id)?.label ?? []);
  return { fromObjectTypeId: OBJECT_TYPES[from].typeId, fromObjectId: fromId, toObjectTypeId: OBJECT_TYPES[to].typeId, toObjectId: toId, labels };
}

/** One page of a record's associations to a type, from the target after `after` (ids ascending). */
function page(ctx: AssociationsContext, from: CrmObjectType, fromId: string, to: CrmObjectType, after: string | undefined, limit: number) {
  const all = ctx.store.list(from, fromId, to);
  const start = after ? all.findIndex((a) => Number(a.toId) > Number(after)) : 0;
  const slice = start < 0 ? [] : all.slice(start, start + limit);
  const more = start >= 0 && start + limit < all.length;
  // The spec types toObjectId as a string (the guide's examples print a number): unconfirmed which the wire carries.
  const results = slice.map((a) => ({ toObjectId: a.toId, associationTypes: withLabels(from, to, a.typeIds) }));
  return { results, next: more ? slice.at(-1)?.toId : undefined };
}

export function handleAssociations(ctx: AssociationsContext, endpoint: string, params: AssociationParams, body: unknown, query: URLSearchParams, started: string): SandboxReply {
  const { from, to } = params;
  const fromId = params.fromId ?? '';
  const toId = params.toId ?? '';
  const object = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;

  switch (endpoint) {
    case 'associations.v4.default.create': {
      const t = defaultType(from, to);
      if (!t) throw pairRefused(endpoint, from, to);
      const missing = bothExist(ctx, from, fromId, to, toId);
      if (missing) return asReply(endpoint, 400, missing);
      ctx.store.add(from, fromId, to, toId, [t.typeId]);
      return batchReply(endpoint, started, defaultResults(t, fromId, toId), []);
    }
    case 'associations.v4.create': {
      const types = typesOf(endpoint, from, to, body);
      const missing = bothExist(ctx, from, fromId, to, toId);
      if (missing) return asReply(endpoint, 400, missing);
      ctx.store.add(
        from,
        fromId,
        to,
        toId,
        types.map((t) => t.typeId),
      );
      return { status: 201, endpoint, body: labelsBetween(ctx, from, fromId, to, toId) };
    }
    case 'associations.v4.archive': {
      ctx.store.remove(from, fromId, to, toId);
      return { status: 204, endpoint };
    }
    case 'associations.v4.list': {
      const limit = Number(query.get('limit') ?? ASSOCIATION_PAGE_LIMIT);
      if (!Number.isInteger(limit) || limit < 1 || limit > ASSOCIATION_PAGE_LIMIT)
        throw new HubSpotReplyError(validationError(endpoint, `limit must be between 1 and ${ASSOCIATION_PAGE_LIMIT}, was ${query.get('limit')}`, 'INVALID_LIMIT'));
      const { results, next } = page(ctx, from, fromId, to, query.get('after') ?? undefined, limit);
      const link = `${ctx.baseUrl}/crm/v4/objects/${from}/${fromId}/associations/${to}?after=${next}`;
      return { status: 200, endpoint, body: { results, ...(next ? { paging: { next: { after: next, link } } } : {}) } };
    }
    case 'associations.v4.batch.read': {
      const results = [];
      const errors = [];
      for (const input of batchInputs(object, endpoint, ASSOCIATION_READ_LIMIT)) {
        const id = String(input.id ?? '');
        const { results: to_, next } = page(ctx, from, id, to, typeof input.after === 'string' ? input.after : undefined, ASSOCIATION_PAGE_LIMIT);
        if (to_.length === 0) {
          // An id with nothing associated is an error of the 207, not an empty result (wording and subCategory unconfirmed).
          errors.push(
            standardError(
              'OBJECT_NOT_FOUND',
              `No ${OBJECT_TYPES[to].singular} is associated with ${OBJECT_TYPES[from].singular} ${id}.`,
              { fromObjectId: [id] },
              { subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND' },
            ),
          );
          continue;
        }
        results.push({ from: { id }, to: to_, ...(next ? { paging: { next: { after: next } } } : {}) });
      }
      return batchReply(endpoint, started, results, errors);
    }
    case 'associations.v4.batch.associate-default': {
      const t = defaultType(from, to);
      if (!t) throw pairRefused(endpoint, from, to);
      const pairs = batchInputs(object, endpoint, ASSOCIATION_WRITE_LIMIT).map((i) => pairOf(endpoint, i));
      const results = [];
      const errors = [];
      for (const [a, b] of pairs) {
        const missing = bothExist(ctx, from, a, to, b);
        if (missing) {
          errors.push(missing);
          continue;
        }
        ctx.store.add(from, a, to, b, [t.typeId]);
        results.push(...defaultResults(t, a, b));
      }
      return batchReply(endpoint, started, results, errors);
    }
    case 'associations.v4.batch.create': {
      const inputs = batchInputs(object, endpoint, ASSOCIATION_WRITE_LIMIT).map((i) => ({ pair: pairOf(endpoint, i), types: typesOf(endpoint, from, to, i.types) }));
      const results = [];
      const errors = [];
      for (const { pair, types } of inputs) {
        const missing = bothExist(ctx, from, pair[0], to, pair[1]);
        if (missing) {
          errors.push(missing);
          continue;
        }
        ctx.store.add(
          from,
          pair[0],
          to,
          pair[1],
          types.map((t) => t.typeId),
        );
        results.push(labelsBetween(ctx, from, pair[0], to, pair[1]));
      }
      return batchReply(endpoint, started, results, errors, 201);
    }
    case 'associations.v4.batch.archive': {
      const inputs = batchInputs(object, endpoint, ASSOCIATION_WRITE_LIMIT);
      for (const input of inputs) {
        const a = objectIdOf(input.from);
        const targets = Array.isArray(input.to) ? input.to.map(objectIdOf) : [];
        if (!a || targets.some((b) => b === undefined)) throw new HubSpotReplyError(validationError(endpoint, 'Each input needs from.id and to[].id', 'INVALID_INPUTS'));
        for (const b of targets) ctx.store.remove(from, a, to, b!);
      }
      return { status: 204, endpoint };
    }
    case 'associations.v4.batch.labels-archive': {
      for (const input of batchInputs(object, endpoint, ASSOCIATION_WRITE_LIMIT)) {
        const [a, b] = pairOf(endpoint, input);
        ctx.store.remove(
          from,
          a,
          to,
          b,
          typesOf(endpoint, from, to, input.types).map((t) => t.typeId),
        );
      }
      return { status: 204, endpoint };
    }
  }
  return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `sandbox: ${endpoint} is not emulated`);
}

function pairOf(endpoint: string, input: Record<string, unknown>): [string, string] {
  const a = objectIdOf(input.from);
  const b = objectIdOf(input.to);
  if (!a || !b) throw new HubSpotReplyError(validationError(endpoint, 'Each input needs from.id and to.id', 'INVALID_INPUTS'));
  return [a, b];
}

/** One association given inline on create: `{ to: { id }, types: [{ associationCategory, associationTypeId }] }`. */
export interface InlineAssociation {
  to: CrmObjectType;
  toId: string;
  typeIds: number[];
}

/**
 * Checks the `associations` of a create before anything is written: each type must be a
 * HUBSPOT_DEFINED type from this object type (the type id says the target's type) and the target
 * must exist. A refusal fails the create with 400 (wording unconfirmed).
 */
export function inlineAssociations(ctx: AssociationsContext, endpoint: string, from: CrmObjectType, associations: unknown): InlineAssociation[] {
  if (associations === undefined || associations === null) return [];
  if (!Array.isArray(associations)) throw new HubSpotReplyError(validationError(endpoint, 'associations must be an array', 'INVALID_ASSOCIATIONS'));
  return associations.map((a) => {
    const { to, types } = (a ?? {}) as { to?: unknown; types?: unknown };
    const toId = objectIdOf(to);
    if (!toId || !Array.isArray(types) || types.length === 0) throw new HubSpotReplyError(validationError(endpoint, 'Each association needs to.id and types', 'INVALID_ASSOCIATIONS'));
    const resolved = types.map((s) => {
      const { associationCategory, associationTypeId } = (s ?? {}) as { associationCategory?: unknown; associationTypeId?: unknown };
      const t = associationCategory === HUBSPOT_DEFINED ? typeFrom(from, Number(associationTypeId)) : undefined;
      if (!t) {
        throw new HubSpotReplyError(
          validationError(endpoint, `${String(associationCategory)} association type ${String(associationTypeId)} is not valid for a ${OBJECT_TYPES[from].singular}`, 'INVALID_ASSOCIATION_TYPE', {
            associationTypeId: [String(associationTypeId)],
          }),
        );
      }
      return t;
    });
    const target = resolved[0]!.to;
    if (resolved.some((t) => t.to !== target)) throw new HubSpotReplyError(validationError(endpoint, 'The types of one association must all lead to the same object type', 'INVALID_ASSOCIATION_TYPE'));
    if (!ctx.exists(target, toId)) {
      throw new HubSpotReplyError(asReply(endpoint, 400, missingObject(target, toId, 'toObjectId')));
    }
    return { to: target, toId, typeIds: resolved.map((t) => t.typeId) };
  });
}

/**
 * `associations` of a v3 read (`?associations=contacts,companies`): per requested type with any,
 * `{ results: [{ id, type }] }`, one entry per type id (a primary company appears twice: as
 * `contact_to_company` and `contact_to_company_unlabeled`).
 */
export function v3Associations(store: AssociationStore, from: CrmObjectType, fromId: string, requested: CrmObjectType[]) {
  const out: Record<string, { results: { id: string; type: string }[] }> = {};
  for (const to of requested) {
    const results = store.list(from, fromId, to).flatMap((a) => a.typeIds.map((typeId) => ({ id: a.toId, type: associationType(from, to, typeId)?.v3 ?? String(typeId) })));
    if (results.length > 0) out[to] = { results };
  }
  return out;
}
