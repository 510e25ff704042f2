import type { Env } from '../config/env.ts';
import type { JobDefinition } from '../queue/job.ts';
import { CliError, EXIT } from './errors.ts';

/**
 * A job's `--once` command: the job's own run, as its worker runs it (the same lease, preflight
 * and budget lane), once, to completion. The last stdout line is a JSON summary. `--dry-run`
 * computes everything and prints each write it would make (`{"wouldWrite":…}`), writing nothing;
 * a blocking setup problem is printed as a `{"preflight":…}` line instead of stopping it.
 */
export async function runOnce<Data, Result extends object>(definition: JobDefinition<Data, Result>, data: Data, env: Env, options: { dryRun?: boolean; progressBar?: boolean } = {}): Promise<void> {
  const [{ compose }, { runJob, isSkipped }, { formatProblems }, { progressReporter }] = await Promise.all([
    import('../app.ts'),
    import('../queue/job.ts'),
    import('../pipeline/preflight.ts'),
    import('./progress.ts'),
  ]);
  const app = await compose(env);
  const started = performance.now();
  const plannedWrites = options.dryRun ? [] : undefined;
  const progress = options.progressBar ? progressReporter() : undefined;
  try {
    const result = await runJob(definition, data, app, {
      ...(plannedWrites ? { plannedWrites } : {}),
      ...(progress ? { progress: (value) => progress.update(value as { pulled: number; total?: number }) } : {}),
      onPreflight: (checked) => {
        if (checked.warnings.length > 0) process.stderr.write(`leadloop: setup warnings (run \`leadloop setup\` for details):\n${formatProblems(checked.warnings)}\n`);
        if (checked.blocking.length > 0) process.stdout.write(`${JSON.stringify({ preflight: { blocking: checked.blocking, warnings: checked.warnings } })}\n`);
      },
    });
    progress?.stop();
    if (isSkipped(result)) {
      const until = result.heldUntil ? ` until ${new Date(result.heldUntil).toISOString()} unless it renews it` : '';
      throw new CliError(`another ${definition.name} run (${result.heldBy}) holds the lease${until}; nothing was done — try again when it ends`, EXIT.tempfail);
    }
    // One line per write a real run would make; nothing was written (no cursor moved either).
    for (const w of plannedWrites ?? []) process.stdout.write(`${JSON.stringify({ wouldWrite: w })}\n`);
    process.stdout.write(
      `${JSON.stringify({ ok: true, dryRun: Boolean(plannedWrites), configVersion: app.configVersion, ...result, ...(plannedWrites ? { plannedWrites: plannedWrites.length } : {}), durationMs: Math.round(performance.now() - started) })}\n`,
    );
  } finally {
    progress?.stop();
    await app.close();
  }
}
