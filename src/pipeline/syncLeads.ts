import { propertiesToPull } from '../domain/inputs.ts';
import { searchModifiedContacts, type ContactCursor } from '../hubspot/searchModifiedContacts.ts';
import { backfillLeads, type SyncProgress } from './backfillLeads.ts';
import { HandoffBatcher } from './handoffBatcher.ts';
import { lookupsFor } from './lookups.ts';
import { emptySummary, type SyncDeps, type SyncSummary } from './ports.ts';

export interface SyncLeadsOptions {
  indexingLagMs: number;
  pageSize?: number;
  /** Read every contact through the list endpoint even though a cursor exists (`sync leads --once --backfill`). */
  backfill?: boolean;
  onProgress?: (progress: SyncProgress) => void;
}

/**
 * One lead-sync cycle: pull what changed since the cursor, one page at a time, hand each page to
 * handleContacts, and only then move the cursor. A crash anywhere converges on rerun.
 * With no cursor yet (the first run), when asked, or while a crashed backfill waits to resume,
 * the cycle is a full backfill through the list endpoint instead (backfillLeads).
 */
export async function syncLeads(deps: SyncDeps, options: SyncLeadsOptions): Promise<SyncSummary> {
  const saved = await deps.state.cursor();
  if (!saved || options.backfill || (await deps.state.backfill())) {
    return backfillLeads(deps, { indexingLagMs: options.indexingLagMs, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  }
  const now = deps.now ?? Date.now;
  const summary = emptySummary();
  const cursor: ContactCursor = saved;
  const properties = propertiesToPull(deps.config);
  const until = now() - options.indexingLagMs;
  const lookups = lookupsFor(deps);
  // Pages are written in batches of hand-offs; a page's cursor moves only once it is written.
  const batcher = new HandoffBatcher(deps, { summary, lookups, now });

  for await (const page of searchModifiedContacts(deps.hubspot, { cursor, until, properties, pageSize: options.pageSize ?? deps.config.sync.batch.search_page, ...(deps.beforeHubSpotCall ? { beforeCall: deps.beforeHubSpotCall } : {}) })) {
    summary.pages += 1;
    summary.pulled += page.contacts.length;
    await batcher.add(page.contacts, async () => {
      if (!deps.plannedWrites) await deps.state.saveCursor(page.cursor);
    });
    options.onProgress?.({ pulled: summary.pulled, summary });
  }
  await batcher.flush();
  return summary;
}
