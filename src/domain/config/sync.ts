import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { slaSchema } from './sla.ts';

const GRADES = ['hot', 'warm', 'cold'] as const;

const schedule = z
  .object({
    every: durationSchema.optional().describe('Run at this interval, e.g. 5m.'),
    cron: z.string().optional().describe('Or a cron pattern, e.g. "0 3 * * *" (03:00 every day).'),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((s) => (s.every === undefined) !== (s.cron === undefined), 'give either every: or cron:, not both');

const share = z.number().min(0).max(1);

const task = z
  .object({
    subject: z.string().min(1).max(255).describe('Task subject sales sees, e.g. "Call now: hot lead from {source}".'),
    due: durationSchema.describe('Due this long after the hand-off (0m: now).'),
    priority: z.enum(['High', 'Normal', 'Low']).default('Normal'),
    type: z.enum(['Call', 'Email', 'Meeting', 'Other']).default('Other').describe('Kind of next step (Salesforce TaskSubtype/Type).'),
    description: z.string().max(32_000).optional().describe('Task comments; {placeholders} as in subject.'),
  })
  .strict();

export const syncConfigSchema = z
  .object({
    schedules: z
      .object({
        sync_leads: schedule.describe('Pull changed HubSpot contacts and hand off qualified leads.'),
        sync_feedback: schedule.optional().describe('Pull closed opportunities back.'),
        rescore: schedule.optional().describe('Re-grade contacts whose score decayed.'),
        check_sla: schedule.optional().describe('Backstop sweep of the SLA clock (first touches, reminders, breaches); the clock also wakes itself at each reminder and breach time.'),
        prune_traces: schedule.default({ cron: '30 3 * * *', enabled: true }).describe('Delete decision traces older than retention.traces (default: daily at 03:30); the decision rows stay.'),
      })
      .strict(),
    batch: z
      .object({
        search_page: z.number().int().min(1).max(200).default(200).describe('Contacts per HubSpot search page (HubSpot allows at most 200).'),
        hubspot_batch: z.number().int().min(1).max(100).default(100).describe('Records per HubSpot batch call (at most 100).'),
        salesforce_collection: z.number().int().min(1).max(200).default(200).describe('Records per Salesforce sObject Collections call (at most 200).'),
      })
      .strict()
      .default({ search_page: 200, hubspot_batch: 100, salesforce_collection: 200 }),
    indexing_lag: durationSchema.default('30s').describe('HubSpot search sees a change only after a short delay: pull up to now minus this.'),
    budgets: z
      .object({
        hubspot: z
          .object({
            per_10_seconds: z.number().int().positive().default(150).describe('Calls per rolling 10 s (HubSpot allows 100–250 by plan; keep a margin).'),
            search_per_second: z.number().int().positive().max(5).default(4).describe('Search calls per second (HubSpot allows 5).'),
            handoff_reserve: share.default(0.2).describe('Share of each budget kept for webhook hand-offs; scheduled work cannot use it.'),
          })
          .strict()
          .default({ per_10_seconds: 150, search_per_second: 4, handoff_reserve: 0.2 }),
        salesforce: z
          .object({
            daily_share: share.default(0.3).describe("Share of the org's daily API allocation leadloop may use."),
            handoff_reserve: share.default(0.2).describe('Part of that share kept for webhook hand-offs.'),
          })
          .strict()
          .default({ daily_share: 0.3, handoff_reserve: 0.2 }),
      })
      .strict()
      .default({
        hubspot: { per_10_seconds: 150, search_per_second: 4, handoff_reserve: 0.2 },
        salesforce: { daily_share: 0.3, handoff_reserve: 0.2 },
      }),
    writeback: z
      .object({
        on_grade_change: z.boolean().default(true).describe('Write the score back whenever the grade changes.'),
        min_score_change: z.number().min(0).default(5).describe('Otherwise only when the score moved at least this many points.'),
      })
      .strict()
      .default({ on_grade_change: true, min_score_change: 5 }),
    backfill: z
      .object({
        handoff_within: durationSchema
          .default('30d')
          .describe(
            'On the first sync, historical contacts are scored and written back, but only those that qualified this long before leadloop was installed (or since) are handed off; the rest stay with marketing, counted as qualified before install.',
          ),
      })
      .strict()
      .default({ handoff_within: '30d' })
      .describe("A gentle first install: what the first sync hands off of the portal's history."),
    feedback: z
      .object({
        lookback: durationSchema.default('365d').describe('How far back the first feedback run reads opportunities and lead statuses, so the reports are not empty on day one.'),
      })
      .strict()
      .default({ lookback: '365d' })
      .describe('Won/lost feedback from Salesforce (the sync_feedback schedule).'),
    sla: slaSchema,
    retention: z
      .object({
        traces: durationSchema
          .default('90d')
          .describe(
            "How long each decision's trace (the contact's inputs, score components, routing path, writes) is kept: `explain` shows it and `config simulate` replays it. The decision rows (score, grade, owner, rule, version) stay for the reports.",
          ),
      })
      .strict()
      .default({ traces: '90d' })
      .describe('What the ledger keeps, and how long.'),
    config_reload: z
      .object({
        every: durationSchema.default('5s').describe("How often the running worker checks the config folder's content; a change is applied once two checks in a row see the same content."),
      })
      .strict()
      .default({ every: '5s' })
      .describe('Live config: the worker applies a valid change of these files without a restart, and refuses an invalid one (the last good config stays).'),
    report: z
      .object({
        costs: z
          .record(z.string().min(1), z.number().min(0))
          .default({})
          .describe(
            "What a source (a HubSpot lead_source value, e.g. web_form) or a campaign cost, in the currency of the won amounts, for those Salesforce has no Campaign ActualCost for: `leadloop report` shows cost per won deal and revenue per unit of cost. A campaign's ActualCost comes first; a source with no cost here costs what its campaigns do.",
          ),
      })
      .strict()
      .default({ costs: {} })
      .describe('The closed-loop report (`leadloop report`).'),
    playbook: z
      .object(Object.fromEntries(GRADES.map((g) => [g, z.array(task).default([])])) as Record<(typeof GRADES)[number], z.ZodDefault<z.ZodArray<typeof task>>>)
      .strict()
      .describe('Salesforce tasks created when a lead of this temperature is handed off. Leads not handed off stay with marketing: no task.'),
  })
  .strict();

export type SyncConfig = z.infer<typeof syncConfigSchema>;
export type PlaybookTask = SyncConfig['playbook']['hot'][number];
