import type { App } from '../app.ts';
import type { SyncConfig } from '../domain/config/sync.ts';
import type { HandoffDeps } from '../pipeline/handoffContacts.ts';
import { assertPreflight, cachedPreflight, type PreflightProblem } from '../pipeline/preflight.ts';
import type { PlannedWrite } from '../pipeline/ports.ts';
import { withLane } from './api-gate.ts';
import type { Lane } from './budget-math.ts';
import { type Lease, whileHolding } from './lease.ts';
import type { QueueName } from './queues.ts';

/** What a job's `run` receives: capabilities, not clients. */
export interface JobHelpers {
  /** The pipeline's ports (with the worker's lookups and pending merges). A dry run's collect its writes in `plannedWrites`. */
  deps: HandoffDeps;
  /** Aborts when the run must stop: a lost lease, a shutdown. */
  signal: AbortSignal;
  /** Reports progress on the job (bull-board, getJob); a `--once` command prints it. */
  progress(value: Record<string, unknown>): void;
  /**
   * Asks for runs of a job at these times (the SLA clock's reminders and breaches, a clock to start
   * after a hand-off): one delayed job per slot of WAKE_SLOT_MS, however many ask. A `--once`
   * command has no queue: nothing happens there.
   */
  wake(jobName: string, times: readonly number[], data?: Record<string, unknown>): Promise<void>;
  /** The worker's JSON log (ids and figures only, never personal data); silent for a `--once` command, whose summary says it all. */
  log: JobLog;
}

export interface JobLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

const silentLog: JobLog = { info: () => undefined, warn: () => undefined };

/** Wake-ups are rounded up to slots this long: a burst of hand-offs asks for one run, not hundreds. */
export const WAKE_SLOT_MS = 15_000;

/**
 * One job, declared once and run the same way by its worker and its `--once` command
 * (graphile-worker's Task shape): where it queues, what schedules it (a key of sync.yaml's
 * `schedules`), whether it runs under a lease (one at a time across every process) and after
 * setup's preflight, which budget lane its API calls draw on, and a thin `run`.
 */
export interface JobDefinition<Data = unknown, Result = unknown> {
  name: string;
  queue: QueueName;
  /** The sync.yaml `schedules` entry that adds this job; none: added by others (webhooks). */
  schedule?: keyof SyncConfig['schedules'];
  /** Runs under a Redis lease named after the job: a second run (a `--once` beside the worker) steps aside. */
  lease?: boolean;
  /** Checks setup's preflight (cached) before any write: a blocking problem holds the job back ('feedback': the feedback's problems too). */
  preflight?: boolean | 'feedback';
  /** The budget lane its API calls draw on. */
  lane: Lane;
  run(data: Data, helpers: JobHelpers): Promise<Result>;
  /** When another run holds its lease, ask for a run again this much later (woken jobs whose time matters). */
  retryWhenHeldMs?: number;
  /** Called when the worker stops (e.g. to finish a batch in flight). */
  stop?(): Promise<void>;
}

/** How a run went when it did not run: another holds the lease. */
export interface Skipped {
  skipped: string;
  /** The run that holds the lease (host:pid), and when its lease ends unless it renews it. */
  heldBy: string;
  heldUntil?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  progress?: (value: Record<string, unknown>) => void;
  /** Collect every write here instead of making it (`--dry-run`); blocking preflight problems are reported, not thrown. */
  plannedWrites?: PlannedWrite[];
  /** A dry run's preflight problems (blocking ones do not stop it). */
  onPreflight?: (result: { blocking: PreflightProblem[]; warnings: PreflightProblem[] }) => void;
  /** The worker's way to add delayed runs (JobHelpers.wake); absent for a `--once` command. */
  wake?: (jobName: string, times: readonly number[], data?: Record<string, unknown>) => Promise<void>;
  log?: JobLog;
}

/**
 * Runs a job as its worker and its `--once` command both do: in its budget lane, under its lease
 * (the lease's loss aborts the work), after the preflight. Returns `{ skipped }` when another run
 * holds the lease.
 */
export async function runJob<Data, Result>(definition: JobDefinition<Data, Result>, data: Data, app: App, options: RunOptions = {}): Promise<Result | Skipped> {
  // The config in force when the run starts stays the run's config (a reload meanwhile applies to the next run).
  const deps: HandoffDeps = options.plannedWrites ? { ...depsOf(app), plannedWrites: options.plannedWrites } : depsOf(app);
  const work = async (signal: AbortSignal, lease?: Lease): Promise<Result> => {
    let campaignBlocked = false;
    if (definition.preflight) {
      if (options.plannedWrites) options.onPreflight?.(await cachedPreflight(app.preflightDeps, app.preflightCache));
      else campaignBlocked = (await assertPreflight(app.preflightDeps, app.preflightCache, definition.preflight === 'feedback' ? 'feedback' : 'leads')).campaignBlocked.length > 0;
    }
    // Under a lease, positions are saved only while the lease is held (compared and set in Redis).
    const leased = lease ? { ...deps, state: app.syncState.fencedBy(lease.fence) } : deps;
    // Setup found that campaign members cannot be written: the work goes on without them.
    const fenced = campaignBlocked ? { ...leased, campaignWritesBlocked: true } : leased;
    return definition.run(data, {
      deps: fenced,
      signal,
      progress: options.progress ?? (() => undefined),
      wake: options.plannedWrites ? noWake : (options.wake ?? noWake),
      log: options.log ?? silentLog,
    });
  };
  return withLane(definition.lane, async () => {
    if (!definition.lease) return work(options.signal ?? new AbortController().signal);
    const outcome = await whileHolding(app.redis, app.env.prefix, definition.name, work, options.signal ? { signal: options.signal } : {});
    if (outcome.held) return outcome.value;
    return { skipped: `another ${definition.name} run holds the lease`, heldBy: outcome.heldBy, ...(outcome.heldUntil ? { heldUntil: outcome.heldUntil } : {}) };
  });
}

const noWake = async (): Promise<void> => undefined;

const depsByApp = new WeakMap<App, HandoffDeps>();

/** One deps object per app, so that what jobs keep per deps (a hand-off batch) is shared by the app's jobs. */
function depsOf(app: App): HandoffDeps {
  let deps = depsByApp.get(app);
  if (!deps) {
    // Copied with its getters: the config is read live, and each run takes its own copy at its start.
    deps = Object.defineProperties({} as HandoffDeps, Object.getOwnPropertyDescriptors(app.deps));
    Object.assign(deps, { lookups: app.lookups, pendingMerges: app.pendingMerges });
    depsByApp.set(app, deps);
  }
  return deps;
}

/** Whether a run result says the run stepped aside. */
export function isSkipped(result: unknown): result is Skipped {
  return typeof result === 'object' && result !== null && 'skipped' in result;
}
