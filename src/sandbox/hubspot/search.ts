import { z } from 'zod';
import { validationError, HubSpotReplyError } from './errors.ts';
import type { PropertyDefinition } from './properties.ts';
import type { ContactRecord } from './store.ts';

/** HubSpot's search operators (docs/hubspot-api.md#search, SDK FilterOperatorEnum). */
const OPERATORS = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;

const filterSchema = z.object({
  propertyName: z.string(),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  highValue: z.union([z.string(), z.number()]).optional(),
  values: z.array(z.union([z.string(), z.number()])).optional(),
});

export const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z.array(z.union([z.string(), z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') })])).default([]),
  query: z.string().optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().optional(),
  after: z.union([z.string(), z.number()]).optional(),
});

export type SearchRequest = z.infer<typeof searchRequestSchema>;
type Filter = z.infer<typeof filterSchema>;

// Limits: 200 per page (spec), 10,000 results per query (search guide), 3,000-character
// query; groups and filters: the emulator accepts 5 groups × 6 filters, 18 in all (docs/hubspot-api.md#search).
export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;

export const DEFAULT_SEARCH_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];

/** Runs a search over what search currently sees; throws HubSpotReplyError for what HubSpot refuses. */
export function runSearch(request: SearchRequest, contacts: ContactRecord[], definitions: Map<string, PropertyDefinition>) {
  const endpoint = 'contacts.search';
  const limit = request.limit ?? 10;
  if (limit > SEARCH_MAX_LIMIT || limit < 0) {
    throw new HubSpotReplyError(validationError(endpoint, `limit must be between 0 and ${SEARCH_MAX_LIMIT}, was ${limit}`, 'INVALID_LIMIT'));
  }
  if (request.filterGroups.length > MAX_GROUPS) {
    throw new HubSpotReplyError(validationError(endpoint, `Too many filter groups (${request.filterGroups.length}); the maximum is ${MAX_GROUPS}`, 'TOO_MANY_FILTER_GROUPS'));
  }
  const total = request.filterGroups.reduce((n, g) => n + g.filters.length, 0);
  if (request.filterGroups.some((g) => g.filters.length > MAX_FILTERS_PER_GROUP) || total > MAX_FILTERS) {
    throw new HubSpotReplyError(validationError(endpoint, `Too many filters: at most ${MAX_FILTERS_PER_GROUP} per group and ${MAX_FILTERS} in all`, 'TOO_MANY_FILTERS'));
  }
  if (request.sorts.length > 1) {
    // The SDK README: "only one sort is supported".
    throw new HubSpotReplyError(validationError(endpoint, 'Only one sort is supported', 'TOO_MANY_SORTS'));
  }
  if ((request.query ?? '').length > 3_000) throw new HubSpotReplyError(validationError(endpoint, 'query is longer than 3000 characters', 'QUERY_TOO_LONG'));
  for (const group of request.filterGroups) for (const f of group.filters) checkFilter(f, definitions);

  const after = Number(request.after ?? 0);
  if (!Number.isInteger(after) || after < 0) throw new HubSpotReplyError(validationError(endpoint, `after must be a non-negative integer offset, was "${request.after}"`, 'INVALID_AFTER'));
  if (after >= SEARCH_RESULT_CAP) {
    // Search guide: "Attempting to page beyond 10,000 will result in a 400 error" (exact body unconfirmed).
    throw new HubSpotReplyError(validationError(endpoint, `Cannot page beyond ${SEARCH_RESULT_CAP} results: narrow the filters (after=${after})`, 'RESULT_LIMIT_EXCEEDED'));
  }

  const query = request.query?.trim().toLowerCase();
  let matches = contacts.filter(
    (c) =>
      (request.filterGroups.length === 0 || request.filterGroups.some((g) => g.filters.every((f) => matchFilter(f, c, definitions)))) &&
      (!query || ['email', 'firstname', 'lastname', 'phone', 'company'].some((p) => (c.properties[p] ?? '').toLowerCase().includes(query))),
  );
  const sort = request.sorts[0];
  const sortBy = typeof sort === 'string' ? { propertyName: sort.replace(/^-/, ''), direction: sort.startsWith('-') ? 'DESCENDING' : 'ASCENDING' } : sort;
  const key = sortBy?.propertyName ?? 'hs_object_id';
  const numeric = isNumericLike(key, definitions);
  const dir = sortBy?.direction === 'DESCENDING' ? -1 : 1;
  matches = matches.sort((a, b) => {
    const c = compareValues(a.properties[key], b.properties[key], numeric);
    return c !== 0 ? c * dir : Number(a.id) - Number(b.id);
  });
  const page = matches.slice(after, Math.min(after + limit, SEARCH_RESULT_CAP));
  const next = after + page.length;
  const properties = request.properties && request.properties.length > 0 ? [...new Set([...request.properties, 'hs_object_id', 'createdate', 'lastmodifieddate'])] : DEFAULT_SEARCH_PROPERTIES;
  return {
    total: matches.length,
    results: page.map((c) => present(c, properties)),
    ...(next < matches.length && page.length > 0 ? { paging: { next: { after: String(next), link: `?after=${next}` } } } : {}),
  };
}

