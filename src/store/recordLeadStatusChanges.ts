import type { Kysely } from 'kysely';
import type { LeadStatusChange } from '../domain/feedback/types.ts';
import type { LedgerSchema } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement (7 a row).
const ROWS_PER_STATEMENT = 5_000;

/**
 * Records lead status changes once: a rerun inserts nothing twice. A change is the same as one
 * recorded when lead, status and time match (LeadHistory rows keep their time). An approximated
 * change (no Status history: dated by SystemModstamp, which moves with every edit of the lead) is
 * new only when the lead's latest recorded status differs, so an edit of another field is not a
 * second change. Returns how many were inserted.
 */
export async function recordLeadStatusChanges(db: Kysely<LedgerSchema>, changes: readonly LeadStatusChange[]): Promise<number> {
  if (changes.length === 0) return 0;
  return db.transaction().execute(async (tx) => {
    const leadIds = [...new Set(changes.map((c) => c.leadId))];
    const latestRows = await tx
      .selectFrom('lead_status_changes')
      .select(['lead_id', 'status'])
      .distinctOn('lead_id')
      .where('lead_id', 'in', leadIds)
      .orderBy('lead_id')
      .orderBy('changed_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const latest = new Map(latestRows.map((r) => [r.lead_id, r.status]));
    const rows = [];
    for (const c of changes.toSorted((a, b) => a.changedAt - b.changedAt)) {
      if (c.approximated && latest.get(c.leadId) === c.status) continue;
      latest.set(c.leadId, c.status);
      rows.push({
        hubspot_contact_id: c.contactId,
        lead_id: c.leadId,
        status: c.status,
        status_class: c.class,
        changed_at: new Date(c.changedAt),
        approximated: c.approximated,
        reason: c.reason,
      });
    }
    let inserted = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const result = await tx
        .insertInto('lead_status_changes')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['lead_id', 'status', 'changed_at']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return inserted;
  });
}
