import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The vendors' example payloads, in the repository (test/fixtures/vendor/SOURCES.md says where each comes from). */
export const FIXTURES = join(import.meta.dirname, '../fixtures/vendor');

/** One vendor example, parsed; `T` names the parts the caller reads (not checked; every example is a JSON object or array). */
export function fixture<T = object>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

type Shape = string | { [key: string]: Shape } | Shape[];

/** The type structure of a JSON value: what "same keys and types" compares. */
export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 0 ? [shapeOf(value[0])] : [];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !k.startsWith('_'))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

/**
 * Every key of the documented example exists in the actual body with the same JSON type
 * (objects compared recursively; a documented null accepts any type, as the vendors null
 * out optional fields).
 */
export function missingFromShape(documented: unknown, actual: unknown, path = '$'): string[] {
  if (documented === null) return [];
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(shapeOf(actual))}`];
    return documented.length > 0 && actual.length > 0 ? missingFromShape(documented[0], actual[0], `${path}[0]`) : [];
  }
  if (typeof documented === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object`];
    return Object.entries(documented as Record<string, unknown>)
      .filter(([k]) => !k.startsWith('_'))
      .flatMap(([k, v]) => (k in (actual as object) ? missingFromShape(v, (actual as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}: missing`]));
  }
  return typeof documented === typeof actual ? [] : [`${path}: expected ${typeof documented}, got ${typeof actual}`];
}
