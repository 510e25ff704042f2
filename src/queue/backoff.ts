/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * of many jobs that failed together (a 5xx burst) spread out instead of returning together.
 * `attemptsMade` counts from 1 (BullMQ passes the attempts made so far).
 */
export function jitteredExponentialDelay(attemptsMade: number, options: { baseMs: number; capMs: number }, random: () => number = Math.random): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** The backoff type our jobs name; worker.ts registers the strategy under it. */
export const JITTERED_BACKOFF = 'leadloop-jittered';
export const DEFAULT_BACKOFF = { baseMs: 2_000, capMs: 5 * 60_000 };
