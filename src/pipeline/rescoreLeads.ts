import { propertiesToPull } from '../domain/inputs.ts';
import { batchReadContacts } from '../hubspot/batchReadContacts.ts';
import { contactsDueForReview, cursorAfter, type DueContact, type ReviewCursor } from '../store/contactsDueForReview.ts';
import { forgetContactScores } from '../store/forgetContactScores.ts';
import { handleContacts } from './handleContacts.ts';
import { lookupsFor } from './lookups.ts';
import { emptySummary, type SyncDeps, type SyncSummary } from './ports.ts';

export interface RescoreSummary extends SyncSummary {
  /** Contacts due for review (decay may have changed their grade or MQL state). */
  reviewed: number;
  /** Due contacts whose grade is now different. */
  regraded: number;
  /** Due contacts that are MQL no longer, or again. */
  mqlChanged: number;
  /** Due contacts HubSpot no longer has (deleted or merged away): their scores were dropped. */
  missing: number;
}

/**
 * The daily rescore: decay moves scores while nothing changes in HubSpot, so no sync would
 * re-grade them. Reads only the contacts the ledger says are due (review_at ≤ now), 100 a batch
 * read, and puts them through handleContacts with `force`, so the grade, the write-back rules
 * and the once-only hand-off are exactly those of the sync.
 */
export async function rescoreLeads(deps: SyncDeps, options: { pageSize?: number } = {}): Promise<RescoreSummary> {
  const now = deps.now ?? Date.now;
  const dueBy = now();
  const pageSize = options.pageSize ?? deps.config.sync.batch.hubspot_batch;
  const summary: RescoreSummary = { ...emptySummary(), reviewed: 0, regraded: 0, mqlChanged: 0, missing: 0 };
  const properties = propertiesToPull(deps.config);
  const lookups = lookupsFor(deps);
  let after: ReviewCursor | undefined;

  for (;;) {
    const due = await contactsDueForReview(deps.ledger, { now: dueBy, limit: pageSize, ...(after ? { after } : {}) });
    if (due.length === 0) break;
    // Keyset: a contact that stays due (its Salesforce write failed) is not read again this run.
    after = cursorAfter(due);
    summary.pages += 1;
    summary.reviewed += due.length;
    const ids = due.map((d) => d.hubspot_contact_id);
    const { contacts } = await batchReadContacts(deps.hubspot, ids, properties, deps.beforeHubSpotCall);
    summary.pulled += contacts.length;
    // Not found, or answered under another id (merged away): either way this id has no contact left to grade.
    const returned = new Set(contacts.map((c) => c.id));
    const gone = ids.filter((id) => !returned.has(id));
    summary.missing += gone.length;
    if (deps.plannedWrites) for (const id of gone) deps.plannedWrites.push({ system: 'ledger', operation: 'score-forget', key: id });
    else await forgetContactScores(deps.ledger, gone);

    const planned = deps.plannedWrites?.length ?? 0;
    await handleContacts(deps, contacts, { now: now(), summary, lookups, force: true });
    const graded = deps.plannedWrites ? plannedGrades(deps.plannedWrites.slice(planned)) : await storedGrades(deps, ids);
    for (const d of due) countChange(summary, d, graded.get(d.hubspot_contact_id));
  }
  return summary;
}

type GradeState = { grade: string; mql: boolean };

function countChange(summary: RescoreSummary, before: DueContact, after: GradeState | undefined): void {
  if (!after) return;
  if (after.grade !== before.grade) summary.regraded += 1;
  if (after.mql !== before.mql) summary.mqlChanged += 1;
}

async function storedGrades(deps: SyncDeps, ids: readonly string[]): Promise<Map<string, GradeState>> {
  const rows = await deps.ledger.selectFrom('contact_scores').select(['hubspot_contact_id', 'grade', 'mql']).where('hubspot_contact_id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.hubspot_contact_id, r]));
}

function plannedGrades(writes: NonNullable<SyncDeps['plannedWrites']>): Map<string, GradeState> {
  return new Map(writes.filter((w) => w.operation === 'score-record').map((w) => [w.key, { grade: String(w.fields?.grade), mql: Boolean(w.fields?.mql) }]));
}
