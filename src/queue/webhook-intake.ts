import type { Queue } from 'bullmq';
import type { WebhookPlan } from '../domain/webhook-events.ts';
import type { ErasedContacts } from '../store/erased-contacts.ts';
import type { PendingMerges } from '../store/pending-merges.ts';
import { handoffJobOptions, QUEUE_JOB_OPTIONS } from './queues.ts';

export const HANDOFF_JOB = 'handoff-lead';
export const PURGE_JOB = 'purge-contact';

export interface HandoffJobData {
  contactId: string;
  /** When the webhook reached us (epoch ms): hand-off latency is measured from here. */
  receivedAt: number;
  /** Take the contact afresh even where its inputs did not change (a dead letter replayed). */
  retake?: boolean;
}

export interface PurgeJobData {
  contactId: string;
}

// Hand-offs running when the deletion arrives are stopped from writing by the erasure mark; the
// purge runs soon, and once more after any request in flight has passed its 30-second deadline, so
// a write that was already on its way and landed late is erased too (the purge is idempotent).
const PURGE_DELAYS_MS = [5_000, 65_000] as const;

/**
 * Turns a webhook plan into jobs on the `handoff` queue: one `handoff-lead` per contact
 * (deduplicated per contact, the last event kept while one runs), the merges recorded for the
 * survivor's hand-off to apply, and one `purge-contact` per privacy deletion (HubSpot's retries
 * of the same delivery find the same job id and add nothing).
 */
export class WebhookIntake {
  readonly #queue: Queue;
  readonly #merges: PendingMerges;
  readonly #erased: ErasedContacts;

  constructor(queue: Queue, merges: PendingMerges, erased: ErasedContacts) {
    this.#queue = queue;
    this.#merges = merges;
    this.#erased = erased;
  }

  async accept(plan: WebhookPlan, receivedAt: number): Promise<{ handoffs: number; merges: number; purges: number }> {
    // First: from now on no write for these contacts goes out, whatever is already running.
    await this.#erased.mark(plan.purges);
    for (const merge of plan.merges) await this.#merges.add(merge.survivorId, merge.mergedIds);
    const jobs = [
      ...plan.handoffs.map((contactId) => ({ name: HANDOFF_JOB, data: { contactId, receivedAt } satisfies HandoffJobData, opts: handoffJobOptions(contactId) })),
      ...plan.purges.flatMap((contactId) =>
        PURGE_DELAYS_MS.map((delay, pass) => ({ name: PURGE_JOB, data: { contactId } satisfies PurgeJobData, opts: { ...QUEUE_JOB_OPTIONS.handoff, jobId: `purge-${contactId}-${pass + 1}`, delay } })),
      ),
    ];
    if (jobs.length > 0) await this.#queue.addBulk(jobs);
    return { handoffs: plan.handoffs.length, merges: plan.merges.length, purges: plan.purges.length };
  }
}
