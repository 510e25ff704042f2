import { rescoreLeads, type RescoreSummary } from '../src/pipeline/rescoreLeads.ts';
import type { JobDefinition } from '../src/queue/job.ts';

/** The daily rescore: re-grades the contacts whose grade decay may have changed, on the `maintenance` queue, under its own lease. */
export const rescoreLeadsJob: JobDefinition<Record<string, never>, RescoreSummary> = {
  name: 'rescore-leads',
  queue: 'maintenance',
  schedule: 'rescore',
  lease: true,
  // It writes to HubSpot and Salesforce like the sync: the same preflight guards it.
  preflight: true,
  lane: 'bulk',
  run: async (_data, { deps, signal, progress }) => {
    const summary = await rescoreLeads(deps, { signal });
    progress({ percent: 100 });
    return summary;
  },
};
