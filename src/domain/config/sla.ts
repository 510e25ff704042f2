import { z } from 'zod';
import { durationSchema } from './duration.ts';

/**
 * An SLA span as an admin writes it, counted in the owner's working hours: minutes and hours of
 * working time ("1 hour", "90 minutes"), or working days ("2 working days": a working day is the
 * owner's day from start to end). The word "working" may be left out; 45m, 1h and 2d are short forms.
 */
export type SlaSpan = { unit: 'minutes'; amount: number } | { unit: 'days'; amount: number };

const SPAN = /^\s*(\d+(?:\.\d+)?)\s*(?:working\s+)?(m|min|mins|minutes?|h|hours?|d|days?)\s*$/i;

export function parseSlaSpan(text: string): SlaSpan | undefined {
  const match = SPAN.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (!(amount > 0)) return undefined;
  const unit = match[2]!.toLowerCase();
  if (unit.startsWith('d')) return { unit: 'days', amount };
  return { unit: 'minutes', amount: unit.startsWith('h') ? amount * 60 : amount };
}

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "wednesday 17:00" → ISO weekday (1 = Monday) and minutes after midnight. */
export function parseWeekdayTime(text: string): { weekday: number; minutes: number } | undefined {
  const match = /^\s*([a-z]+)\s+([01]?\d|2[0-3]):([0-5]\d)\s*$/i.exec(text);
  if (!match) return undefined;
  const day = WEEKDAYS.indexOf(match[1]!.toLowerCase() as Weekday);
  if (day < 0) return undefined;
  return { weekday: day + 1, minutes: Number(match[2]) * 60 + Number(match[3]) };
}

const span = z
  .string()
  .refine((text) => parseSlaSpan(text) !== undefined, 'a span such as "1 hour", "30 minutes" or "2 working days"')
  .describe('Counted in the owner\'s working hours: "1 hour", "30 minutes", "2 working days".');

const share = z
  .string()
  .regex(/^(100|[1-9]?\d)\s*%$/, 'a share such as 75%')
  .transform((text) => Number.parseInt(text, 10) / 100);

const cohort = z
  .object({
    name: z.string().min(1).describe('How reports and logs name this SLA, e.g. "monday trade-show batch".'),
    delivered_on: z.enum(WEEKDAYS).describe("Hand-offs delivered on this day (the owner's local day)..."),
    worked_by: z
      .string()
      .refine((text) => parseWeekdayTime(text) !== undefined, 'a day and time such as "wednesday 17:00"')
      .describe("...must be worked by this day and time of the same week, owner's local time."),
    sources: z.array(z.string().min(1)).optional().describe('Only hand-offs from these sources (lead_source values); default all.'),
    grades: z
      .array(z.enum(['hot', 'warm', 'cold']))
      .optional()
      .describe('Only hand-offs of these temperatures; default all.'),
  })
  .strict();

export const slaSchema = z
  .object({
    hot: span.optional().describe('Hot leads: first touch within this.'),
    warm: span.optional().describe('Warm leads: first touch within this.'),
    cold: span.optional().describe('Cold leads handed off (e.g. a trade-show scan): none by default.'),
    cohorts: z.array(cohort).default([]).describe('Batch SLAs; the first that matches a hand-off sets its clock instead of its temperature.'),
    reminder: share.optional().describe('A task for the owner when this share of the SLA has passed without a touch, e.g. 75%.'),
    on_breach: z
      .object({
        reassign: z
          .enum(['none', 'next_in_team', 'fallback'])
          .default('none')
          .describe("none; next_in_team: the next member of the owner's team (in turn); fallback: routing.yaml's fallback. Only while the lead still has leadloop's owner."),
        manager_task: z.boolean().default(true).describe("A task for the manager of the owner's team (or the queue's manager)."),
        manager: z.string().email().optional().describe('Whose task it is when the team or queue names no manager.'),
        within: durationSchema.default('1d').describe('Escalate only breaches found within this of the breach time (a worker back from a long stop records old breaches without acting on them).'),
      })
      .strict()
      .default({ reassign: 'none', manager_task: true, within: '1d' }),
    watch_for: durationSchema.default('30d').describe('How long after its breach an untouched hand-off is still watched for its first touch (the median time to first touch).'),
  })
  .strict()
  .default({ cohorts: [], on_breach: { reassign: 'none', manager_task: true, within: '1d' }, watch_for: '30d' })
  .describe("How soon sales must first touch a handed-off lead, counted in the owner's working hours (routing.yaml).");

export type SlaConfig = z.infer<typeof slaSchema>;
export type SlaCohort = SlaConfig['cohorts'][number];
