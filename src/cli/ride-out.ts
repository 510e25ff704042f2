import { isLeadloopError } from '../errors/index.ts';
import { nextMidnightIn } from '../queue/budget-math.ts';
import { backoffDelay, decideRetry } from '../queue/retry.ts';

/**
 * Runs idempotent work (setup's checks and creations) again after what the queue would ride out —
 * a rate limit's window, a 5xx, a timeout — up to `attempts` times, as a worker's job would. Any
 * other failure, and the last attempt's, is thrown.
 */
export async function rideOut<T>(what: string, work: () => Promise<T>, options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const decision = decideRetry(error, { now: Date.now(), hubspotDailyResetAt: (t) => nextMidnightIn('UTC', t) });
      const transient = isLeadloopError(error) && (decision.action === 'delay' || decision.action === 'backoff');
      if (!transient || attempt >= (options.attempts ?? 6)) throw error;
      const waitMs = Math.min(decision.action === 'delay' ? decision.delayMs : backoffDelay(attempt), 30_000);
      process.stderr.write(`leadloop: ${what}: ${decision.reason}; trying again in ${Math.ceil(waitMs / 1000)} s\n`);
      await sleep(waitMs);
    }
  }
}

/** The same object with every method call ridden out on its own (rideOut): one failed call is repeated, not the whole sequence. */
export function ridingOut<T extends object>(what: string, target: T): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object);
      return typeof value === 'function' ? (...args: unknown[]) => rideOut(what, () => value.apply(object, args)) : value;
    },
  });
}
