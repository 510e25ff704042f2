import { LIFECYCLE_STAGES, type PropertyDefinition } from './properties.ts';

export type Properties = Record<string, string | null>;

export interface ContactRecord {
  id: string;
  properties: Properties;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

interface StoredContact extends ContactRecord {
  /** What search sees: HubSpot indexes changes a few moments after they happen (docs/hubspot-api.md#search). */
  searchable: { view: ContactRecord; visibleAt: number }[];
}

export interface ChangeEvent {
  kind: 'creation' | 'propertyChange' | 'deletion' | 'privacyDeletion' | 'merge';
  objectId: string;
  propertyName?: string;
  propertyValue?: string | null;
  at: number;
  mergedObjectIds?: string[];
}

/**
 * The portal's contacts, with HubSpot's write rules: ids are sequential numbers as strings,
 * `lastmodifieddate`/updatedAt move on every write, `lifecyclestage` only moves forward, and
 * the search view lags writes by `indexingLagMs`.
 */
export class ContactStore {
  readonly definitions = new Map<string, PropertyDefinition>();
  readonly groups = new Map<string, { name: string; label: string; displayOrder: number }>();
  readonly #contacts = new Map<string, StoredContact>();
  readonly #byEmail = new Map<string, string>();
  #nextId = 1001;
  indexingLagMs: number;
  onChange: ((event: ChangeEvent) => void) | undefined;

  /** The sandbox's clock (clock.ts). The indexing lag is measured on it too: a clock moved forward makes pending writes searchable. */
  readonly #clock: { now(): number };

  constructor(definitions: PropertyDefinition[], indexingLagMs: number, clock: { now(): number } = { now: () => Date.now() }) {
    this.#clock = clock;
    for (const d of definitions) this.definitions.set(d.name, d);
    for (const name of new Set(definitions.map((d) => d.groupName))) this.groups.set(name, { name, label: name, displayOrder: -1 });
    this.indexingLagMs = indexingLagMs;
  }

  get size(): number {
    return this.#contacts.size;
  }

  get(id: string): ContactRecord | undefined {
    const c = this.#contacts.get(id);
    return c && !c.archived ? c : undefined;
  }

  findByEmail(email: string): ContactRecord | undefined {
    const id = this.#byEmail.get(email.trim().toLowerCase());
    return id ? this.get(id) : undefined;
  }

  /** Live contacts in id order (the list endpoint's order). */
  all(): ContactRecord[] {
    return [...this.#contacts.values()].filter((c) => !c.archived);
  }

  /** What search sees at `now`. */
  searchView(now: number): ContactRecord[] {
    const out: ContactRecord[] = [];
    for (const c of this.#contacts.values()) {
      let view: ContactRecord | undefined;
      for (let i = c.searchable.length - 1; i >= 0; i--) {
        if (c.searchable[i]!.visibleAt <= now) {
          view = c.searchable[i]!.view;
          break;
        }
      }
      if (view && !view.archived) out.push(view);
    }
    return out;
  }

  create(properties: Properties, at: number, options: { silent?: boolean } = {}): ContactRecord {
    const id = String(this.#nextId++);
    const iso = new Date(at).toISOString();
    const props: Properties = { ...clean(properties), hs_object_id: id, createdate: properties.createdate ?? iso, lastmodifieddate: iso, hs_lastmodifieddate: iso };
    if (props.email) props.hs_email_domain = props.email.split('@')[1]?.toLowerCase() ?? null;
    const record: StoredContact = { id, properties: props, createdAt: props.createdate ?? iso, updatedAt: iso, archived: false, searchable: [] };
    this.#index(record, at);
    this.#contacts.set(id, record);
    if (props.email) this.#byEmail.set(props.email.toLowerCase(), id);
    if (!options.silent) this.onChange?.({ kind: 'creation', objectId: id, at });
    return record;
  }

  update(id: string, properties: Properties, at: number): ContactRecord {
    const record = this.#contacts.get(id);
    if (!record || record.archived) throw new Error(`contact ${id} not found`);
    const changed: [string, string | null][] = [];
    for (const [name, raw] of Object.entries(properties)) {
      // "Properties values can be cleared by passing an empty string" (batch/update description).
      const value = raw === '' ? null : raw;
      if (name === 'lifecyclestage' && value !== null && record.properties.lifecyclestage) {
        // Assumption (HubSpot docs: stages only move forward unless cleared first): a backward move is ignored.
        if (LIFECYCLE_STAGES.indexOf(value) < LIFECYCLE_STAGES.indexOf(record.properties.lifecyclestage)) continue;
      }
      if ((record.properties[name] ?? null) === value) continue;
      if (name === 'email') {
        if (record.properties.email) this.#byEmail.delete(record.properties.email.toLowerCase());
        if (value) this.#byEmail.set(value.toLowerCase(), id);
        record.properties.hs_email_domain = value?.split('@')[1]?.toLowerCase() ?? null;
      }
      record.properties[name] = value;
      changed.push([name, value]);
    }
    if (changed.length > 0) {
      const iso = new Date(Math.max(at, Date.parse(record.updatedAt) + 1)).toISOString();
      record.properties.lastmodifieddate = iso;
      record.properties.hs_lastmodifieddate = iso;
      record.updatedAt = iso;
      this.#index(record, at);
      for (const [name, value] of changed) this.onChange?.({ kind: 'propertyChange', objectId: id, propertyName: name, propertyValue: value, at });
    }
    return record;
  }

  archive(id: string, at: number, kind: 'deletion' | 'privacyDeletion' = 'deletion'): boolean {
    const record = this.#contacts.get(id);
    if (!record || record.archived) return false;
    record.archived = true;
    if (record.properties.email) this.#byEmail.delete(record.properties.email.toLowerCase());
    if (kind === 'privacyDeletion') {
      for (const key of Object.keys(record.properties)) if (!['hs_object_id', 'createdate', 'lastmodifieddate'].includes(key)) record.properties[key] = null;
    }
    this.#index(record, at);
    this.onChange?.({ kind, objectId: id, at });
    return true;
  }

  /** HubSpot's merge: the primary survives with the other's missing values; the other is archived. */
  merge(primaryId: string, mergedId: string, at: number): ContactRecord {
    const primary = this.#contacts.get(primaryId);
    const merged = this.#contacts.get(mergedId);
    if (!primary || primary.archived || !merged || merged.archived) throw new Error('contact not found');
    const fill: Properties = {};
    for (const [k, v] of Object.entries(merged.properties)) {
      if (v !== null && (primary.properties[k] ?? null) === null && !['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate'].includes(k)) fill[k] = v;
    }
    merged.archived = true;
    if (merged.properties.email) this.#byEmail.delete(merged.properties.email.toLowerCase());
    this.#index(merged, at);
    const result = Object.keys(fill).length > 0 ? this.update(primaryId, fill, at) : primary;
    this.onChange?.({ kind: 'merge', objectId: primaryId, mergedObjectIds: [mergedId], at });
    return result;
  }

  #index(record: StoredContact, at: number): void {
    const view: ContactRecord = { id: record.id, properties: { ...record.properties }, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: record.archived };
    record.searchable.push({ view, visibleAt: at + this.indexingLagMs });
    // Keep the newest visible version and any still pending: enough to answer "what search sees".
    const now = this.#clock.now();
    while (record.searchable.length > 1 && record.searchable[1]!.visibleAt <= now) record.searchable.shift();
  }
}

function clean(properties: Properties): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(properties)) out[k] = v === '' ? null : v;
  return out;
}
