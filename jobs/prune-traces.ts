import { pruneTraces, type PruneSummary } from '../src/pipeline/pruneTraces.ts';
import type { JobDefinition } from '../src/queue/job.ts';

/** Retention of decision traces (sync.yaml `retention.traces`), on the `maintenance` queue under its lease: ledger only, no API calls. */
export const pruneTracesJob: JobDefinition<Record<string, never>, PruneSummary> = {
  name: 'prune-traces',
  queue: 'maintenance',
  schedule: 'prune_traces',
  lease: true,
  lane: 'bulk',
  run: (_data, { deps }) => pruneTraces(deps),
};
