import type { JobDefinition } from '../src/queue/job.ts';
import { checkSlaJob } from './check-sla.ts';
import { handoffLeadJob } from './handoff-lead.ts';
import { pruneTracesJob } from './prune-traces.ts';
import { purgeContactJob } from './purge-contact.ts';
import { rescoreLeadsJob } from './rescore-leads.ts';
import { syncFeedbackJob } from './sync-feedback.ts';
import { syncLeadsJob } from './sync-leads.ts';

export { checkSlaJob, handoffLeadJob, pruneTracesJob, purgeContactJob, rescoreLeadsJob, syncFeedbackJob, syncLeadsJob };

/** Every job leadloop runs: `start` builds its workers and schedulers from this list, and each `--once` command runs one of them. */
export const JOBS: readonly JobDefinition<never, unknown>[] = [syncLeadsJob, syncFeedbackJob, handoffLeadJob, purgeContactJob, rescoreLeadsJob, checkSlaJob, pruneTracesJob] as readonly JobDefinition<
  never,
  unknown
>[];
