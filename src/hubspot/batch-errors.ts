/**
 * One error of a HubSpot batch answer (a 207's `errors[]`, `StandardError`): its category, the
 * first sub-error's code, and the context naming the input (objectWriteTraceId), the ids and the
 * properties (docs/hubspot-api.md#batch). Every field is optional: HubSpot asks clients to parse
 * error bodies leniently (docs/hubspot-api.md#errors).
 */
export interface BatchError {
  status?: string;
  category?: string;
  subCategory?: unknown;
  context?: Record<string, string[] | undefined>;
  errors?: { code?: string; context?: Record<string, string[] | undefined> }[];
}

/** The code a rejection carries: the first sub-error's own code (INVALID_OPTION), else the category. */
export function errorCode(error: BatchError): string {
  return error.errors?.[0]?.code ?? error.category ?? 'UNKNOWN';
}

/** Property names the error names (context.propertyName, at the top or in a sub-error), never values. */
export function errorProperties(error: BatchError): string[] {
  const names = new Set<string>(error.context?.propertyName ?? []);
  for (const e of error.errors ?? []) for (const name of e.context?.propertyName ?? []) names.add(name);
  return [...names];
}

/**
 * Whether HubSpot refused a write because another record holds its value of the unique property
 * `property`: a CONFLICT (what the emulator and HubSpot's duplicate contact email answer), or a
 * validation error naming the property for another reason than its not existing. The exact body
 * of HubSpot's unique-value refusal is unconfirmed (docs/hubspot-api.md#crm-objects-unconfirmed).
 */
export function isUniqueConflict(error: BatchError, property: string): boolean {
  if (error.category === 'CONFLICT' || error.category === 'OBJECT_ALREADY_EXISTS') return true;
  return errorProperties(error).includes(property) && !NOT_A_CONFLICT.has(errorCode(error));
}

/** Codes that name a property without meaning its value is taken. */
const NOT_A_CONFLICT = new Set(['PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE', 'INVALID_OPTION', 'INVALID_INTEGER', 'INVALID_ID_PROPERTY']);

/** Splits `items` into runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
