import type { Contact } from '../domain/contact.ts';
import { propertiesToPull } from '../domain/inputs.ts';
import { runContext } from './handleContacts.ts';
import { landContacts } from './landContacts.ts';
import type { SalesforceLookups } from './lookups.ts';
import { emptySummary, type BackfillPosition, type SyncDeps, type SyncSummary } from './ports.ts';
import { mergePrepared, routeContacts, type PreparedContacts } from './routeContacts.ts';

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
  /** Changed contacts gathered at most before a write, whatever their hand-offs (bounds memory and repeated work). Default 2,000. */
  groupContacts?: number;
  onProgress?: (progress: SyncProgress) => void;
  /** Aborts the run (a lost lease, a shutdown): checked before each batch goes on. */
  signal?: AbortSignal;
  lookups?: SalesforceLookups;
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
  const now = deps.now;
  const dryRun = deps.plannedWrites !== undefined;
  const summary = emptySummary();
  const properties = [...new Set([...propertiesToPull(deps.config), 'lastmodifieddate', 'hs_object_id'])];
  const run = runContext(deps, summary, { ...(options.lookups ? { lookups: options.lookups } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const batchSize = options.batchSize ?? deps.config.sync.batch.search_page;

  let position: BackfillPosition = (await deps.state.backfill()) ?? { startedAt: now(), pulled: 0 };
  if (!dryRun && position.pulled === 0 && position.after === undefined) await deps.state.saveBackfill(position);
  const resumedFrom = position.pulled;
  const total = await deps.contacts.count();
  const report = () => options.onProgress?.({ pulled: position.pulled, total: Math.max(total, position.pulled), summary });

  if (!position.done) {
    const pages = readAhead(deps.contacts.all({ properties, ...(position.after !== undefined ? { after: position.after } : {}) })[Symbol.asyncIterator](), options.readAhead ?? 2);
    // Batches are prepared (scored, routed, decisions recorded) one after another, and gathered
    // until their hand-offs fill one Salesforce collection (as HandoffBatcher does for the
    // incremental pull), so the upserts and the write-back batches are full. A gathered group is
    // written while the next batches are prepared: both are chains of round trips, so overlapping
    // them nearly halves the time. Routing stays sequential (each prepare starts after the
    // previous one saved its round-robin positions and loads), one group is written at a time, in
    // list order, and the list position moves only past batches that are written.
    const limits = { handoffs: deps.config.sync.batch.salesforce_collection, contacts: options.groupContacts ?? 2_000 };
    let group = emptyGroup();
    let writing: Promise<void> | undefined;
    let writingIds = new Set<string>();
    const write = async (g: Group) => {
      if (g.prepared.length > 0) await landContacts(deps, mergePrepared(g.prepared), { ...run, now: now() });
      for (const mark of g.marks) {
        summary.pages += 1;
        summary.pulled += mark.size;
        position = { startedAt: position.startedAt, pulled: resumedFrom + summary.pulled, ...(mark.after !== undefined ? { after: mark.after } : {}), ...(mark.last ? { done: true } : {}) };
        if (!dryRun) await deps.state.saveBackfill(position);
        report();
      }
    };
    const dispatch = async () => {
      if (writing) await writing;
      const g = group;
      group = emptyGroup();
      writingIds = g.ids;
      writing = write(g);
      writing.catch(() => undefined); // awaited (and rethrown) before the next dispatch or at the end
    };
    try {
      for await (const batch of batches(pages, batchSize)) {
        options.signal?.throwIfAborted();
        // A contact still waiting to be written must be written before its fingerprint is read again.
        if (batch.contacts.some((c) => group.ids.has(c.id) || writingIds.has(c.id))) {
          await dispatch();
          await writing;
        }
        const prepared = batch.contacts.length > 0 ? await routeContacts(deps, batch.contacts, { ...run, now: now() }) : undefined;
        if (prepared && group.prepared.length > 0 && group.handoffs + prepared.handoffs.length > limits.handoffs) await dispatch();
        if (prepared) {
          group.prepared.push(prepared);
          group.handoffs += prepared.handoffs.length;
          for (const c of prepared.changed) group.ids.add(c.id);
        }
        group.marks.push({ size: batch.contacts.length, after: batch.after, last: batch.last });
        if (batch.last || group.handoffs >= limits.handoffs || group.ids.size >= limits.contacts) await dispatch();
      }
      await writing;
    } finally {
      // Never leave a write running behind an error: the caller may retry at once.
      await writing?.catch(() => undefined);
    }
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

/** Prepared batches waiting to be written together, and the list positions they complete. */
interface Group {
  prepared: PreparedContacts[];
  handoffs: number;
  ids: Set<string>;
  marks: { size: number; after: string | undefined; last: boolean }[];
}

function emptyGroup(): Group {
  return { prepared: [], handoffs: 0, ids: new Set(), marks: [] };
}

/** List pages gathered into batches of at least `size` contacts (the last one may be smaller). */
async function* batches(pages: AsyncIterable<{ contacts: Contact[]; after: string | undefined }>, size: number): AsyncGenerator<{ contacts: Contact[]; after: string | undefined; last: boolean }> {
  let contacts: Contact[] = [];
  for await (const page of pages) {
    contacts.push(...page.contacts);
    if (page.after === undefined) break;
    if (contacts.length >= size) {
      yield { contacts, after: page.after, last: false };
      contacts = [];
    }
  }
  yield { contacts, after: undefined, last: true };
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
    const next = previous ? previous.then((r) => (r.done ? r : source.next())) : source.next();
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
