import type { LeadloopConfig } from '../domain/config/index.ts';
import type { DescribedObject } from '../domain/setup.ts';
import { emptyResult, type PreflightResult } from './preflight-checks.ts';

/**
 * What the SLA clock needs from the org and the config, as warnings (the clock works without
 * them, seeing less): Task.CompletedDateTime (API 59.0+) dates a completed task exactly, else its
 * LastModifiedDate stands in; Lead.Status history makes a status change a touch; and a queue a
 * rule routes to has a `manager` (routing.yaml), since a queue cannot own a task and its leads
 * otherwise get no task and no clock. No calls: the describe of Task and the feedback's
 * capabilities are read by preflight already.
 */
export function checkSla(config: LeadloopConfig, task: DescribedObject | undefined, statusHistoryTracked: boolean): PreflightResult {
  const out = emptyResult();
  const { sla, schedules } = config.sync;
  const hasSla = sla.hot !== undefined || sla.warm !== undefined || sla.cold !== undefined || sla.cohorts.length > 0;
  if (!hasSla || schedules.check_sla?.enabled === false) return out;
  if (task && !task.has('completeddatetime')) {
    out.warnings.push({
      subject: 'Task.CompletedDateTime',
      problem: 'not in this API version (it appeared in 59.0): a completed task counts as a first touch at its last modification, which can be later than the call',
      fix: 'set SALESFORCE_API_VERSION to 59.0 or later',
    });
  }
  if (!statusHistoryTracked) {
    out.warnings.push({
      subject: 'Lead.Status history',
      problem: 'not tracked: a status change alone (e.g. to Working - Contacted) does not stop the SLA clock; completed tasks, past meetings and conversions do',
      fix: 'Salesforce Setup → Object Manager → Lead → Fields & Relationships → Set History Tracking → track Lead Status',
    });
  }
  const routed = new Set([...config.routing.rules.filter((r) => r.assign === 'queue').map((r) => r.queue!), ...(config.routing.fallback.assign === 'queue' ? [config.routing.fallback.queue!] : [])]);
  for (const name of routed) {
    if (config.routing.queues[name]?.manager) continue;
    out.warnings.push({
      subject: `routing queue ${name}`,
      problem: 'names no manager: a queue cannot own a task, so leads routed there get no task and no SLA clock until someone takes them',
      fix: `add manager: <an owner's email> to queues.${name} in routing.yaml`,
    });
  }
  return out;
}
