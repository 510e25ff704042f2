import { IdFactory, isSalesforceId, sobjectOfId, toId18 } from './ids.ts';
import { RecordError, type SfRecord, sfDate } from './record.ts';
import { rulesOf, type SaveEvent } from './rules.ts';
import { fieldOf, isAvailable, objectInfo, SCHEMA, type FieldDef, type SchemaView } from './schema.ts';

export { type ItemError, RecordError, type SfRecord, sfDate } from './record.ts';

export interface WriteOptions {
  /** `Sforce-Auto-Assign: FALSE` sent: the active assignment rule does not run. */
  autoAssign: boolean;
  /** `Sforce-Duplicate-Rule-Header: allowSave=true` sent: a duplicate-rule match may still be saved. */
  allowDuplicateSave: boolean;
  /** The user the session belongs to (CreatedById etc.). */
  userId: string;
  /** The request's API version: fields newer than it do not exist for it (INVALID_FIELD). Default: every field. */
  apiVersion?: number;
}

export interface OrgBehaviour {
  /** An active Lead assignment rule routes new Leads to this owner unless Sforce-Auto-Assign is FALSE. */
  assignmentRuleOwnerId?: string;
  /** A duplicate rule on Lead email (alert + block) answers DUPLICATES_DETECTED unless the header allows the save. */
  duplicateRuleOnLeadEmail: boolean;
  /**
   * Multiple currencies enabled, with these active ISO codes (the first is the corporate currency):
   * CurrencyIsoCode then exists on currency-bearing objects. Absent: a single-currency org, where
   * the field does not exist at all.
   */
  currencies?: readonly string[];
}

/**
 * The org's data with Salesforce's write rules: required fields, field lengths, unique and
 * external-ID fields, owners that must be active users or queues, converted leads that cannot
 * be updated, the Lead assignment rule and the duplicate rule on Lead email.
 */
export class Org {
  readonly ids = new IdFactory();
  readonly #data = new Map<string, Map<string, SfRecord>>();
  /** Per object and field: lower-cased text value → ids. Built on first lookup, kept by this class's writes. */
  readonly #indexes = new Map<string, Map<string, FieldIndex>>();
  /** Insertion order of records, so an indexed read returns rows in the order a scan would. */
  readonly #ordinal = new WeakMap<SfRecord, number>();
  #inserted = 0;
  behaviour: OrgBehaviour;
  /** `Object.Field` pairs with field history tracking on (Setup → Fields → Set History Tracking); history.ts writes their rows. */
  readonly historyTracking = new Set<string>();

  /** The sandbox's clock (clock.ts): the time every write is stamped with unless it is given one. */
  readonly clock: { now(): number };

  constructor(behaviour: OrgBehaviour, clock: { now(): number } = { now: () => Date.now() }) {
    this.behaviour = behaviour;
    this.clock = clock;
    for (const sobject of Object.keys(SCHEMA)) this.#data.set(sobject, new Map());
  }

  table(sobject: string): Map<string, SfRecord> {
    const table = this.#data.get(canonicalObject(sobject));
    if (!table) throw new RecordError('NOT_FOUND', `The requested resource does not exist: sObject type '${sobject}' is not supported.`, [], 404);
    return table;
  }

  get(sobject: string, id: string): SfRecord | undefined {
    const record = this.table(sobject).get(isSalesforceId(id) ? toId18(id) : id);
    return record && !record.IsDeleted ? record : undefined;
  }

  find(id: string): SfRecord | undefined {
    const sobject = sobjectOfId(id);
    return sobject ? this.get(sobject, id) : undefined;
  }

  findByField(sobject: string, field: string, value: unknown): SfRecord[] {
    const def = fieldOf(canonicalObject(sobject), field);
    if (!def) return [];
    const wanted = String(value).toLowerCase();
    const matchesValue = (r: SfRecord) => !r.IsDeleted && r[def.name] !== null && r[def.name] !== undefined && String(r[def.name]).toLowerCase() === wanted;
    const index = this.#index(sobject, def.name);
    if (index.textOnly) return this.#inOrder(sobject, index.ids.get(wanted) ?? []).filter(matchesValue);
    return [...this.table(sobject).values()].filter(matchesValue);
  }

