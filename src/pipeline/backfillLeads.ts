import { propertiesToPull } from '../domain/inputs.ts';
import type { HubSpotContact } from '../hubspot/client.ts';
import { countContacts } from '../hubspot/countContacts.ts';
import { listContacts } from '../hubspot/listContacts.ts';
import type { BackfillPosition } from '../store/sync-state.ts';
import { handleContacts } from './handleContacts.ts';
import { SalesforceLookups } from './lookups.ts';
import { emptySummary, type SyncDeps, type SyncSummary } from './ports.ts';

/** Reported after each batch is handled; `total` is HubSpot's count of contacts when known. */
export interface SyncProgress {
  pulled: number;
  total?: number;
  summary: SyncSummary;
}

export interface BackfillOptions {
  indexingLagMs: number;
  /** Contacts handed to handleContacts at once (list pages of 100 are gathered up to it). Default config.sync.batch.search_page. */
  batchSize?: number;
  /** List pages fetched ahead while a batch is handled, so the HubSpot budget is never left idle. Default 2. */
  readAhead?: number;
  onProgress?: (progress: SyncProgress) => void;
}

/**
 * Full backfill: every contact through the list endpoint (no 10,000-result cap, unlike search),
 * in batches handed to handleContacts. The list position is saved after each batch, so a crashed
 * backfill resumes where it stopped. When it completes, the search cursor is set to the
 * backfill's start minus the indexing lag: a contact changed while the backfill ran is taken
 * again by the next incremental cycle. The list endpoint returns no archived contacts and has no
 * modified-date filter, hence search for everything after.
 */
export async function backfillLeads(deps: SyncDeps, options: BackfillOptions): Promise<SyncSummary> {
  const now = deps.now ?? Date.now;
  const dryRun = deps.plannedWrites !== undefined;
  const summary = emptySummary();
  const properties = [...new Set([...propertiesToPull(deps.config), 'lastmodifieddate', 'hs_object_id'])];
  const lookups = deps.lookups ?? new SalesforceLookups(deps.salesforce);
  const batchSize = options.batchSize ?? deps.config.sync.batch.search_page;
  const beforeCall = deps.beforeHubSpotCall;

  let position: BackfillPosition = (await deps.state.backfill()) ?? { startedAt: now(), pulled: 0 };
  if (!dryRun && position.pulled === 0 && position.after === undefined) await deps.state.saveBackfill(position);
  const resumedFrom = position.pulled;
  const total = await countContacts(deps.hubspot, beforeCall);
  const report = () => options.onProgress?.({ pulled: position.pulled, total: Math.max(total, position.pulled), summary });

  if (!position.done) {
    const pages = readAhead(listContacts(deps.hubspot, { properties, ...(position.after !== undefined ? { after: position.after } : {}), ...(beforeCall ? { beforeCall } : {}) }), options.readAhead ?? 2);
    let batch: HubSpotContact[] = [];
    let after: string | undefined = position.after;
    const handle = async (last: boolean) => {
      if (batch.length > 0) {
        summary.pages += 1;
        summary.pulled += batch.length;
        await handleContacts(deps, batch, { now: now(), summary, lookups });
      }
      position = { startedAt: position.startedAt, pulled: resumedFrom + summary.pulled, ...(after !== undefined ? { after } : {}), ...(last ? { done: true } : {}) };
      if (!dryRun) await deps.state.saveBackfill(position);
      batch = [];
      report();
    };
    for await (const page of pages) {
      batch.push(...page.contacts);
      after = page.after;
      if (batch.length >= batchSize && page.after !== undefined) await handle(false);
    }
    await handle(true);
  } else {
    report();
  }

  if (!dryRun) {
    // Cursor first, then the backfill record: a crash between the two finds `done` and only sets the cursor.
    await deps.state.saveCursor({ at: position.startedAt - options.indexingLagMs, idsAtBoundary: [] });
    await deps.state.clearBackfill();
  }
  return summary;
}

/**
 * Runs an async iterator up to `depth` items ahead of its consumer. A read that fails ahead of
 * time is rethrown when the consumer reaches it (never an unhandled rejection meanwhile).
 */
async function* readAhead<T>(source: AsyncIterator<T>, depth: number): AsyncGenerator<T> {
  if (depth < 1) {
    for (let r = await source.next(); !r.done; r = await source.next()) yield r.value;
    return;
  }
  const queue: Promise<IteratorResult<T>>[] = [];
  let finished = false;
  const pull = () => {
    // Each read starts after the previous one settles: the iterator is sequential (its `after`).
    const previous = queue.at(-1);
    const next = (previous ? previous.then((r) => (r.done ? r : source.next())) : source.next());
    next.catch(() => undefined);
    queue.push(next);
  };
  try {
    for (let i = 0; i < depth; i++) pull();
    for (;;) {
      const result = await queue.shift()!;
      if (result.done) {
        finished = true;
        return;
      }
      pull();
      yield result.value;
    }
  } finally {
    if (!finished) await source.return?.(undefined).catch(() => undefined);
  }
}
