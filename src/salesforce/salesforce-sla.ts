import type { Connection } from 'jsforce';
import type { ObservedTouch } from '../domain/sla/plan-check.ts';
import type { RecordObservation, SlaCapabilities } from '../domain/sla/types.ts';
import type { Rejection } from '../errors/index.ts';
import { describeFields } from './describeFields.ts';
import { leadStatusHistoryTracked } from './feedbackCapabilities.ts';
import { readSlaObservations } from './readSlaObservations.ts';
import { updateRecords } from './updateRecords.ts';

/** Salesforce as the SLA clock sees it: touches and owners of handed-off records, and the owner change of an escalation. */
export class SalesforceSla {
  readonly #conn: Connection;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /**
   * Two calls: the describe of Task (CompletedDateTime exists from API 59.0) and FieldDefinition
   * for whether Lead.Status history is tracked (docs/salesforce-api.md#fielddefinition).
   */
  async capabilities(): Promise<SlaCapabilities> {
    const task = (await describeFields(this.#conn, ['Task'])).get('Task');
    return { taskCompletedDateTime: task?.has('completeddatetime') === true, statusHistoryTracked: await leadStatusHistoryTracked(this.#conn) };
  }

  observe(
    records: readonly { object: 'Lead' | 'Contact'; id: string; since: number }[],
    capabilities: SlaCapabilities,
    now: number,
  ): Promise<Map<string, RecordObservation & { touches: ObservedTouch[] }>> {
    return readSlaObservations(this.#conn, records, capabilities, now);
  }

  /** Gives leads to their new owners (a breach's reassignment), with `Sforce-Auto-Assign: FALSE` so the org's assignment rules keep them. */
  reassign(updates: readonly { id: string; ownerId: string }[]): Promise<{ updated: string[]; rejections: Rejection[] }> {
    return updateRecords(
      this.#conn,
      'Lead',
      updates.map((u) => ({ id: u.id, fields: { OwnerId: u.ownerId } })),
      { 'Sforce-Auto-Assign': 'FALSE' },
    );
  }
}
