import { slaClockOn } from '../src/domain/sla/clock-on.ts';
import { handoffContacts, type HandoffDeps, type HandoffOutcome } from '../src/pipeline/handoffContacts.ts';
import { leadloopMetrics } from '../src/metrics.ts';
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
const batchers = new Map<HandoffDeps, { batcher: DebounceBatcher<string, HandoffOutcome>; retake: Set<string> }>();

function batcherFor(deps: HandoffDeps): { batcher: DebounceBatcher<string, HandoffOutcome>; retake: Set<string> } {
  let entry = batchers.get(deps);
  if (!entry) {
    // Contacts to take afresh (replayed dead letters) ride along with the batch they join.
    const retake = new Set<string>();
    const batcher = new DebounceBatcher<string, HandoffOutcome>({
      maxWaitMs: 10,
      maxSize: 100,
      run: async (ids) => {
        const taken = new Set(ids.filter((id) => retake.delete(id)));
        return (await handoffContacts(deps, ids, { retake: taken })).outcomes;
      },
    });
    entry = { batcher, retake };
    batchers.set(deps, entry);
  }
  return entry;
}

const SLA_START_DELAY_MS = 5_000;
const latency = leadloopMetrics().handoffLatency;

/** Webhook hand-off of one contact, on the `handoff` queue (enqueued by POST /webhooks/hubspot), on the budget share kept for hand-offs. */
export const handoffLeadJob: JobDefinition<HandoffJobData, HandoffJobResult> = {
  name: HANDOFF_JOB,
  queue: 'handoff',
  lane: 'handoff',
  run: async (data, { deps, wake }) => {
    const { batcher, retake } = batcherFor(deps);
    if (data.retake) retake.add(data.contactId);
    const outcome = await batcher.add(data.contactId);
    const latencyMs = Date.now() - data.receivedAt;
    latency.observe({ outcome }, latencyMs / 1000);
    // The SLA clock of a hand-off starts at its next check: soon, one check per slot for a burst.
    if (outcome === 'handled' && slaClockOn(deps.config.sync)) await wake('check-sla', [Date.now() + SLA_START_DELAY_MS], { due: true });
    return { outcome, latencyMs };
  },
  async stop() {
    await Promise.all([...batchers.values()].map((b) => b.batcher.drain()));
    batchers.clear();
  },
};
