/**
 * A record a system refused for itself (a validation rule, a required field, a duplicate rule, a
 * value too long): not an Error, since the batch goes on. It goes to the dead-letter list with
 * the vendor's code and the field names it named — never the vendor's message, which can quote
 * the values (personal data).
 */
export interface Rejection {
  system: 'hubspot' | 'salesforce';
  /** The record's id: a HubSpot contact id, a Salesforce id or a task key. */
  recordKey: string;
  /** The vendor's code: Salesforce statusCode, HubSpot category. */
  code: string;
  /** Field or property names the vendor named. */
  fields: string[];
}

/** A person's one-line reason for a rejection: code and fields only. */
export function rejectionReason(rejection: Pick<Rejection, 'code' | 'fields'>): string {
  return rejection.fields.length > 0 ? `${rejection.code} (${rejection.fields.join(', ')})` : rejection.code;
}
