import { purgeContactData, type PurgeResult } from '../src/pipeline/purgeContact.ts';
import type { JobDefinition } from '../src/queue/job.ts';
import { PURGE_JOB, type PurgeJobData } from '../src/queue/webhook-intake.ts';

/** A HubSpot privacy deletion, on the `handoff` queue (enqueued by POST /webhooks/hubspot, a little after the erasure mark). */
export const purgeContactJob: JobDefinition<PurgeJobData, PurgeResult> = {
  name: PURGE_JOB,
  queue: 'handoff',
  lane: 'handoff',
  run: (data, { deps }) => purgeContactData(deps, data.contactId),
};
