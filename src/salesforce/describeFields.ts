import type { Connection } from 'jsforce';
import type { DescribedField, DescribedObject } from '../domain/setup.ts';
import { classifySalesforceError } from './errors.ts';

export type { DescribedField, DescribedObject };

/**
 * Describes the given objects, one call each. An object the org does not have (or that the
 * integration user cannot see) comes back as undefined: the caller says what is missing.
 */
export async function describeFields(conn: Connection, sobjects: readonly string[]): Promise<Map<string, DescribedObject | undefined>> {
  const out = new Map<string, DescribedObject | undefined>();
  for (const sobject of sobjects) {
    let result: Awaited<ReturnType<ReturnType<Connection['sobject']>['describe']>>;
    try {
      result = await conn.sobject(sobject).describe();
    } catch (error) {
      const code = (error as { errorCode?: string; name?: string })?.errorCode ?? (error as { name?: string })?.name;
      if (code === 'NOT_FOUND' || code === 'INVALID_TYPE') {
        out.set(sobject, undefined);
        continue;
      }
      throw classifySalesforceError(error);
    }
    const fields: DescribedObject = Object.assign(new Map<string, DescribedField>(), { createable: result.createable === true });
    for (const f of result.fields) {
      fields.set(f.name.toLowerCase(), {
        name: f.name,
        type: f.type,
        length: f.length ?? 0,
        externalId: f.externalId === true,
        unique: f.unique === true,
        filterable: f.filterable !== false,
        createable: f.createable === true,
        updateable: f.updateable === true,
        nillable: f.nillable !== false,
        defaultedOnCreate: f.defaultedOnCreate === true,
        picklistValues: (f.picklistValues ?? []).filter((p) => p.active !== false).map((p) => p.value),
        restrictedPicklist: f.restrictedPicklist === true,
      });
    }
    out.set(sobject, fields);
  }
  return out;
}
