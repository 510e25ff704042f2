/**
 * A record the vendor refused for a reason a retry cannot fix (validation, required field, too
 * long, unknown property): it goes to the dead-letter list with the reason and the raw error,
 * and the page goes on. The queue never retries it (src/queue/retry.ts matches the name).
 */
export class InvalidRecord extends Error {
  readonly system: 'hubspot' | 'salesforce';
  readonly recordKey: string;
  readonly code: string;
  readonly raw: unknown;
  constructor(system: 'hubspot' | 'salesforce', recordKey: string, code: string, message: string, raw?: unknown) {
    super(message);
    this.name = 'InvalidRecord';
    this.system = system;
    this.recordKey = recordKey;
    this.code = code;
    this.raw = raw;
  }
}
