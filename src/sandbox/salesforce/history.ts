/**
 * Field history tracking of Lead (LeadHistory). Salesforce writes a row per change of a tracked
 * field, and a "created" row when a record of an object with tracked fields is created, only
 * from the moment tracking was turned on: nothing is written back for earlier changes. Tracking
 * is per field, up to 20 fields per object. Sources: docs/salesforce-api.md#field-history.
 */
import type { Org } from './org.ts';
import type { ObjectRules, SaveEvent } from './rules.ts';
import { fieldOf } from './schema.ts';

/** The objects whose field history the emulator keeps, and the history object each writes to. */
const HISTORY_OBJECTS: Readonly<Record<string, { object: string; parentField: string }>> = { Lead: { object: 'LeadHistory', parentField: 'LeadId' } };
/** "You can select up to 20 fields to track per object" (Field History Tracking, Salesforce Help). */
export const MAX_TRACKED_FIELDS = 20;

/** Turns field history tracking of one field on or off, from now on. */
export function setFieldHistoryTracking(org: Org, sobject: string, field: string, on: boolean): void {
  if (!HISTORY_OBJECTS[sobject]) throw new Error(`sandbox: field history is emulated for ${Object.keys(HISTORY_OBJECTS).join(', ')} only, not ${sobject}`);
  const def = fieldOf(sobject, field);
  if (!def) throw new Error(`sandbox: ${sobject} has no field ${field}`);
  const key = `${sobject}.${def.name}`;
  if (!on) {
    org.historyTracking.delete(key);
    return;
  }
  const tracked = [...org.historyTracking].filter((k) => k.startsWith(`${sobject}.`));
  if (!tracked.includes(key) && tracked.length >= MAX_TRACKED_FIELDS) throw new Error(`sandbox: ${sobject} already tracks ${MAX_TRACKED_FIELDS} fields, the most Salesforce allows`);
  org.historyTracking.add(key);
}

function trackedFields(org: Org, sobject: string): string[] {
  return [...org.historyTracking].filter((k) => k.startsWith(`${sobject}.`)).map((k) => k.slice(sobject.length + 1));
}

export const leadHistoryRules: ObjectRules = {
  afterSave({ org, sobject, record, before, userId, at }: SaveEvent) {
    const target = HISTORY_OBJECTS[sobject]!;
    const fields = trackedFields(org, sobject);
    if (fields.length === 0) return;
    const row = (field: string, oldValue: unknown, newValue: unknown) =>
      org.insertRaw(target.object, { [target.parentField]: record.Id, Field: field, OldValue: oldValue ?? null, NewValue: newValue ?? null, CreatedById: userId }, at);
    if (!before) {
      row('created', null, null);
      return;
    }
    for (const field of fields) {
      if ((before[field] ?? null) !== (record[field] ?? null)) row(field, before[field], record[field]);
    }
  },
};
