/**
 * What every part of the Salesforce emulator shares about a record: its shape, the per-record
 * failure Salesforce reports, and its datetime format. Kept apart from org.ts so that the object
 * rules org.ts runs (opportunities.ts, activities.ts, history.ts) can use them without importing
 * org.ts back.
 */
export type SfRecord = Record<string, unknown> & { Id: string };

export interface ItemError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A per-record failure, reported in Collections results with `statusCode` (test/fixtures/vendor/salesforce/item_errors_examples.json). */
export class RecordError extends Error {
  readonly error: ItemError;
  readonly httpStatus: number;
  constructor(statusCode: string, message: string, fields: string[] = [], httpStatus = 400) {
    super(message);
    this.error = { statusCode, message, fields };
    this.httpStatus = httpStatus;
  }
}

// Salesforce datetimes carry whole seconds ("2013-05-20T20:49:32.000+0000", docs/salesforce-api.md#soql-queries-and-paging).
export const sfDate = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('Z', '+0000');

/** The UTC calendar date of a moment, as Salesforce writes date fields ("2024-05-31"). */
export const sfDay = (t: number): string => new Date(t).toISOString().slice(0, 10);
