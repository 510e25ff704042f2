import type { Contact } from '../domain/contact.ts';
import { landContacts } from './landContacts.ts';
import { SalesforceLookups } from './lookups.ts';
import type { SyncDeps, SyncSummary } from './ports.ts';
import { PrivateRoutingState, routeContacts, type RunContext } from './routeContacts.ts';

/**
 * The one path every contact takes, whether a scheduled page, a backfill batch, the rescore or a
 * webhook hand-off brought it: skip contacts whose inputs did not change, score them, route new
 * hand-offs once, land them in Salesforce with their tasks, write back, and dead-letter refusals.
 */
export async function handleContacts(deps: SyncDeps, contacts: readonly Contact[], run: RunContext): Promise<void> {
  const prepared = await routeContacts(deps, contacts, run);
  if (prepared) await landContacts(deps, prepared, run);
}

/**
 * A run's context: the Salesforce lookups (the caller's, e.g. a worker's, or fresh ones for this
 * run) and the routing state (shared, or a private copy for a dry run, which moves nothing).
 */
export function runContext(deps: SyncDeps, summary: SyncSummary, options: { lookups?: SalesforceLookups; force?: boolean | ReadonlySet<string>; signal?: AbortSignal } = {}): RunContext {
  return {
    now: deps.now(),
    summary,
    lookups: options.lookups ?? new SalesforceLookups(deps.leads, deps.accountIndex, { now: deps.now }),
    routing: deps.plannedWrites ? new PrivateRoutingState(deps.routing) : deps.routing,
    ...(options.force ? { force: options.force } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
