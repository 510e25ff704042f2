import { parseDuration } from './config/duration.ts';
import type { SyncConfig } from './config/sync.ts';

export interface PlannedTask {
  subject: string;
  priority: 'High' | 'Normal' | 'Low';
  type: 'Call' | 'Email' | 'Meeting' | 'Other';
  /** Due this many milliseconds after the hand-off. */
  dueInMs: number;
  description?: string;
}

/**
 * The temperature playbook: the next steps sales gets for a handed-off lead. A lead that is
 * not handed off stays in marketing's nurture: no task.
 */
export function playbook(grade: 'hot' | 'warm' | 'cold', handedOff: boolean, sync: Pick<SyncConfig, 'playbook'>, fill: Record<string, string> = {}): PlannedTask[] {
  if (!handedOff) return [];
  return sync.playbook[grade].map((task) => ({
    subject: fillIn(task.subject, fill),
    priority: task.priority,
    type: task.type,
    dueInMs: parseDuration(task.due),
    ...(task.description ? { description: fillIn(task.description, fill) } : {}),
  }));
}

function fillIn(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