  /**
   * Records that may satisfy `field = text` or `field IN (texts)` — the candidates a SOQL filter
   * needs to look at — or undefined when the field holds other than text (a full scan then).
   */
  candidates(sobject: string, field: string, values: readonly string[]): SfRecord[] | undefined {
    const def = fieldOf(canonicalObject(sobject), field);
    if (!def) return undefined;
    const index = this.#index(sobject, def.name);
    if (!index.textOnly) return undefined;
    return this.#inOrder(
      sobject,
      values.flatMap((v) => [...(index.ids.get(v.toLowerCase()) ?? [])]),
    );
  }

  /** Records were changed outside this class (the sandbox's test hands): indexes are rebuilt on next use. */
  invalidateIndexes(): void {
    this.#indexes.clear();
  }

  #index(sobject: string, field: string): FieldIndex {
    const name = canonicalObject(sobject);
    let byField = this.#indexes.get(name);
    if (!byField) {
      byField = new Map();
      this.#indexes.set(name, byField);
    }
    let index = byField.get(field);
    if (!index) {
      index = { ids: new Map(), textOnly: true };
      for (const r of this.table(name).values()) addToIndex(index, r, field);
      byField.set(field, index);
    }
    return index;
  }

  #inOrder(sobject: string, ids: Iterable<string>): SfRecord[] {
    const table = this.table(sobject);
    const records = [...new Set(ids)].map((id) => table.get(id)).filter((r): r is SfRecord => r !== undefined);
    return records.sort((a, b) => (this.#ordinal.get(a) ?? 0) - (this.#ordinal.get(b) ?? 0));
  }

  /** Keeps built indexes of `sobject` true to a record's new values (`before`: its values until now). */
  #reindex(sobject: string, record: SfRecord, before: Record<string, unknown> | undefined): void {
    const byField = this.#indexes.get(canonicalObject(sobject));
    if (!byField) return;
    for (const [field, index] of byField) {
      if (before && before[field] === record[field]) continue;
      if (before) removeFromIndex(index, record.Id, before[field]);
      addToIndex(index, record, field);
    }
  }

  #store(name: string, record: SfRecord): void {
    this.#ordinal.set(record, this.#inserted++);
    this.table(name).set(record.Id, record);
    this.#reindex(name, record, undefined);
  }

  /** Inserts without API checks: seeding and the sales simulator. */
  insertRaw(sobject: string, fields: Record<string, unknown>, at = this.clock.now()): SfRecord {
    const name = canonicalObject(sobject);
    const id = this.ids.next(name);
    const record: SfRecord = { ...systemDefaults(name, at), ...fields, Id: id };
    // A record of a multi-currency org always has a currency: the corporate one unless given.
    if (this.behaviour.currencies && fieldOf(name, 'CurrencyIsoCode') && record.CurrencyIsoCode === undefined) record.CurrencyIsoCode = this.behaviour.currencies[0];
    this.#store(name, record);
    return record;
  }

  /** The fields a caller of this org can see at an API version (undefined: the newest). */
  view(apiVersion?: number): SchemaView {
    return { version: apiVersion ?? Number.POSITIVE_INFINITY, multiCurrency: this.behaviour.currencies !== undefined };
  }

  create(sobject: string, input: Record<string, unknown>, options: WriteOptions, at = this.clock.now()): SfRecord {
    const name = canonicalObject(sobject);
    const info = objectInfo(name);
    if (!info.createable) throw new RecordError('CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', `entity type cannot be inserted: ${info.label}`, []);
    const view = this.view(options.apiVersion);
    const fields = this.#validate(name, input, 'create', view);
    for (const def of SCHEMA[name]!) {
      if (def.defaultValue !== undefined && (fields[def.name] === undefined || fields[def.name] === null)) fields[def.name] = def.defaultValue;
    }
    if (this.behaviour.currencies && fieldOf(name, 'CurrencyIsoCode')) fields.CurrencyIsoCode ??= this.behaviour.currencies[0];
    const missing = SCHEMA[name]!.filter(
      (d) => d.createable && !d.nillable && isAvailable(d, view) && d.name !== 'OwnerId' && (fields[d.name] === undefined || fields[d.name] === null || fields[d.name] === ''),
    ).map((d) => d.name);
    if (missing.length > 0) throw new RecordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    if (name === 'Lead') {
      if (options.autoAssign && this.behaviour.assignmentRuleOwnerId) fields.OwnerId = this.behaviour.assignmentRuleOwnerId;
      this.#checkDuplicateRule(fields, undefined, options);
    }
    if (fieldOf(name, 'OwnerId')) fields.OwnerId ??= options.userId;
    this.#checkOwner(name, fields.OwnerId as string | undefined);
    this.#checkUnique(name, fields, undefined);
    const candidate = { ...systemDefaults(name, at), ...fields, Id: '', CreatedById: options.userId, LastModifiedById: options.userId } as SfRecord;
    const event: SaveEvent = { org: this, sobject: name, record: candidate, before: undefined, changed: fields, userId: options.userId, at };
    for (const rules of rulesOf(name)) rules.beforeSave?.(event);
    // The id is handed out once the write can no longer be refused.
    candidate.Id = this.ids.next(name);
    this.#store(name, candidate);
    for (const rules of rulesOf(name)) rules.afterSave?.(event);
    return candidate;
  }

  update(sobject: string, id: string, input: Record<string, unknown>, options: WriteOptions, at = this.clock.now()): SfRecord {
    const name = canonicalObject(sobject);
    if (!isSalesforceId(id) || sobjectOfId(id) !== name) throw new RecordError('MALFORMED_ID', `${name} ID: id value of incorrect type: ${id}`, ['Id']);
    const info = objectInfo(name);
    if (!info.updateable) throw new RecordError('CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', `entity type cannot be updated: ${info.label}`, []);
    const record = this.get(name, id);
    if (!record) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    if (name === 'Lead' && record.IsConverted) throw new RecordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
    const fields = this.#validate(name, input, 'update', this.view(options.apiVersion));
    for (const [k, v] of Object.entries(fields)) {
      const def = fieldOf(name, k)!;
      if (!def.nillable && (v === null || v === '')) throw new RecordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${def.name}]`, [def.name]);
    }
    if (fields.OwnerId !== undefined) this.#checkOwner(name, fields.OwnerId as string);
    if (name === 'Lead') this.#checkDuplicateRule(fields, record.Id, options);
    this.#checkUnique(name, fields, record.Id);
    return this.#apply(name, record, fields, options.userId, at);
  }

  /**
   * A change the org makes itself (lead conversion setting IsConverted and the converted ids): no
   * field-level or converted-lead checks, but the object's rules run as on any save (derived
   * fields, history rows) and the audit fields move.
   */
  systemUpdate(sobject: string, id: string, fields: Record<string, unknown>, userId: string, at = this.clock.now()): SfRecord {
    const name = canonicalObject(sobject);
    const record = this.get(name, id);
    if (!record) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    return this.#apply(name, record, fields, userId, at);
  }

  /** Applies validated fields: the rules see the record as it will be before anything is changed, so a refusal leaves it as it was. */
  #apply(name: string, record: SfRecord, fields: Record<string, unknown>, userId: string, at: number): SfRecord {
    const candidate: SfRecord = { ...record, ...fields, LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId };
    const before = { ...record };
    const event: SaveEvent = { org: this, sobject: name, record: candidate, before, changed: fields, userId, at };
    for (const rules of rulesOf(name)) rules.beforeSave?.(event);
    Object.assign(record, candidate);
    event.record = record;
    this.#reindex(name, record, before);
    for (const rules of rulesOf(name)) rules.afterSave?.(event);
    return record;
  }

  delete(sobject: string, id: string, at = this.clock.now()): void {
    const name = canonicalObject(sobject);
    const info = objectInfo(name);
    if (!info.deletable) throw new RecordError('CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', `entity type cannot be deleted: ${info.label}`, []);
    const record = this.get(name, id);
    if (!record) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    record.IsDeleted = true;
    record.SystemModstamp = sfDate(at);
    for (const rules of rulesOf(name)) rules.afterDelete?.(this, record, at);
  }

  #validate(sobject: string, input: Record<string, unknown>, mode: 'create' | 'update', view: SchemaView): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (key === 'attributes' || (key === 'Id' && mode === 'update')) continue;
      const def = fieldOf(sobject, key);
      if (!def || !isAvailable(def, view)) throw new RecordError('INVALID_FIELD', `No such column '${key}' on sobject of type ${sobject}`, [key]);
      if (mode === 'create' ? !def.createable : !def.updateable) {
        throw new RecordError(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${def.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [def.name],
        );
      }
      out[def.name] = coerce(def, value);
      const allowed = def.name === 'CurrencyIsoCode' ? this.behaviour.currencies : def.restricted ? def.picklistValues : undefined;
      if (allowed && out[def.name] !== null && !allowed.includes(out[def.name] as string)) {
        // "Stage: bad value for restricted picklist field: X" (captured refusals of restricted picklists name the field by its label).
        throw new RecordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${def.label ?? def.name}: bad value for restricted picklist field: ${String(out[def.name])}`, [def.name]);
      }
    }
    return out;
  }

  #checkOwner(sobject: string, ownerId: string | undefined): void {
    if (ownerId === undefined) return;
    if (!isSalesforceId(ownerId)) throw new RecordError('MALFORMED_ID', `Owner ID: id value of incorrect type: ${ownerId}`, ['OwnerId']);
    const owner = this.find(ownerId);
    if (!owner || (sobjectOfId(ownerId) !== 'User' && sobjectOfId(ownerId) !== 'Group')) {
      throw new RecordError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, ['OwnerId']);
    }
    if (sobjectOfId(ownerId) === 'User' && owner.IsActive === false) {
      throw new RecordError('INACTIVE_OWNER_OR_USER', `operation performed with inactive user [${ownerId}] as owner of ${sobject.toLowerCase()}`, ['OwnerId']);
    }
    // Assumption (unconfirmed): tasks and events cannot be owned by queues.
    if ((sobject === 'Task' || sobject === 'Event') && sobjectOfId(ownerId) === 'Group') throw new RecordError('FIELD_INTEGRITY_EXCEPTION', 'Assigned To ID: owner cannot be a queue', ['OwnerId']);
  }

  #checkUnique(sobject: string, fields: Record<string, unknown>, selfId: string | undefined): void {
    for (const def of SCHEMA[sobject]!) {
      if (!def.unique || fields[def.name] === undefined || fields[def.name] === null) continue;
      const clash = this.findByField(sobject, def.name, fields[def.name]).find((r) => r.Id !== selfId);
      if (clash) throw new RecordError('DUPLICATE_VALUE', `duplicate value found: ${def.name} duplicates value on record with id: ${clash.Id}`, []);
    }
  }

  #checkDuplicateRule(fields: Record<string, unknown>, selfId: string | undefined, options: WriteOptions): void {
    if (!this.behaviour.duplicateRuleOnLeadEmail || options.allowDuplicateSave || typeof fields.Email !== 'string' || fields.Email === '') return;
    const clash = this.findByField('Lead', 'Email', fields.Email).find((r) => r.Id !== selfId && !r.IsConverted);
    if (clash) throw new RecordError('DUPLICATES_DETECTED', 'Use one of these records?', []);
  }
}

