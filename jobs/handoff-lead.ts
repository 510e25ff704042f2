import { handoffContacts, type HandoffDeps, type HandoffOutcome } from '../src/pipeline/handoffContacts.ts';
import { DebounceBatcher } from '../src/queue/batcher.ts';
import type { JobDefinition } from '../src/queue/job.ts';
import { HANDOFF_JOB, type HandoffJobData } from '../src/queue/webhook-intake.ts';

export interface HandoffJobResult {
  outcome: HandoffOutcome;
  /** From the webhook's arrival to the lead's landing (ms). */
  latencyMs: number;
}

// Jobs that run within a few milliseconds of each other (a burst, with worker concurrency > 1)
// share one batch read and one Salesforce round: one batcher per set of deps (a worker's).
const batchers = new Map<HandoffDeps, DebounceBatcher<string, HandoffOutcome>>();

function batcherFor(deps: HandoffDeps): DebounceBatcher<string, HandoffOutcome> {
  let batcher = batchers.get(deps);
  if (!batcher) {
    batcher = new DebounceBatcher<string, HandoffOutcome>({ maxWaitMs: 10, maxSize: 100, run: async (ids) => (await handoffContacts(deps, ids)).outcomes });
    batchers.set(deps, batcher);
  }
  return batcher;
}

/** Webhook hand-off of one contact, on the `handoff` queue (enqueued by POST /webhooks/hubspot), on the budget share kept for hand-offs. */
export const handoffLeadJob: JobDefinition<HandoffJobData, HandoffJobResult> = {
  name: HANDOFF_JOB,
  queue: 'handoff',
  lane: 'handoff',
  run: async (data, { deps }) => {
    const outcome = await batcherFor(deps).add(data.contactId);
    return { outcome, latencyMs: Date.now() - data.receivedAt };
  },
  async stop() {
    await Promise.all([...batchers.values()].map((b) => b.drain()));
    batchers.clear();
  },
};
