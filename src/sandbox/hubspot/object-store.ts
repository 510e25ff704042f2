import type { CrmObjectType } from './object-types.ts';
import type { PropertyDefinition } from './properties.ts';
import type { ContactRecord, Properties } from './store.ts';

/** A company or deal: the same shape as a contact (`SimplePublicObject`). */
export type CrmRecord = ContactRecord;

/** Properties HubSpot computes from others (a deal's stage → `hs_is_closed`, ...). */
export type DeriveProperties = (properties: Properties) => Properties;

/**
 * The portal's companies or deals, with the write rules every CRM object shares: ids are
 * sequential numbers as strings, `hs_lastmodifieddate`/updatedAt move on every write (companies and
 * deals have no `lastmodifieddate`, docs/hubspot-api.md#search), and values of a property with
 * `hasUniqueValue` are indexed so a duplicate can be refused.
 */
export class ObjectStore {
  readonly type: CrmObjectType;
  readonly definitions = new Map<string, PropertyDefinition>();
  readonly groups = new Map<string, { name: string; label: string; displayOrder: number }>();
  readonly #records = new Map<string, CrmRecord>();
  /** property → value → id, for live records and unique-value properties. */
  readonly #unique = new Map<string, Map<string, string>>();
  readonly #derive: DeriveProperties | undefined;
  #nextId: number;

  constructor(type: CrmObjectType, definitions: PropertyDefinition[], options: { firstId: number; derive?: DeriveProperties }) {
    this.type = type;
    for (const d of definitions) this.definitions.set(d.name, d);
    for (const name of new Set(definitions.map((d) => d.groupName))) this.groups.set(name, { name, label: name, displayOrder: -1 });
    this.#nextId = options.firstId;
    this.#derive = options.derive;
  }

  get size(): number {
    return this.#records.size;
  }

  /** A live record, or with `archived` an archived one only (the API's `archived=true`). */
  get(id: string, archived = false): CrmRecord | undefined {
    const r = this.#records.get(id);
    return r && r.archived === archived ? r : undefined;
  }

  /** Records in id order (the list endpoint's order). */
  all(archived = false): CrmRecord[] {
    return [...this.#records.values()].filter((r) => r.archived === archived);
  }

  isUnique(property: string): boolean {
    return property === 'hs_object_id' || this.definitions.get(property)?.hasUniqueValue === true;
  }

  /** The live record whose unique `property` holds `value` (`hs_object_id` is the id). */
  findBy(property: string, value: string): CrmRecord | undefined {
    if (property === 'hs_object_id') return this.get(value);
    const id = this.#unique.get(property)?.get(value);
    return id ? this.get(id) : undefined;
  }

  /** The first unique-value property of `properties` another live record already holds. */
  conflict(properties: Properties, exceptId?: string): { property: string; value: string; existingId: string } | undefined {
    for (const [property, value] of Object.entries(properties)) {
      if (value === null || value === '' || property === 'hs_object_id' || !this.isUnique(property)) continue;
      const existingId = this.#unique.get(property)?.get(value);
      if (existingId && existingId !== exceptId) return { property, value, existingId };
    }
    return undefined;
  }

  create(properties: Properties, at: number): CrmRecord {
    const id = String(this.#nextId++);
    const iso = new Date(at).toISOString();
    const props: Properties = { ...clean(properties), hs_object_id: id, createdate: iso, hs_lastmodifieddate: iso };
    Object.assign(props, this.#derive?.(props));
    const record: CrmRecord = { id, properties: props, createdAt: iso, updatedAt: iso, archived: false };
    this.#records.set(id, record);
    this.#indexUnique(record);
    return record;
  }

  update(id: string, properties: Properties, at: number): CrmRecord {
    const record = this.get(id);
    if (!record) throw new Error(`${this.type} ${id} not found`);
    let changed = false;
    this.#unindexUnique(record);
    for (const [name, raw] of Object.entries(properties)) {
      // "Properties values can be cleared by passing an empty string" (batch/update description).
      const value = raw === '' ? null : raw;
      if ((record.properties[name] ?? null) === value) continue;
      record.properties[name] = value;
      changed = true;
    }
    if (changed) {
      Object.assign(record.properties, this.#derive?.(record.properties));
      const iso = new Date(Math.max(at, Date.parse(record.updatedAt) + 1)).toISOString();
      record.properties.hs_lastmodifieddate = iso;
      record.updatedAt = iso;
    }
    this.#indexUnique(record);
    return record;
  }

  archive(id: string, at: number): boolean {
    const record = this.get(id);
    if (!record) return false;
    this.#unindexUnique(record);
    record.archived = true;
    record.updatedAt = new Date(Math.max(at, Date.parse(record.updatedAt) + 1)).toISOString();
    return true;
  }

  #indexUnique(record: CrmRecord): void {
    for (const [property, value] of Object.entries(record.properties)) {
      if (value === null || property === 'hs_object_id' || !this.isUnique(property)) continue;
      const index = this.#unique.get(property) ?? new Map<string, string>();
      this.#unique.set(property, index);
      index.set(value, record.id);
    }
  }

  #unindexUnique(record: CrmRecord): void {
    for (const [property, value] of Object.entries(record.properties)) {
      if (value !== null && this.#unique.get(property)?.get(value) === record.id) this.#unique.get(property)!.delete(value);
    }
  }
}

function clean(properties: Properties): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(properties)) out[k] = v === '' ? null : v;
  return out;
}
