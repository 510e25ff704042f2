import { z } from 'zod';
import { conditionSchema, patternSchema } from './condition.ts';
import { durationSchema } from './duration.ts';

const sfField = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name such as Company or Lead_Score__c');
const hsProperty = z.string().regex(/^[a-z0-9_]+$/, 'a HubSpot internal property name such as jobtitle');

/** Where a Salesforce field's value comes from. */
const fieldMapping = z
  .object({
    salesforce: sfField.describe('Salesforce field API name.'),
    hubspot: hsProperty.optional().describe('HubSpot property the value comes from.'),
    from: z.enum(['score', 'grade', 'source_detail', 'handoff_reason']).optional().describe('Or a value leadloop computes: score, grade, the source detail, or why it was handed off.'),
    value: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Or a constant.'),
    values: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe('Value map for picklists: HubSpot value → Salesforce value. Values not listed use default (or are left out).'),
    default: z.union([z.string(), z.number()]).optional().describe('Used when the source is empty or not in values (Salesforce-required fields need one).'),
    max_length: z.number().int().positive().optional().describe('Longer text is cut to this length (Salesforce refuses longer values with STRING_TOO_LONG).'),
    on: z.enum(['create', 'always']).default('always').describe("create: set only when leadloop creates the record, so sales' later changes stand (e.g. Status)."),
  })
  .strict()
  .refine((f) => [f.hubspot, f.from, f.value].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of hubspot:, from: or value:',
  });

/** One way of telling a contact's source from HubSpot's standard properties. */
const sourceRule = z
  .object({
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_]*$/, 'a source in lowercase words joined by _, e.g. trade_show')
      .describe("The source a contact gets when the rule holds (one of leadloop's source words: trade_show, demo_request, web_form, ...)."),
    when: conditionSchema.describe('The condition, on HubSpot properties, that names this source.'),
    detail: z
      .object({
        property: hsProperty.describe('The HubSpot property the detail (the show, webinar or form name) is read from.'),
        pattern: patternSchema
          .optional()
          .describe(
            'A regular expression (RE2, case-insensitive) whose first group is the detail, e.g. "^(.+?) booth scans?$" keeps the show\'s name of an import called "Dreamforce 2026 booth scans".',
          ),
      })
      .strict()
      .optional()
      .describe("Where the source's detail comes from: it names the Salesforce Campaign (campaign.name_from) and the show in reports."),
  })
  .strict();

export const SOURCE_PROPERTY = 'lead_source';

