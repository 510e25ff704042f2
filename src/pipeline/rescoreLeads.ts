import { propertiesToPull } from '../domain/inputs.ts';
import { handleContacts, runContext } from './handleContacts.ts';
import { emptySummary, type DueContact, type SyncDeps, type SyncSummary } from './ports.ts';

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
export async function rescoreLeads(deps: SyncDeps, options: { pageSize?: number; signal?: AbortSignal } = {}): Promise<RescoreSummary> {
  const dueBy = deps.now();
  const pageSize = options.pageSize ?? deps.config.sync.batch.hubspot_batch;
  const summary: RescoreSummary = { ...emptySummary(), reviewed: 0, regraded: 0, mqlChanged: 0, missing: 0 };
  const properties = propertiesToPull(deps.config);
  const run = runContext(deps, summary, { force: true, ...(options.signal ? { signal: options.signal } : {}) });
  let after: { reviewAt: number; contactId: string } | undefined;

  for (;;) {
    options.signal?.throwIfAborted();
    const due = await deps.ledger.dueForReview({ now: dueBy, limit: pageSize, ...(after ? { after } : {}) });
    if (due.length === 0) break;
    // Keyset: a contact that stays due (its Salesforce write failed) is not read again this run.
    const last = due.at(-1)!;
    after = { reviewAt: last.reviewAt, contactId: last.contactId };
    summary.pages += 1;
    summary.reviewed += due.length;
    const ids = due.map((d) => d.contactId);
    const { contacts } = await deps.contacts.read(ids, properties);
    summary.pulled += contacts.length;
    // Not found, or answered under another id (merged away): either way this id has no contact left to grade.
    const returned = new Set(contacts.map((c) => c.id));
    const gone = ids.filter((id) => !returned.has(id));
    summary.missing += gone.length;
    if (deps.plannedWrites) for (const id of gone) deps.plannedWrites.push({ system: 'ledger', operation: 'score-forget', key: id });
    else await deps.ledger.forgetScores(gone);

    const planned = deps.plannedWrites?.length ?? 0;
    await handleContacts(deps, contacts, { ...run, now: deps.now() });
    const graded = deps.plannedWrites ? plannedGrades(deps.plannedWrites.slice(planned)) : await deps.ledger.grades(ids);
    for (const d of due) countChange(summary, d, graded.get(d.contactId));
  }
  return summary;
}

type GradeState = { grade: string; mql: boolean };

function countChange(summary: RescoreSummary, before: DueContact, after: GradeState | undefined): void {
  if (!after) return;
  if (after.grade !== before.grade) summary.regraded += 1;
  if (after.mql !== before.mql) summary.mqlChanged += 1;
}

function plannedGrades(writes: NonNullable<SyncDeps['plannedWrites']>): Map<string, GradeState> {
  return new Map(writes.filter((w) => w.operation === 'score-record').map((w) => [w.key, { grade: String(w.fields?.grade), mql: Boolean(w.fields?.mql) }]));
}