export function canonicalObject(name: string): string {
  return Object.keys(SCHEMA).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function systemDefaults(sobject: string, at: number): Record<string, unknown> {
  const base: Record<string, unknown> = { IsDeleted: false, CreatedDate: sfDate(at), LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at) };
  if (sobject === 'Lead') Object.assign(base, { IsConverted: false, Status: 'Open - Not Contacted' });
  if (sobject === 'Task') Object.assign(base, { Status: 'Not Started', Priority: 'Normal', IsClosed: false });
  if (sobject === 'Campaign') Object.assign(base, { NumberOfOpportunities: 0, NumberOfWonOpportunities: 0, AmountAllOpportunities: 0, AmountWonOpportunities: 0 });
  return base;
}

function coerce(def: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : undefined;
  switch (def.type) {
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = typeof value === 'number' ? value : Number(text);
      if (!Number.isFinite(n)) throw new RecordError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${def.name}: value not of required type: ${String(value)}`, [def.name]);
      return def.type === 'int' ? Math.trunc(n) : n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (text === 'true' || text === 'false') return text === 'true';
      throw new RecordError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${def.name}: value not of required type: ${String(value)}`, [def.name]);
    case 'reference':
      if (typeof value !== 'string' || !isSalesforceId(value)) throw new RecordError('MALFORMED_ID', `${def.label ?? def.name}: id value of incorrect type: ${String(value)}`, [def.name]);
      return toId18(value);
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw new RecordError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${def.name}: value not of required type: ${String(value)}`, [def.name]);
      return value;
    case 'datetime': {
      // ISO 8601 in, Salesforce's own form out ("2024-05-20T20:49:32.000+0000").
      const t = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
      if (Number.isNaN(t)) throw new RecordError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${def.name}: value not of required type: ${String(value)}`, [def.name]);
      return sfDate(t);
    }
    default: {
      const s = String(value);
      if (def.length !== undefined && s.length > def.length) {
        throw new RecordError('STRING_TOO_LONG', `${def.label ?? def.name}: data value too large: ${s.slice(0, 40)}${s.length > 40 ? '...' : ''} (max length=${def.length})`, [def.name]);
      }
      return s;
    }
  }
}

interface FieldIndex {
  ids: Map<string, Set<string>>;
  /** False once a record holds a non-text value in the field: lookups then scan, as SOQL compares other types differently. */
  textOnly: boolean;
}

function addToIndex(index: FieldIndex, record: SfRecord, field: string): void {
  const value = record[field];
  if (value === null || value === undefined) return;
  if (typeof value !== 'string') {
    index.textOnly = false;
    return;
  }
  const key = value.toLowerCase();
  let ids = index.ids.get(key);
  if (!ids) {
    ids = new Set();
    index.ids.set(key, ids);
  }
  ids.add(record.Id);
}

function removeFromIndex(index: FieldIndex, id: string, value: unknown): void {
  if (typeof value === 'string') index.ids.get(value.toLowerCase())?.delete(id);
}
