import { slaClockOn } from '../src/domain/sla/clock-on.ts';
import { checkSla, type SlaSummary } from '../src/pipeline/checkSla.ts';
import { leadloopMetrics } from '../src/metrics.ts';
import type { JobDefinition } from '../src/queue/job.ts';

const breaches = leadloopMetrics().slaBreaches;

/**
 * The SLA clock: one check per job on the `maintenance` queue under its lease. It runs at
 * sync.yaml's `schedules.check_sla` (the backstop sweep), after every hand-off (to start clocks),
 * and at each reminder and breach time, which each check asks for (delayed jobs), so the clock
 * fires on time; a wake-up reads only the clocks with something due, the sweep reads them all (for
 * first touches). A wake-up that finds another check running comes back 15 s later. Each breach
 * is a log line and a count on `leadloop_sla_breaches_total`.
 */
export const checkSlaJob: JobDefinition<{ due?: boolean }, SlaSummary> = {
  name: 'check-sla',
  queue: 'maintenance',
  schedule: 'check_sla',
  lease: true,
  preflight: true,
  lane: 'bulk',
  retryWhenHeldMs: 15_000,
  run: async (data, { deps, signal, wake, log }) => {
    // A wake-up looks at the clocks with something due; the scheduled sweep (and `--once`) at all.
    const summary = await checkSla(deps, { signal, ...(data.due ? { dueOnly: true } : {}) });
    for (const breach of summary.breaches) {
      breaches.inc({ temperature: breach.temperature, escalated: String(breach.escalated) });
      log.warn({ handoffId: breach.handoffId, temperature: breach.temperature, escalated: breach.escalated }, 'sla breached');
    }
    // Turned off (sync.yaml), a one-off check asks for no wake-ups.
    if (slaClockOn(deps.config.sync)) await wake('check-sla', summary.wakeAt, { due: true });
    return summary;
  },
};
