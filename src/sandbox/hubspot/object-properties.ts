import type { SandboxReply } from '../types.ts';
import { batchReply } from './batch.ts';
import { batchInputs } from './body.ts';
import { HubSpotReplyError, hubspotError, validationError } from './errors.ts';
import type { ObjectStore } from './object-store.ts';
import type { Pipeline } from './pipelines.ts';
import { VALID_TYPES, type PropertyDefinition } from './properties.ts';

/**
 * The properties API for companies and deals (`/crm/v3/properties/{objectType}`), with HubSpot's
 * unique-value rules (properties guide, docs/hubspot-api.md#unique-value-properties):
 * - `hasUniqueValue` is set when a property is created and cannot be changed afterwards (the
 *   update schema `PropertyUpdate` has no such field; the SDK drops it before sending);
 * - at most 10 unique-value properties per object type (HubSpot's own, like `hs_object_id`, do not count);
 * - a write that would give one a value another record holds is refused (see objects.ts).
 */
export const UNIQUE_PROPERTY_LIMIT = 10;

const OBJECT_BATCH_LIMIT = 100;

export interface PropertiesContext {
  store: ObjectStore;
  /** Deal pipelines: the options of `pipeline` and `dealstage`. */
  pipelines: Pipeline[];
}

function optionsOf(ctx: PropertiesContext, d: PropertyDefinition): { label: string; value: string; displayOrder: number; hidden: boolean }[] {
  let options = d.options ?? [];
  if (ctx.store.type === 'deals' && d.name === 'pipeline') options = ctx.pipelines.map((p) => ({ label: p.label, value: p.id }));
  if (ctx.store.type === 'deals' && d.name === 'dealstage') options = ctx.pipelines.flatMap((p) => p.stages.map((s) => ({ label: s.label, value: s.id })));
  return options.map((o, displayOrder) => ({ ...o, displayOrder, hidden: false }));
}

