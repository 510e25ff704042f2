import type { Job } from 'bullmq';
import { handoffContacts, type HandoffDeps, type HandoffOutcome } from '../src/pipeline/handoffContacts.ts';
import { DebounceBatcher } from '../src/queue/batcher.ts';
import type { HandoffJobData } from '../src/queue/webhook-intake.ts';

/** Webhook hand-off of one contact, on the `handoff` queue (enqueued by POST /webhooks/hubspot). */
export const name = 'handoff-lead';
export const queue = 'handoff';

export interface HandoffJobResult {
  outcome: HandoffOutcome;
  /** From the webhook's arrival to the lead's landing (ms). */
  latencyMs: number;
}

/**
 * The processor: jobs that run within a few milliseconds of each other (a burst, with worker
 * concurrency > 1) share one batch read and one Salesforce round — see DebounceBatcher.
 */
export function createProcessor(deps: HandoffDeps, options: { batchWaitMs?: number } = {}) {
  const batcher = new DebounceBatcher<string, HandoffOutcome>({
    maxWaitMs: options.batchWaitMs ?? 10,
    maxSize: 100,
    run: async (ids) => (await handoffContacts(deps, ids)).outcomes,
  });
  return {
    async run(job: Job<HandoffJobData>): Promise<HandoffJobResult> {
      const outcome = await batcher.add(job.data.contactId);
      return { outcome, latencyMs: Date.now() - job.data.receivedAt };
    },
    drain: () => batcher.drain(),
  };
}
