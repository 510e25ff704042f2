import type { Connection } from 'jsforce';
import { toSalesforceError } from './errors.ts';

/** What preflight needs to know about one Salesforce field, from describe. */
export interface DescribedField {
  name: string;
  type: string;
  /** Characters a text field holds; 0 for types without a length. */
  length: number;
  externalId: boolean;
  unique: boolean;
  /** Usable in a SOQL WHERE; long text areas are not. Absent from describe: assumed true. */
  filterable: boolean;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  defaultedOnCreate: boolean;
  picklistValues: string[];
  restrictedPicklist: boolean;
}

/** An object's fields by lower-cased API name (Salesforce field names are case-insensitive). */
export type DescribedObject = Map<string, DescribedField>;

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
      throw toSalesforceError(error);
    }
    const fields: DescribedObject = new Map();
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
