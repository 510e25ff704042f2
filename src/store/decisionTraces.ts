import { type Kysely, sql } from 'kysely';
import type { TraceRecord } from '../domain/trace/batch-traces.ts';
import type { DecisionTrace, TraceInputs, TraceKind } from '../domain/trace/decision-trace.ts';
import type { LedgerSchema } from './schema.ts';

/** A stored trace, with the version and time of its decision. */
export interface StoredTrace extends TraceRecord {
  decidedAt: number;
  configVersion: string;
}

// 7 parameters a row; PostgreSQL takes at most 65,535 a statement.
const ROWS_PER_STATEMENT = 2_000;

/**
 * Stores traces, one per contact and hand-off key. A hand-off's or a held-back contact's trace is
 * kept as it was decided (the decision is made once and reused); a scored-only trace is replaced
 * by the next evaluation of that contact and key, until a hand-off's trace takes its place.
 */
export async function recordTraces(db: Kysely<LedgerSchema>, records: readonly TraceRecord[], context: { decidedAt: number; configVersion: string }): Promise<void> {
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    await db
      .insertInto('decision_traces')
      .values(
        records.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({
          hubspot_contact_id: r.contactId,
          handoff_key: r.handoffKey,
          kind: r.kind,
          decided_at: new Date(context.decidedAt),
          config_version: context.configVersion,
          inputs: JSON.stringify(r.inputs),
          trace: JSON.stringify(r.trace),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['hubspot_contact_id', 'handoff_key'])
          .doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            decided_at: eb.ref('excluded.decided_at'),
            config_version: eb.ref('excluded.config_version'),
            inputs: eb.ref('excluded.inputs'),
            trace: eb.ref('excluded.trace'),
          }))
          .where('decision_traces.kind', '=', 'scored'),
      )
      .execute();
  }
}

/** A contact's traces, newest first. */
export async function tracesOf(db: Kysely<LedgerSchema>, contactId: string): Promise<StoredTrace[]> {
  const rows = await db.selectFrom('decision_traces').selectAll().where('hubspot_contact_id', '=', contactId).orderBy('decided_at', 'desc').execute();
  return rows.map(storedTrace);
}

/**
 * The stored traces to replay, in decision order (time, then contact): those decided at or after
 * `since`, or the latest `last` of them (still in decision order).
 */
export async function tracesToReplay(db: Kysely<LedgerSchema>, options: { since?: number; last?: number }): Promise<StoredTrace[]> {
  let query = db.selectFrom('decision_traces').selectAll();
  if (options.since !== undefined) query = query.where('decided_at', '>=', new Date(options.since));
  if (options.last !== undefined) {
    const latest = await query.orderBy('decided_at', 'desc').orderBy('hubspot_contact_id', 'desc').orderBy('handoff_key', 'desc').limit(options.last).execute();
    return latest.reverse().map(storedTrace);
  }
  const rows = await query.orderBy('decided_at').orderBy('hubspot_contact_id').orderBy('handoff_key').execute();
  return rows.map(storedTrace);
}

/** Retention: deletes the traces (inputs and all) of decisions made before `before`; the decision rows stay. Returns how many. */
export async function pruneTraces(db: Kysely<LedgerSchema>, before: number): Promise<number> {
  const result = await db.deleteFrom('decision_traces').where('decided_at', '<', new Date(before)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many traces the ledger holds, and the oldest one's time. */
export async function traceCount(db: Kysely<LedgerSchema>): Promise<{ count: number; oldest: number | null }> {
  const row = await db
    .selectFrom('decision_traces')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`min(decided_at)`.as('oldest')])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest).getTime() : null };
}

function storedTrace(row: { hubspot_contact_id: string; handoff_key: string; kind: TraceKind; decided_at: Date; config_version: string; inputs: unknown; trace: unknown }): StoredTrace {
  return {
    contactId: row.hubspot_contact_id,
    handoffKey: row.handoff_key,
    kind: row.kind,
    decidedAt: new Date(row.decided_at).getTime(),
    configVersion: row.config_version,
    inputs: row.inputs as TraceInputs,
    trace: row.trace as DecisionTrace,
  };
}

/** Where a contact's hand-offs landed (the handoffs table), by hand-off key: what `explain` shows beside a trace. */
export async function landingsOf(
  db: Kysely<LedgerSchema>,
  contactId: string,
): Promise<Map<string, { object: 'Lead' | 'Contact'; salesforceId: string; outcome: 'created' | 'adopted' | 'existing_contact'; handedOffAt: number }>> {
  const rows = await db.selectFrom('handoffs').select(['handoff_key', 'salesforce_object', 'salesforce_id', 'outcome', 'handed_off_at']).where('hubspot_contact_id', '=', contactId).execute();
  return new Map(rows.map((r) => [r.handoff_key, { object: r.salesforce_object, salesforceId: r.salesforce_id, outcome: r.outcome, handedOffAt: new Date(r.handed_off_at).getTime() }]));
}
