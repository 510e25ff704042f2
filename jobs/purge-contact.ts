import type { Job } from 'bullmq';
import { purgeContactData, type PurgeResult } from '../src/pipeline/purgeContact.ts';
import type { SyncDeps } from '../src/pipeline/ports.ts';
import type { PurgeJobData } from '../src/queue/webhook-intake.ts';

/** A HubSpot privacy deletion, on the `handoff` queue (enqueued by POST /webhooks/hubspot). */
export const name = 'purge-contact';
export const queue = 'handoff';

export function run(job: Job<PurgeJobData>, deps: Pick<SyncDeps, 'salesforce' | 'ledger' | 'state' | 'config'> & { dropDeadLetters: (recordKey: string) => Promise<number> }): Promise<PurgeResult> {
  return purgeContactData(deps, job.data.contactId);
}
