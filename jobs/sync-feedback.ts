import { type FeedbackSummary, syncFeedback } from '../src/pipeline/syncFeedback.ts';
import type { JobDefinition } from '../src/queue/job.ts';

/**
 * The won/lost feedback: one cycle per job on the `sync` queue (global concurrency 1) under its
 * lease, after setup's preflight, at sync.yaml's `schedules.sync_feedback`. Reads Salesforce,
 * writes the ledger and HubSpot; its API calls draw on the bulk lane, behind hand-offs.
 */
export const syncFeedbackJob: JobDefinition<Record<string, never>, FeedbackSummary> = {
  name: 'sync-feedback',
  queue: 'sync',
  schedule: 'sync_feedback',
  lease: true,
  preflight: 'feedback',
  lane: 'bulk',
  run: (_data, { deps, signal }) => syncFeedback(deps, { signal }),
};
