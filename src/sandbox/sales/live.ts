/**
 * The sales simulator running alongside a live sandbox (`leadloop sandbox --simulate-sales`): every
 * `intervalMs` of real time it takes the leads pushed since the last round and carries out the
 * steps now due, the sandbox clock running `speed` simulated days per real minute (default 60: a
 * day a second, a quarter in a minute and a half), so a worker pointed at the sandbox sees sales'
 * feedback appear. Steps due while no round ran happen at the next round's time.
 */
import type { SalesforceEmulator } from '../salesforce/emulator.ts';
import { DAY } from './plan.ts';
import { SalesSimulation, type SimulateSalesOptions } from './runner.ts';

export interface LiveSalesOptions extends SimulateSalesOptions {
  /** Simulated days per real minute. Default 60 (one day a second). */
  speed?: number;
  /** Real milliseconds between rounds. Default 2,000. */
  intervalMs?: number;
  /** Where a line about each round that did something goes (stderr in the CLI). Default nowhere. */
  log?: (line: string) => void;
}

export interface LiveSales {
  readonly simulation: SalesSimulation;
  /** One round now (the timer calls it). */
  round(): void;
  stop(): void;
}

export const DEFAULT_SALES_SPEED = 60;

export function startLiveSales(salesforce: SalesforceEmulator, options: LiveSalesOptions): LiveSales {
  const clock = options.clock ?? salesforce.clock;
  const simulation = new SalesSimulation(salesforce, { ...options, clock });
  const speed = options.speed ?? DEFAULT_SALES_SPEED;
  if (!(speed > 0)) throw new Error(`sales speed must be a positive number of simulated days per minute, got ${speed}`);
  // Simulated milliseconds per real millisecond.
  const factor = (speed * DAY) / 60_000;
  let lastReal = Date.now();
  let target = clock.now();

  const round = () => {
    const real = Date.now();
    target = Math.max(target + (real - lastReal) * factor, clock.now());
    lastReal = real;
    const taken = simulation.takeNewLeads();
    const before = simulation.pendingSteps;
    simulation.runUntil(target);
    const applied = before - simulation.pendingSteps;
    if (taken > 0 || applied > 0) options.log?.(`sandbox sales: ${taken} new lead(s), ${applied} step(s) carried out, clock at ${new Date(clock.now()).toISOString()}`);
  };
  const timer = setInterval(() => {
    try {
      round();
    } catch (error) {
      options.log?.(`sandbox sales: round failed: ${(error as Error).message}`);
    }
  }, options.intervalMs ?? 2_000);
  timer.unref();
  return {
    simulation,
    round,
    stop: () => clearInterval(timer),
  };
}
