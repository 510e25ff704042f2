import { z } from 'zod';
import { conditionSchema } from './condition.ts';

const email = z.string().email().describe("The person's email: their Salesforce username or user email.");
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 08:30 (24-hour clock)');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const workingHours = z
  .object({
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').describe('IANA time zone of the person.'),
    days: z.array(z.enum(DAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']).describe('Working days.'),
    start: clock.describe('Start of the working day, local time.'),
    end: clock.describe('End of the working day, local time.'),
  })
  .strict();

const owner = z
  .object({
    email,
    name: z.string().min(1).describe('Full name, as sales knows the person.'),
    salesforce_user_id: z
      .string()
      .regex(/^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, 'a Salesforce User id starting with 005')
      .optional()
      .describe('Optional: found by email at start when absent.'),
    role: z.string().optional().describe('What the person does, e.g. "Enterprise AE, North America".'),
    daily_capacity: z.number().int().positive().optional().describe('Most new leads a day; at capacity the person is skipped.'),
    working_hours: workingHours.optional().describe('When the person works; rules with respect_working_hours skip people outside them.'),
    active: z.boolean().default(true).describe('Set to false while someone is away: routing skips them.'),
  })
  .strict();

const member = z.union([email, z.object({ email, weight: z.number().positive().describe('Relative share of leads, e.g. 2 gets twice as many as 1.') }).strict()]);

const team = z
  .object({
    strategy: z.enum(['round_robin', 'weighted']).default('round_robin').describe('round_robin: in turn; weighted: in proportion to weights.'),
    members: z.array(member).min(1).describe('Team members (emails of owners), optionally with weights.'),
    manager: email.optional().describe("Who is told when a member's lead breaches its SLA (an owner's email)."),
  })
  .strict();

const queue = z
  .object({
    salesforce_queue: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "the queue's DeveloperName (API name)")
      .describe('DeveloperName of the Salesforce queue (Group of type Queue).'),
    salesforce_queue_id: z
      .string()
      .regex(/^00G[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/)
      .optional()
      .describe('Optional: found by DeveloperName when absent.'),
    manager: email.optional().describe("The person who answers for the queue (an owner's email): a lead routed to the queue gives its tasks to them, and the SLA clock watches it for them."),
  })
  .strict();

const notify = z.array(email).default([]).describe('Extra people told about the lead (a Salesforce task each).');

const assignment = {
  assign: z
    .enum(['owner', 'team', 'queue', 'account_owner'])
    .describe("owner: one person; team: in turn within a team; queue: a Salesforce queue; account_owner: the owner of the existing account with the lead's domain."),
  owner: email.optional().describe('With assign: owner.'),
  team: z.string().optional().describe('With assign: team.'),
  queue: z.string().optional().describe('With assign: queue.'),
};

function requireTarget(value: { assign: string; owner?: string | undefined; team?: string | undefined; queue?: string | undefined }, ctx: z.RefinementCtx): void {
  const need = value.assign === 'owner' ? 'owner' : value.assign === 'team' ? 'team' : value.assign === 'queue' ? 'queue' : undefined;
  if (need && value[need] === undefined) ctx.addIssue({ code: 'custom', path: [need], message: `assign: ${value.assign} needs "${need}:"` });
}

const rule = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'rule ids are lowercase letters, digits, - and _')
      .describe('Short unique name; recorded with every decision.'),
    description: z.string().optional(),
    when: conditionSchema.optional().describe('Condition on the lead (HubSpot properties, plus leadloop_grade and leadloop_score). No condition: always matches.'),
    ...assignment,
    respect_working_hours: z.boolean().default(false).describe('Skip people outside their working hours (e.g. for hot leads that must be called now).'),
    notify,
  })
  .strict()
  .superRefine(requireTarget);

const escalation = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    description: z.string().optional(),
    when: conditionSchema.describe('When this holds, the people below are also notified, whoever owns the lead.'),
    notify: z.array(email).min(1),
    optional: z
      .boolean()
      .optional()
      .describe('An extra that reads a custom property a portal may not have (e.g. estimated_deal_size): setup lists it as inactive, not as a problem, where it has not.'),
  })
  .strict();

export const routingConfigSchema = z
  .object({
    use_salesforce_assignment_rules: z.boolean().default(false).describe("true: leave the owner to the org's own Salesforce lead assignment rules; leadloop still scores and records."),
    owners: z.array(owner).min(1).describe('The owner directory: who to contact.'),
    default_working_hours: workingHours
      .default({ timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' })
      .describe('Working hours of owners without their own: the SLA clock counts in them.'),
    teams: z.record(z.string(), team).default({}).describe('Teams by name.'),
    queues: z.record(z.string(), queue).default({}).describe('Salesforce queues by the name rules use.'),
    rules: z.array(rule).default([]).describe('Tried in order; the first rule that matches and finds an available owner decides.'),
    escalations: z.array(escalation).default([]).describe('Extra people to involve, e.g. deals above 2,000,000 also go to the brand manager.'),
    fallback: z
      .object({ ...assignment, notify })
      .strict()
      .superRefine(requireTarget)
      .refine((f) => f.assign !== 'account_owner', 'the fallback cannot be account_owner: it must always find an owner')
      .describe('Used when no rule decides, and when the chosen people are inactive or at capacity.'),
  })
  .strict();

export type RoutingConfig = z.infer<typeof routingConfigSchema>;
export type RoutingRule = RoutingConfig['rules'][number];
export type RoutingOwner = RoutingConfig['owners'][number];
