import { parseDuration } from '../domain/config/duration.ts';
import type { SyncDeps } from './ports.ts';

export interface PruneSummary {
  /** Traces deleted: those of decisions made before `before`. */
  pruned: number;
  before: string;
}

/**
 * Retention: deletes the traces (the contact's inputs with the score components and routing path)
 * of decisions older than sync.yaml's `retention.traces`; the decision rows stay for the reports.
 */
export async function pruneTraces(deps: Pick<SyncDeps, 'ledger' | 'config' | 'now'>): Promise<PruneSummary> {
  const before = deps.now() - parseDuration(deps.config.sync.retention.traces);
  return { pruned: await deps.ledger.pruneTraces(before), before: new Date(before).toISOString() };
}
