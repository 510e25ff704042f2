import { checkSla, type SlaSummary } from '../src/pipeline/checkSla.ts';
import type { JobDefinition } from '../src/queue/job.ts';

/**
 * The SLA clock: one check per job on the `maintenance` queue under its lease. It runs at
 * sync.yaml's `schedules.check_sla` (the backstop sweep), after every hand-off (to start clocks),
 * and at each reminder and breach time, which each check asks for (delayed jobs), so the clock
 * fires on time. A wake-up that finds another check running comes back 15 s later.
 */
export const checkSlaJob: JobDefinition<Record<string, never>, SlaSummary> = {
  name: 'check-sla',
  queue: 'maintenance',
  schedule: 'check_sla',
  lease: true,
  preflight: true,
  lane: 'bulk',
  retryWhenHeldMs: 15_000,
  run: async (_data, { deps, signal, wake }) => {
    const summary = await checkSla(deps, { signal });
    await wake('check-sla', summary.wakeAt);
    return summary;
  },
};
