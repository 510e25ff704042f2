/**
 * Tasks and events as the org keeps them. Task: IsClosed follows the status (the TaskStatus
 * values with IsClosed), CompletedDateTime is the moment it was saved closed (API 59.0+).
 * Event: StartDateTime and ActivityDateTime are one value, EndDateTime = start +
 * DurationInMinutes, ActivityDate is the start's date. Sources: docs/salesforce-api.md#activities.
 */
import { RecordError, sfDate, sfDay } from './record.ts';
import type { ObjectRules, SaveEvent } from './rules.ts';
import { CLOSED_TASK_STATUSES } from './schema.ts';

export const taskRules: ObjectRules = {
  beforeSave({ record, before, at }: SaveEvent) {
    record.IsClosed = CLOSED_TASK_STATUSES.includes(String(record.Status));
    // Set when the task is saved with a closed status; a task reopened loses it (assumption: the docs say only when it is set).
    if (record.IsClosed && !before?.IsClosed) record.CompletedDateTime = sfDate(at);
    else if (!record.IsClosed) record.CompletedDateTime = null;
  },
};

const MINUTE = 60_000;
const time = (v: unknown): number | undefined => (typeof v === 'string' ? Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : undefined);

export const eventRules: ObjectRules = {
  beforeSave({ record, before, changed }: SaveEvent) {
    const sent = (f: string) => f in changed && changed[f] !== null;
    // StartDateTime and ActivityDateTime are the same moment: whichever the save set wins.
    let start = time(sent('StartDateTime') ? record.StartDateTime : sent('ActivityDateTime') ? record.ActivityDateTime : (record.StartDateTime ?? record.ActivityDateTime));
    if (record.IsAllDayEvent === true) {
      // An all-day event is its ActivityDate, midnight UTC, lasting whole days (1,440 minutes unless given).
      const day = typeof record.ActivityDate === 'string' ? record.ActivityDate : start !== undefined ? sfDay(start) : undefined;
      if (!day) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [ActivityDate]', ['ActivityDate']);
      start = Date.parse(`${day}T00:00:00Z`);
      if (!sent('DurationInMinutes') && !sent('EndDateTime')) record.DurationInMinutes = (record.DurationInMinutes as number | null) ?? 1440;
    }
    // Assumption (codes and texts): an event with no start, or with no end and no duration.
    if (start === undefined) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [ActivityDateTime]', ['ActivityDateTime']);
    let end = time(record.EndDateTime);
    const duration = typeof record.DurationInMinutes === 'number' ? record.DurationInMinutes : undefined;
    const movedStart = before !== undefined && (sent('StartDateTime') || sent('ActivityDateTime')) && !sent('EndDateTime');
    if (sent('DurationInMinutes') || (end === undefined && duration !== undefined) || (movedStart && duration !== undefined)) end = start + (duration ?? 0) * MINUTE;
    if (end === undefined) throw new RecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [DurationInMinutes]', ['DurationInMinutes']);
    if (end < start) throw new RecordError('FIELD_INTEGRITY_EXCEPTION', 'End Date Time: The end of an event must be after its start', ['EndDateTime']);
    Object.assign(record, {
      StartDateTime: sfDate(start),
      ActivityDateTime: sfDate(start),
      EndDateTime: sfDate(end),
      DurationInMinutes: Math.round((end - start) / MINUTE),
      ActivityDate: sfDay(start),
    });
  },
};
