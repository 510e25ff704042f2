import { propertiesToPull } from '../domain/inputs.ts';
import { backfillLeads, type SyncProgress } from './backfillLeads.ts';
import { HandoffBatcher } from './handoffBatcher.ts';
import { runContext } from './handleContacts.ts';
import type { SalesforceLookups } from './lookups.ts';
import { emptySummary, type SyncDeps, type SyncSummary } from './ports.ts';

export interface SyncLeadsOptions {
  indexingLagMs: number;
  pageSize?: number;
  /** Read every contact through the list endpoint even though a cursor exists (`sync leads --once --backfill`). */
  backfill?: boolean;
  onProgress?: (progress: SyncProgress) => void;
  /** Aborts the run (a lost lease, a shutdown): checked before each page goes on. */
  signal?: AbortSignal;
  lookups?: SalesforceLookups;
}

/**
 * One lead-sync cycle: pull what changed since the cursor, one page at a time, route and land the
 * pages in batches, and move the cursor only past pages written. A crash anywhere converges on
 * rerun. With no cursor yet (the first run), when asked, or while a crashed backfill waits to
 * resume, the cycle is a full backfill through the list endpoint instead (backfillLeads). A dry
 * run moves no cursor.
 */
export async function syncLeads(deps: SyncDeps, options: SyncLeadsOptions): Promise<SyncSummary> {
  const saved = await deps.state.cursor();
  if (!saved || options.backfill || (await deps.state.backfill())) {
    return backfillLeads(deps, {
      indexingLagMs: options.indexingLagMs,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.lookups ? { lookups: options.lookups } : {}),
    });
  }
  const summary = emptySummary();
  const properties = propertiesToPull(deps.config);
  const until = deps.now() - options.indexingLagMs;
  const run = runContext(deps, summary, { ...(options.lookups ? { lookups: options.lookups } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  // Pages are written in batches of hand-offs; a page's cursor moves only once it is written.
  const batcher = new HandoffBatcher(deps, run);
  for await (const page of deps.contacts.modifiedSince({ cursor: saved, until, properties, pageSize: options.pageSize ?? deps.config.sync.batch.search_page })) {
    options.signal?.throwIfAborted();
    summary.pages += 1;
    summary.pulled += page.contacts.length;
    await batcher.add(page.contacts, async () => {
      if (!deps.plannedWrites) await deps.state.saveCursor(page.cursor);
    });
    options.onProgress?.({ pulled: summary.pulled, summary });
  }
  options.signal?.throwIfAborted();
  await batcher.flush();
  return summary;
}
