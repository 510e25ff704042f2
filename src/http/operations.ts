import type { MetricValue, Registry } from 'prom-client';
import { reasonLabel } from '../metrics.ts';
import type { BudgetGovernor } from '../queue/budget.ts';
import type { DeadLetterList } from '../queue/dead-letter.ts';
import type { LeadloopQueues } from '../queue/queues.ts';
import { syncPositions } from '../store/sync-positions.ts';
import type { SyncState } from '../store/sync-state.ts';

/** What the dashboard's operations panel reads: Redis (budgets, cursors, dead letters, queues) and this process's metrics. */
export interface OperationsSources {
  governor: BudgetGovernor;
  syncState: SyncState;
  deadLetters: DeadLetterList;
  queues: LeadloopQueues;
  registry: Registry;
  now: () => number;
}

export interface Operations {
  at: string;
  /** Hand-offs this process ran, by latency bucket (upper bound in seconds, cumulative as Prometheus keeps them). */
  handoffLatency: { count: number; sumSeconds: number; buckets: { le: number; count: number }[] };
  budgets: { budget: string; used?: number; limit?: number; remaining?: number }[];
  /** Seconds behind, per flow; null before the flow's first run. */
  syncLag: Record<string, number | null>;
  deadLetters: { total: number; byReason: { system: string; reason: string; count: number }[] };
  queues: Record<string, Record<string, number>>;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** One reading of the operational figures (GET /api/operations). */
export async function readOperations(sources: OperationsSources): Promise<Operations> {
  const now = sources.now();
  const [budgets, positions, deadLetters, queues, handoffLatency] = await Promise.all([
    sources.governor.usage(now),
    syncPositions(sources.syncState),
    sources.deadLetters.list({ limit: 10_000 }),
    Promise.all(Object.entries(sources.queues).map(async ([name, queue]) => [name, await queue.getJobCounts(...JOB_STATES)] as const)),
    latencyHistogram(sources.registry),
  ]);
  const byReason = new Map<string, { system: string; reason: string; count: number }>();
  for (const record of deadLetters) {
    const reason = reasonLabel(record.reason);
    const key = `${record.system} ${reason}`;
    const row = byReason.get(key) ?? { system: record.system, reason, count: 0 };
    row.count += 1;
    byReason.set(key, row);
  }
  return {
    at: new Date(now).toISOString(),
    handoffLatency,
    budgets,
    syncLag: Object.fromEntries(Object.entries(positions).map(([flow, at]) => [flow, at === undefined ? null : Math.max(0, Math.round((now - at) / 1000))])),
    deadLetters: { total: deadLetters.length, byReason: [...byReason.values()].sort((a, b) => b.count - a.count) },
    queues: Object.fromEntries(queues),
  };
}

async function latencyHistogram(registry: Registry): Promise<Operations['handoffLatency']> {
  const metric = registry.getSingleMetric('leadloop_handoff_latency_seconds');
  const result: Operations['handoffLatency'] = { count: 0, sumSeconds: 0, buckets: [] };
  if (!metric) return result;
  const buckets = new Map<number, number>();
  // A histogram's values name their series (`_bucket`, `_sum`, `_count`), beyond MetricValue's type.
  for (const value of (await metric.get()).values as (MetricValue<string> & { metricName?: string })[]) {
    if (value.metricName?.endsWith('_count')) result.count += value.value;
    else if (value.metricName?.endsWith('_sum')) result.sumSeconds += value.value;
    else if (value.metricName?.endsWith('_bucket')) {
      const le = value.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(value.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value.value);
    }
  }
  result.buckets = [...buckets]
    .filter(([le]) => Number.isFinite(le))
    .sort((a, b) => a[0] - b[0])
    .map(([le, count]) => ({ le, count }));
  return result;
}
