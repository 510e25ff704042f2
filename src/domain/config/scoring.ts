import { z } from 'zod';
import { conditionSchema } from './condition.ts';

const ruleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'rule ids are lowercase letters, digits, - and _')
  .describe('A short, unique name for the rule; it appears in every score explanation.');

const OPTIONAL = z
  .boolean()
  .optional()
  .describe(
    "An extra that reads custom properties a portal may not have (BANT answers, demo watched): it adds points where they exist, and setup lists it as inactive, not as a problem, where they don't.",
  );

const pointsRule = z
  .object({
    id: ruleId,
    description: z.string().optional().describe('What the rule means, in words sales and marketing agree on.'),
    when: conditionSchema.describe('The condition a contact must meet for the rule to count.'),
    points: z.number().finite().describe('Points added when the condition holds (negative rules subtract).'),
    optional: OPTIONAL,
  })
  .strict();

const recencySchema = z
  .object({
    property: z.string().min(1).optional().describe('A dated HubSpot property that says when the behaviour happened, e.g. hs_analytics_last_visit_timestamp.'),
    observed: z.boolean().optional().describe("When the dated property is empty, use the time leadloop saw the rule's properties change at a sync."),
  })
  .strict()
  .refine((r) => r.property !== undefined || r.observed === true, { message: 'recency needs a property, observed: true, or both' });

const engagementRule = pointsRule
  .extend({
    half_life_days: z.number().positive().describe('After this many days the points are worth half; after twice as many, a quarter.'),
    recency: recencySchema.optional().describe('Where the date of the behaviour comes from. Without one, the rule is "undated" and counts with undated_weight only.'),
  })
  .strict();

const bantAnswer = z
  .object({
    when: conditionSchema.describe('The answer that counts as positive.'),
    points: z.number().finite().describe('Points for a positive answer.'),
    optional: OPTIONAL,
  })
  .strict();

const disqualifier = z
  .object({
    id: ruleId,
    when: conditionSchema.describe('Contacts meeting this condition are never handed to sales.'),
    reason: z.string().min(1).describe('Why: shown in explanations and the ledger.'),
  })
  .strict();

export const scoringConfigSchema = z
  .object({
    fit: z.array(pointsRule).default([]).describe('Firmographic and demographic fit: industry, company size, seniority, country.'),
    engagement: z.array(engagementRule).default([]).describe('Behaviour, worth less as it ages (decay by half-life).'),
    bant: z
      .object({
        budget: bantAnswer.optional(),
        authority: bantAnswer.optional(),
        need: bantAnswer.optional(),
        timeline: bantAnswer.optional(),
        all_four_bonus: z.number().finite().default(0).describe('Extra points when budget, authority, need and timeline are all positive.'),
      })
      .strict()
      .default({ all_four_bonus: 0 })
      .describe('Budget, authority, need, timeline: answers gathered by a person (booth, form).'),
    negative: z.array(pointsRule).default([]).describe('Signals that lower the score, e.g. personal email domains, bounced emails. Use negative points.'),
    disqualifiers: z.array(disqualifier).default([]).describe('Vetoes: a contact meeting one is never handed off, whatever its score.'),
    caps: z
      .object({
        fit: z.number().nonnegative().optional().describe('Most points fit can add.'),
        engagement: z.number().nonnegative().optional().describe('Most points engagement can add.'),
        bant: z.number().nonnegative().optional().describe('Most points BANT can add.'),
        total: z.number().positive().default(100).describe('The score never goes above this (nor below 0).'),
      })
      .strict()
      .default({ total: 100 }),
    undated_weight: z.number().min(0).max(1).default(0).describe('Share of points an engagement rule keeps when no date says how fresh it is. 0: a lifetime counter never counts as fresh.'),
    grades: z
      .object({
        hot: z.number().describe('Score from which a contact is hot (ready to buy now).'),
        warm: z.number().describe('Score from which a contact is warm (buying soon); below is cold.'),
      })
      .strict(),
    mql: z
      .object({
        min_score: z.number().describe('Score from which a contact is a marketing-qualified lead.'),
        immediate_sources: conditionSchema.optional().describe('Contacts meeting this go to sales at once, whatever their score (trade shows, demo requests).'),
      })
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.grades.hot <= config.grades.warm) {
      ctx.addIssue({ code: 'custom', path: ['grades', 'hot'], message: `grades.hot (${config.grades.hot}) must be above grades.warm (${config.grades.warm})` });
    }
    const ids = new Map<string, string>();
    for (const section of ['fit', 'engagement', 'negative', 'disqualifiers'] as const) {
      config[section].forEach((rule, index) => {
        const seen = ids.get(rule.id);
        if (seen) ctx.addIssue({ code: 'custom', path: [section, index, 'id'], message: `rule id "${rule.id}" is already used in ${seen}` });
        else ids.set(rule.id, section);
      });
    }
  });

export type ScoringConfig = z.infer<typeof scoringConfigSchema>;
export type ScoringConfigInput = z.input<typeof scoringConfigSchema>;
