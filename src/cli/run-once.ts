import type { Env } from '../config/env.ts';
import type { JobDefinition, Skipped } from '../queue/job.ts';
import { CliError, EXIT } from './errors.ts';

/** How long a one-shot command rides out transient faults before it gives up (exit 1) or says "try later" (exit 75). */
export const ONCE_DEADLINE_MS = 15 * 60_000;
// Attempts spent on failures that may pass (5xx, timeouts), as the queue's jobs get.
const MAX_BACKOFFS = 8;

export interface OnceOptions {
  dryRun?: boolean;
  progressBar?: boolean;
  deadlineMs?: number;
  /** Where waits go (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A job's `--once` command: the job's own run, as its worker runs it (the same lease, preflight
 * and budget lane), once, to completion — riding out what the queue would ride out, in-process:
 * it waits out a rate limit's window or a spent budget's short wait, and backs off on 5xx and
 * timeouts, within `deadlineMs`. The last stdout line is a JSON summary. When the work must wait
 * longer (a daily limit, the lease held by another run) nothing is lost: it exits 75 with
 * `{ "paused": true, "resumeAt": … }`. `--dry-run` computes everything and prints each write it
 * would make (`{"wouldWrite":…}`), writing nothing; a blocking setup problem is printed as a
 * `{"preflight":…}` line instead of stopping it; a real run stops on one at once (exit 1): only a person can fix it.
 */
export async function runOnce<Data, Result extends object>(definition: JobDefinition<Data, Result>, data: Data, env: Env, options: OnceOptions = {}): Promise<void> {
  const [{ compose }, { runJob, isSkipped }, { formatProblems }, { progressReporter }, { decideRetry, backoffDelay }, { nextMidnightIn }] = await Promise.all([
    import('../app.ts'),
    import('../queue/job.ts'),
    import('../pipeline/preflight.ts'),
    import('./progress.ts'),
    import('../queue/retry.ts'),
    import('../queue/budget-math.ts'),
  ]);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const app = await compose(env);
  const started = Date.now();
  const deadline = started + (options.deadlineMs ?? ONCE_DEADLINE_MS);
  const progress = options.progressBar ? progressReporter() : undefined;
  const paused = (resumeAt: number, reason: string): never => {
    process.stdout.write(`${JSON.stringify({ ok: false, paused: true, reason, resumeAt: new Date(resumeAt).toISOString(), durationMs: Date.now() - started })}\n`);
    throw new CliError(`${definition.name} paused (${reason}); nothing is lost — run it again after ${new Date(resumeAt).toISOString()}`, EXIT.tempfail);
  };
  try {
    let plannedWrites: unknown[] | undefined;
    let result: Result | Skipped;
    for (let backoffs = 0; ; ) {
      plannedWrites = options.dryRun ? [] : undefined;
      try {
        result = await runJob(definition, data, app, {
          ...(plannedWrites ? { plannedWrites: plannedWrites as never } : {}),
          ...(progress ? { progress: (value) => progress.update(value as { pulled: number; total?: number }) } : {}),
          onPreflight: (checked) => {
            if (checked.warnings.length > 0) process.stderr.write(`leadloop: setup warnings (run \`leadloop setup\` for details):\n${formatProblems(checked.warnings)}\n`);
            if (checked.blocking.length > 0) process.stdout.write(`${JSON.stringify({ preflight: { blocking: checked.blocking, warnings: checked.warnings } })}\n`);
          },
        });
        break;
      } catch (error) {
        const now = Date.now();
        const decision = decideRetry(error, { now, hubspotDailyResetAt: (t) => nextMidnightIn('UTC', t) });
        // A worker's job waits for the fix (and looks again); a one-shot run has no one to wait for.
        if (decision.action === 'fail' || decision.action === 'pause-queues' || decision.reason === 'setup-blocking-problem') throw error;
        if (decision.action === 'pause-system') paused(decision.untilMs, decision.reason);
        const waitMs = decision.action === 'delay' ? decision.delayMs : backoffDelay(++backoffs);
        if (decision.action === 'backoff' && backoffs > MAX_BACKOFFS) throw error;
        if (now + waitMs > deadline) {
          if (decision.action === 'delay') paused(now + waitMs, decision.reason);
          throw error;
        }
        process.stderr.write(`leadloop: ${definition.name}: ${decision.reason}; going on in ${Math.ceil(waitMs / 1000)} s\n`);
        await sleep(waitMs);
      }
    }
    progress?.stop();
    if (isSkipped(result)) {
      const until = result.heldUntil ? ` until ${new Date(result.heldUntil).toISOString()} unless it renews it` : '';
      process.stdout.write(
        `${JSON.stringify({ ok: false, paused: true, reason: 'lease-held', heldBy: result.heldBy, ...(result.heldUntil ? { resumeAt: new Date(result.heldUntil).toISOString() } : {}) })}\n`,
      );
      throw new CliError(`another ${definition.name} run (${result.heldBy}) holds the lease${until}; nothing was done — try again when it ends`, EXIT.tempfail);
    }
    // One line per write a real run would make; nothing was written (no cursor moved either).
    for (const w of plannedWrites ?? []) process.stdout.write(`${JSON.stringify({ wouldWrite: w })}\n`);
    process.stdout.write(
      `${JSON.stringify({ ok: true, dryRun: Boolean(plannedWrites), configVersion: app.configVersion, ...result, ...(plannedWrites ? { plannedWrites: plannedWrites.length } : {}), durationMs: Date.now() - started })}\n`,
    );
  } finally {
    progress?.stop();
    await app.close();
  }
}