/** A contact as the API returns it, with only the requested properties (null when unset). */
export function present(c: ContactRecord, properties: readonly string[]) {
  const props: Record<string, string | null> = {};
  for (const p of properties) props[p] = c.properties[p] ?? null;
  return { id: c.id, properties: props, createdAt: c.createdAt, updatedAt: c.updatedAt, archived: c.archived };
}

function checkFilter(f: Filter, definitions: Map<string, PropertyDefinition>): void {
  if (!definitions.has(f.propertyName)) {
    throw new HubSpotReplyError(
      validationError('contacts.search', `There was a problem with the request: Unable to find property ${f.propertyName}`, 'PROPERTY_DOESNT_EXIST', { propertyName: [f.propertyName] }),
    );
  }
  const needsValues = f.operator === 'IN' || f.operator === 'NOT_IN';
  const needsNone = f.operator === 'HAS_PROPERTY' || f.operator === 'NOT_HAS_PROPERTY';
  if (needsValues && (!f.values || f.values.length === 0)) throw new HubSpotReplyError(validationError('contacts.search', `${f.operator} needs values`, 'MISSING_VALUES'));
  if (!needsValues && !needsNone && f.value === undefined) throw new HubSpotReplyError(validationError('contacts.search', `${f.operator} on ${f.propertyName} needs a value`, 'MISSING_VALUE'));
  if (f.operator === 'BETWEEN' && f.highValue === undefined) throw new HubSpotReplyError(validationError('contacts.search', 'BETWEEN needs highValue', 'MISSING_HIGH_VALUE'));
}

function isNumericLike(property: string, definitions: Map<string, PropertyDefinition>): boolean {
  const type = definitions.get(property)?.type;
  return type === 'number' || type === 'datetime' || type === 'date' || property === 'hs_object_id';
}

/** Dates compare as epoch ms: filters may give epoch-ms strings or ISO 8601 (README of the SDK). */
function toComparable(value: string | number | boolean | null | undefined, numeric: boolean): number | string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!numeric) return String(value).toLowerCase();
  if (typeof value === 'number') return value;
  const s = String(value);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const parsed = Date.parse(s);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function compareValues(a: string | null | undefined, b: string | null | undefined, numeric: boolean): number {
  const x = toComparable(a, numeric);
  const y = toComparable(b, numeric);
  if (x === undefined && y === undefined) return 0;
  if (x === undefined) return 1; // empty values sort last
  if (y === undefined) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function matchFilter(f: Filter, c: ContactRecord, definitions: Map<string, PropertyDefinition>): boolean {
  const raw = f.propertyName === 'hs_object_id' ? c.id : c.properties[f.propertyName];
  const has = raw !== null && raw !== undefined && raw !== '';
  const numeric = isNumericLike(f.propertyName, definitions);
  const actual = toComparable(raw, numeric);
  const value = toComparable(f.value as string | number | undefined, numeric);
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return has && actual === value;
    case 'NEQ':
      return !has || actual !== value;
    case 'LT':
      return has && actual !== undefined && value !== undefined && actual < value;
    case 'LTE':
      return has && actual !== undefined && value !== undefined && actual <= value;
    case 'GT':
      return has && actual !== undefined && value !== undefined && actual > value;
    case 'GTE':
      return has && actual !== undefined && value !== undefined && actual >= value;
    case 'BETWEEN': {
      const high = toComparable(f.highValue, numeric);
      return has && actual !== undefined && value !== undefined && high !== undefined && actual >= value && actual <= high;
    }
    case 'IN':
      return has && (f.values ?? []).some((v) => toComparable(v, numeric) === actual);
    case 'NOT_IN':
      return !has || !(f.values ?? []).some((v) => toComparable(v, numeric) === actual);
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = new RegExp(
        `(^|[^a-z0-9])${String(f.value)
          .toLowerCase()
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^\\s]*')}([^a-z0-9]|$)`,
      );
      const found = has && pattern.test(String(raw).toLowerCase());
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
  }
}
