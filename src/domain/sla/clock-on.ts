import type { SyncConfig } from '../config/sync.ts';

/** Whether the SLA clock runs: sync.yaml schedules `check_sla` and does not turn it off. Off, nothing wakes it either. */
export function slaClockOn(sync: Pick<SyncConfig, 'schedules'>): boolean {
  const schedule = sync.schedules.check_sla;
  return schedule !== undefined && schedule.enabled !== false;
}