export const mappingConfigSchema = z
  .object({
    source: z
      .object({
        derive: z
          .array(sourceRule)
          .default([])
          .describe(
            "How leadloop tells a contact's source when its lead_source property is empty or the portal has none: the first rule that holds names it (a booth scan import, the first conversion, the original traffic source). Rules, reports and Salesforce's LeadSource then read lead_source as if HubSpot had it.",
          ),
        otherwise: z.string().min(1).default('other').describe('The source of a contact no rule names.'),
      })
      .strict()
      .default({ derive: [], otherwise: 'other' })
      .describe("Where a lead came from, the word every report groups by. A portal's own lead_source property, when set on a contact, wins."),
    external_id_field: sfField.default('HubSpot_Contact_Id__c').describe('Salesforce External ID field (Lead and Contact) holding the HubSpot contact id.'),
    task_key_field: sfField.default('Leadloop_Key__c').describe('Unique Task field leadloop uses so a task is never created twice.'),
    lead: z
      .object({ fields: z.array(fieldMapping).min(1) })
      .strict()
      .describe('HubSpot contact → Salesforce Lead.'),
    contact: z
      .object({ fields: z.array(fieldMapping).default([]) })
      .strict()
      .default({ fields: [] })
      .describe('Fields written on an existing Salesforce Contact (an existing or converted person); leave empty to only link it.'),
    opportunity: z
      .object({
        loss_reason: sfField.default('Loss_Reason__c').describe('Opportunity field with the loss reason (custom in every org).'),
        competitor: sfField.default('Competitor__c').describe('Opportunity field naming the competitor that won (custom in every org).'),
        competitor_from: z
          .enum(['field', 'opportunity_competitor', 'either'])
          .default('either')
          .describe('Where the competitor of a lost opportunity is read: the competitor field, the OpportunityCompetitor related list (used when it names exactly one), or either (the field first).'),
      })
      .strict()
      .default({ loss_reason: 'Loss_Reason__c', competitor: 'Competitor__c', competitor_from: 'either' }),
    deal: z
      .object({
        salesforce_id_property: hsProperty
          .default('leadloop_salesforce_opportunity_id')
          .describe('Unique-value HubSpot deal property holding the Salesforce opportunity id (leadloop setup creates it): one deal per opportunity, never two.'),
        pipeline: z.string().min(1).default('default').describe('Internal id of the HubSpot deal pipeline the deals go in.'),
        stages: z
          .object({ open: z.string().min(1), won: z.string().min(1), lost: z.string().min(1) })
          .strict()
          .default({ open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' })
          .describe("Internal ids of that pipeline's stages for an open, a won and a lost opportunity (setup checks them)."),
        competitor_property: hsProperty
          .default('leadloop_competitor')
          .describe("Deal property with the competitor that won (leadloop setup creates it); the loss reason goes in HubSpot's closed_lost_reason."),
      })
      .strict()
      .default({
        salesforce_id_property: 'leadloop_salesforce_opportunity_id',
        pipeline: 'default',
        stages: { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' },
        competitor_property: 'leadloop_competitor',
      })
      .describe('Won/lost feedback into HubSpot: a deal per Salesforce opportunity.'),
    lifecycle_stage: z
      .object({
        accepted: z.string().min(1).default('salesqualifiedlead'),
        opportunity: z.string().min(1).default('opportunity'),
        won: z.string().min(1).default('customer'),
      })
      .strict()
      .default({ accepted: 'salesqualifiedlead', opportunity: 'opportunity', won: 'customer' })
      .describe(
        "HubSpot lifecycle stages (internal values) a handed-off contact moves to when sales accepts it, when it has an opportunity, and when one is won; only ever forward, in HubSpot's order.",
      ),
    campaign: z
      .object({
        name_from: hsProperty.default('lead_source_detail').describe('HubSpot property naming the Campaign a lead belongs to (show, webinar).'),
        member_status: z.string().default('Responded').describe('CampaignMember Status a hand-off gets (created on a campaign that lacks it).'),
        create_missing: z
          .boolean()
          .default(false)
          .describe(
            'Create the Campaign a hand-off names when Salesforce has none of that name (needs the Marketing User permission); else the hand-off goes on without membership and the campaign is reported missing.',
          ),
        figures: z
          .object({ handoffs: sfField, sql: sfField, lost: sfField, win_rate: sfField })
          .strict()
          .describe(
            "Campaign Number (or Percent) fields that receive the closed-loop figures Salesforce does not compute itself: hand-offs, SQL among them, lost opportunities and win rate (percent). Won opportunities and their amount are Salesforce's own roll-ups (NumberOfWonOpportunities, AmountWonOpportunities).",
          ),
      })
      .strict(),
    lead_status: z
      .object({
        accepted: z.array(z.string()).min(1).describe('Lead Status values meaning sales accepted the lead (SQL).'),
        disqualified: z.array(z.string()).min(1).describe('Lead Status values meaning sales disqualified it.'),
        recycled: z.array(z.string()).optional().describe('Lead Status values meaning sales handed the lead back to marketing for nurture (recycled); optional. Any status in no list is "open".'),
        disqualified_reason_field: sfField
          .optional()
          .describe('Lead field holding why sales disqualified it (e.g. Disqualified_Reason__c); optional. The feedback records its value with each disqualification.'),
      })
      .strict(),
    back_to_marketing: z
      .object({
        lifecycle_stage: z
          .string()
          .min(1)
          .default('lead')
          .describe('HubSpot lifecycle stage (internal value) the contact goes back to; moving back clears the stage first, in its own request, as HubSpot requires.'),
        lead_status: z
          .object({ disqualified: z.string().min(1).default('UNQUALIFIED'), recycled: z.string().min(1).default('BAD_TIMING'), lost: z.string().min(1).default('BAD_TIMING') })
          .strict()
          .default({ disqualified: 'UNQUALIFIED', recycled: 'BAD_TIMING', lost: 'BAD_TIMING' })
          .describe("HubSpot's hs_lead_status (internal value) for a contact sales disqualified or recycled, or whose converted lead's opportunities were all lost."),
        cool_down: durationSchema
          .default('30d')
          .describe('How long after sales gave it back a contact that qualifies again waits before it is handed off again (its own hand-off: the same Lead reopened, or a task for a converted one).'),
        reopen_status: z.string().min(1).default('Open - Not Contacted').describe('The Lead Status a lead handed off again is reopened with (with its newly routed owner).'),
      })
      .strict()
      .default({ lifecycle_stage: 'lead', lead_status: { disqualified: 'UNQUALIFIED', recycled: 'BAD_TIMING', lost: 'BAD_TIMING' }, cool_down: '30d', reopen_status: 'Open - Not Contacted' })
      .describe(
        'What a contact becomes in HubSpot when sales disqualified or recycled its lead, or converted it and lost every opportunity it is linked to: back to marketing. A customer or evangelist is left as it is.',
      ),
    sales_owned_fields: z.array(sfField).default(['OwnerId', 'Status']).describe('Fields sales owns: leadloop sets them when it creates a record and never afterwards.'),
    hubspot_writeback: z
      .object({
        score: hsProperty,
        grade: hsProperty,
        mql: hsProperty.optional(),
        owner: hsProperty,
        salesforce_id: hsProperty,
        handoff_at: hsProperty.optional(),
        outcome: hsProperty,
        outcome_amount: hsProperty,
        loss_reason: hsProperty,
        competitor: hsProperty,
      })
      .strict()
      .describe('HubSpot properties leadloop writes (leadloop setup creates them).'),
    custom_properties: z.array(hsProperty).default([]).describe('Other HubSpot properties of your portal that rules may name.'),
    duplicate_rules: z
      .enum(['respect', 'allow_save'])
      .default('respect')
      .describe(
        'Salesforce duplicate rules that block a new Lead (e.g. on email): respect them (the lead goes to the dead-letter list with DUPLICATES_DETECTED) or save anyway (Sforce-Duplicate-Rule-Header allowSave=true).',
      ),
    privacy_deletion: z
      .object({
        salesforce_lead: z
          .enum(['delete', 'anonymise', 'keep'])
          .default('anonymise')
          .describe('What a HubSpot privacy deletion does to the Lead leadloop created: delete it, blank its personal fields (the record and its history stay for reports), or keep it.'),
      })
      .strict()
      .default({ salesforce_lead: 'anonymise' })
      .describe('GDPR deletions in HubSpot: leadloop always purges the contact from its own ledger and state.'),
  })
  .strict();

export type MappingConfig = z.infer<typeof mappingConfigSchema>;
export type FieldMapping = MappingConfig['lead']['fields'][number];