export function presentObjectProperty(ctx: PropertiesContext, d: PropertyDefinition) {
  return {
    name: d.name,
    label: d.label,
    type: d.type,
    fieldType: d.fieldType,
    groupName: d.groupName,
    description: d.description ?? '',
    options: optionsOf(ctx, d),
    displayOrder: -1,
    hasUniqueValue: d.hasUniqueValue ?? false,
    hidden: false,
    hubspotDefined: d.hubspotDefined ?? false,
    modificationMetadata: { archivable: !d.hubspotDefined, readOnlyDefinition: d.hubspotDefined ?? false, readOnlyValue: d.readOnly ?? false },
    formField: !d.readOnly,
    calculated: false,
    externalOptions: false,
    archived: false,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

/** Custom unique-value properties of the object type, the ones the limit counts. */
function customUniqueCount(ctx: PropertiesContext): number {
  return [...ctx.store.definitions.values()].filter((d) => d.hasUniqueValue && !d.hubspotDefined).length;
}

function createProperty(ctx: PropertiesContext, endpoint: string, body: Record<string, unknown>, pendingUnique = 0): PropertyDefinition {
  const name = String(body.name ?? '');
  if (!/^[a-z][a-z0-9_]*$/.test(name))
    throw new HubSpotReplyError(validationError(endpoint, `Property name "${name}" must start with a letter and hold lower case letters, digits and _`, 'INVALID_PROPERTY_NAME'));
  if (ctx.store.definitions.has(name)) throw new HubSpotReplyError(hubspotError(endpoint, 409, 'OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`, { context: { name: [name] } }));
  const type = String(body.type ?? '');
  if (!VALID_TYPES.has(type)) throw new HubSpotReplyError(validationError(endpoint, `type must be one of ${[...VALID_TYPES].join(', ')}`, 'INVALID_TYPE'));
  const groupName = String(body.groupName ?? '');
  if (!ctx.store.groups.has(groupName)) throw new HubSpotReplyError(validationError(endpoint, `Property group ${groupName} does not exist`, 'INVALID_GROUP'));
  const unique = body.hasUniqueValue === true;
  if (unique && customUniqueCount(ctx) + pendingUnique >= UNIQUE_PROPERTY_LIMIT) {
    // The limit is documented; the body of this refusal is unconfirmed.
    throw new HubSpotReplyError(
      validationError(
        endpoint,
        `Cannot create property ${name} with hasUniqueValue: the ${ctx.store.type} object already has the maximum of ${UNIQUE_PROPERTY_LIMIT} unique value properties`,
        'UNIQUE_PROPERTY_LIMIT_EXCEEDED',
        { propertyName: [name] },
      ),
    );
  }
  return {
    name,
    label: String(body.label ?? name),
    type: type as PropertyDefinition['type'],
    fieldType: String(body.fieldType ?? 'text'),
    groupName,
    hubspotDefined: false,
    ...(Array.isArray(body.options) ? { options: body.options as { label: string; value: string }[] } : {}),
    ...(unique ? { hasUniqueValue: true } : {}),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
  };
}

export function handleObjectProperties(ctx: PropertiesContext, endpoint: string, name: string | undefined, body: Record<string, unknown>, started: string): SandboxReply {
  const { store } = ctx;
  const action = endpoint.slice(endpoint.indexOf('.properties.') + '.properties.'.length);
  const definition = name === undefined ? undefined : store.definitions.get(name);
  const notFound = () => hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${name}`, { context: { propertyName: [String(name)] } });

  switch (action) {
    case 'list':
      return { status: 200, endpoint, body: { results: [...store.definitions.values()].map((d) => presentObjectProperty(ctx, d)) } };
    case 'get':
      return definition ? { status: 200, endpoint, body: presentObjectProperty(ctx, definition) } : notFound();
    case 'create': {
      const created = createProperty(ctx, endpoint, body);
      store.definitions.set(created.name, created);
      return { status: 201, endpoint, body: presentObjectProperty(ctx, created) };
    }
    case 'batch.create': {
      const inputs = batchInputs(body, endpoint, OBJECT_BATCH_LIMIT);
      // Checked together, written together: the limit counts the batch's own unique properties.
      const created: PropertyDefinition[] = [];
      for (const input of inputs) {
        const d = createProperty(ctx, endpoint, input, created.filter((c) => c.hasUniqueValue).length);
        if (created.some((c) => c.name === d.name)) throw new HubSpotReplyError(validationError(endpoint, `Duplicate property name ${d.name} in batch input`, 'DUPLICATE_NAMES'));
        created.push(d);
      }
      for (const d of created) store.definitions.set(d.name, d);
      return batchReply(
        endpoint,
        started,
        created.map((d) => presentObjectProperty(ctx, d)),
        [],
        201,
      );
    }
    case 'update': {
      if (!definition) return notFound();
      if ('hasUniqueValue' in body) {
        // Only a create sets it (wording unconfirmed); through the SDK the field never reaches the wire.
        throw new HubSpotReplyError(
          validationError(endpoint, `hasUniqueValue can only be set when a property is created; ${name} cannot be changed to or from a unique value property`, 'INVALID_PROPERTY_UPDATE', {
            propertyName: [String(name)],
          }),
        );
      }
      if (definition.hubspotDefined) throw new HubSpotReplyError(validationError(endpoint, `${name} is a HubSpot-defined property and its definition is read-only`, 'READ_ONLY_DEFINITION'));
      if (body.groupName !== undefined && !store.groups.has(String(body.groupName)))
        throw new HubSpotReplyError(validationError(endpoint, `Property group ${String(body.groupName)} does not exist`, 'INVALID_GROUP'));
      if (body.type !== undefined && !VALID_TYPES.has(String(body.type))) throw new HubSpotReplyError(validationError(endpoint, `type must be one of ${[...VALID_TYPES].join(', ')}`, 'INVALID_TYPE'));
      const updated: PropertyDefinition = {
        ...definition,
        ...(typeof body.label === 'string' ? { label: body.label } : {}),
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        ...(typeof body.groupName === 'string' ? { groupName: body.groupName } : {}),
        ...(typeof body.type === 'string' ? { type: body.type as PropertyDefinition['type'] } : {}),
        ...(typeof body.fieldType === 'string' ? { fieldType: body.fieldType } : {}),
        ...(Array.isArray(body.options) ? { options: body.options as { label: string; value: string }[] } : {}),
      };
      store.definitions.set(updated.name, updated);
      return { status: 200, endpoint, body: presentObjectProperty(ctx, updated) };
    }
    case 'archive': {
      if (!definition) return notFound();
      if (definition.hubspotDefined) throw new HubSpotReplyError(validationError(endpoint, `${name} is a HubSpot-defined property and cannot be archived`, 'READ_ONLY_DEFINITION'));
      store.definitions.delete(definition.name);
      return { status: 204, endpoint };
    }
    case 'groups.list':
      return { status: 200, endpoint, body: { results: [...store.groups.values()] } };
    case 'groups.create': {
      const group = String(body.name ?? '');
      if (!/^[a-z0-9_]+$/.test(group)) throw new HubSpotReplyError(validationError(endpoint, 'name must be lower case letters, digits and _', 'INVALID_NAME'));
      if (store.groups.has(group)) return hubspotError(endpoint, 409, 'OBJECT_ALREADY_EXISTS', `A property group named ${group} already exists.`);
      const created = { name: group, label: String(body.label ?? group), displayOrder: Number(body.displayOrder ?? -1) };
      store.groups.set(group, created);
      return { status: 201, endpoint, body: created };
    }
  }
  return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `sandbox: ${endpoint} is not emulated`);
}
