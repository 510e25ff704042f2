import type { App } from '../app.ts';
import type { SlaSummary } from '../pipeline/checkSla.ts';
import type { SalesTruth } from '../sandbox/sales/truth.ts';
import type { Sandbox } from '../sandbox/server.ts';

const HOUR = 3_600_000;
// The clock is watched this long into the quarter (first touches come within days; a clock is
// watched 30 days past its breach); the rest of the quarter runs in one step.
const WATCHED_MS = 21 * 24 * HOUR;
const LONGEST_STEP_MS = 6 * HOUR;
const SLOT_MS = 15 * 60_000;

export interface WatchedQuarter {
  truth: SalesTruth;
  /** Every clock in the ledger at the end, those whose first touch came in time, and the breached ones. */
  clocks: number;
  met: number;
  checks: number;
  started: number;
  touched: number;
  reminded: number;
  breached: number;
  escalated: number;
  reassigned: number;
  tasks: number;
}

/**
 * The demo's simulated quarter with the SLA clock running beside the sales team: the team's steps
 * are carried out up to each time the clock asked to look again (a reminder, a breach; at most
 * six hours apart), and the clock checks then — as the worker's delayed jobs would wake it —
 * starting clocks, recording first touches, reminding owners and escalating breaches.
 */
export async function quarterWithSlaClock(sandbox: Sandbox, app: App, options: { seed: number; days: number }): Promise<WatchedQuarter> {
  const [{ SalesSimulation }, { runJob, isSkipped }, { checkSlaJob }] = await Promise.all([import('../sandbox/sales/runner.ts'), import('../queue/job.ts'), import('../../jobs/check-sla.ts')]);
  const simulation = new SalesSimulation(sandbox.salesforce, { seed: options.seed, days: options.days });
  simulation.takeNewLeads();
  const watched: Omit<WatchedQuarter, 'truth' | 'clocks' | 'met'> = { checks: 0, started: 0, touched: 0, reminded: 0, breached: 0, escalated: 0, reassigned: 0, tasks: 0 };
  let wakeAt: readonly number[] = [];
  const check = async (): Promise<void> => {
    const summary = await runJob(checkSlaJob, {}, app, {
      wake: async (_job, times) => {
        wakeAt = times;
      },
    });
    if (isSkipped(summary)) return;
    add(watched, summary);
  };
  const end = sandbox.clock.now() + WATCHED_MS;
  await check();
  while (sandbox.clock.now() < end) {
    const now = sandbox.clock.now();
    const next = wakeAt.find((t) => t > now) ?? Number.POSITIVE_INFINITY;
    const until = Math.min(Math.ceil(next / SLOT_MS) * SLOT_MS, now + LONGEST_STEP_MS, end);
    simulation.runUntil(until);
    await check();
  }
  simulation.runUntil(simulation.horizon);
  const clocks = await app.ledger.db.selectFrom('sla_clocks').select(['first_touch_at', 'due_at']).execute();
  const met = clocks.filter((c) => c.first_touch_at !== null && new Date(c.first_touch_at) <= new Date(c.due_at)).length;
  return { truth: simulation.truth(), clocks: clocks.length, met, ...watched };
}

function add(total: Omit<WatchedQuarter, 'truth' | 'clocks' | 'met'>, summary: SlaSummary): void {
  total.checks += 1;
  total.started += summary.started;
  total.touched += summary.touched;
  total.reminded += summary.reminded;
  total.breached += summary.breached;
  total.escalated += summary.escalated;
  total.reassigned += summary.reassigned;
  total.tasks += summary.tasks;
}
