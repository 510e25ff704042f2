import { propertiesToPull } from '../domain/inputs.ts';
import { searchModifiedContacts, type ContactCursor } from '../hubspot/searchModifiedContacts.ts';
import { handleContacts } from './handleContacts.ts';
import { SalesforceLookups } from './lookups.ts';
import { emptySummary, type SyncDeps, type SyncSummary } from './ports.ts';

/**
 * One lead-sync cycle: pull what changed since the cursor, one page at a time, hand each page to
 * handleContacts, and only then move the cursor. A crash anywhere converges on rerun.
 */
export async function syncLeads(deps: SyncDeps, options: { indexingLagMs: number; pageSize?: number }): Promise<SyncSummary> {
  const now = deps.now ?? Date.now;
  const summary = emptySummary();
  const cursor: ContactCursor = (await deps.state.cursor()) ?? { at: 0, idsAtBoundary: [] };
  const properties = propertiesToPull(deps.config);
  const until = now() - options.indexingLagMs;
  const lookups = deps.lookups ?? new SalesforceLookups(deps.salesforce);

  for await (const page of searchModifiedContacts(deps.hubspot, { cursor, until, properties, pageSize: options.pageSize ?? deps.config.sync.batch.search_page, ...(deps.beforeHubSpotCall ? { beforeCall: deps.beforeHubSpotCall } : {}) })) {
    summary.pages += 1;
    summary.pulled += page.contacts.length;
    await handleContacts(deps, page.contacts, { now: now(), summary, lookups });
    if (!deps.plannedWrites) await deps.state.saveCursor(page.cursor);
  }
  return summary;
}
