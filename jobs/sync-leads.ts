import { parseDuration } from '../src/domain/config/duration.ts';
import { slaClockOn } from '../src/domain/sla/clock-on.ts';
import type { SyncSummary } from '../src/pipeline/ports.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import type { JobDefinition } from '../src/queue/job.ts';

export interface SyncLeadsData {
  /** Read every contact through the list endpoint even though a cursor exists. */
  backfill?: boolean;
}

/**
 * The scheduled lead sync: one cycle per job on the `sync` queue (global concurrency 1) under its
 * lease, after setup's preflight. A BullMQ scheduler adds the next job when the last one starts,
 * so a long cycle is kept from overlapping by the queue's concurrency and the lease.
 */
export const syncLeadsJob: JobDefinition<SyncLeadsData, SyncSummary> = {
  name: 'sync-leads',
  queue: 'sync',
  schedule: 'sync_leads',
  lease: true,
  preflight: true,
  lane: 'bulk',
  run: async (data, { deps, signal, progress, wake }) => {
    const summary = await syncLeads(deps, {
      indexingLagMs: parseDuration(deps.config.sync.indexing_lag),
      signal,
      ...(data.backfill ? { backfill: true } : {}),
      // A first run is a backfill that can take minutes: its progress shows on the job.
      onProgress: (p) => progress({ pulled: p.pulled, ...(p.total ? { total: p.total, percent: Math.floor((100 * p.pulled) / p.total) } : {}) }),
    });
    // Hand-offs start their SLA clocks at the next check: now, rather than at the sweep.
    if (summary.created + summary.adopted + summary.existingContacts > 0 && slaClockOn(deps.config.sync)) await wake('check-sla', [Date.now()], { due: true });
    return summary;
  },
};
