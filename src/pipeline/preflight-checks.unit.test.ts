import { describe, expect, it } from 'vitest';
import { mappingConfigSchema, type MappingConfig } from '../domain/config/mapping.ts';
import { routingConfigSchema, type RoutingConfig } from '../domain/config/routing.ts';
import type { DescribedField, DescribedObject } from '../salesforce/describeFields.ts';
import type { SalesforceDirectory } from '../salesforce/directory.ts';
import { checkDeals, checkFeedbackCapabilities, checkRoutingOwners, checkSalesforceFields, type PreflightProblem, TASK_KEY_LENGTH } from './preflight-checks.ts';
import { assertPreflight, PreflightBlocked, type PreflightDeps } from './preflight.ts';

function field(name: string, type: string, extra: Partial<DescribedField> = {}): DescribedField {
  return {
    name,
    type,
    length: 0,
    externalId: false,
    unique: false,
    filterable: true,
    createable: true,
    updateable: true,
    nillable: true,
    defaultedOnCreate: false,
    picklistValues: [],
    restrictedPicklist: false,
    ...extra,
  };
}
function object(...fields: DescribedField[]): DescribedObject {
  return new Map(fields.map((f) => [f.name.toLowerCase(), f]));
}

const lead = (...extra: DescribedField[]) =>
  object(
    field('LastName', 'string', { length: 80, nillable: false }),
    field('Company', 'string', { length: 255, nillable: false }),
    field('HubSpot_Contact_Id__c', 'string', { length: 32, externalId: true, unique: true }),
    ...extra,
  );
const task = (key: Partial<DescribedField> = {}) => object(field('Leadloop_Key__c', 'string', { length: 80, externalId: true, unique: true, ...key }));
const campaign = () => object(...['Leadloop_Handoffs__c', 'Leadloop_SQL__c', 'Leadloop_Lost__c'].map((n) => field(n, 'double')), field('Leadloop_Win_Rate__c', 'percent'));

function mapping(fields: unknown[]): MappingConfig {
  return mappingConfigSchema.parse({
    lead: {
      fields: [{ salesforce: 'LastName', hubspot: 'lastname', max_length: 80, default: '[none]' }, { salesforce: 'Company', hubspot: 'company', max_length: 255, default: '[none]' }, ...fields],
    },
    campaign: { figures: { handoffs: 'Leadloop_Handoffs__c', sql: 'Leadloop_SQL__c', lost: 'Leadloop_Lost__c', win_rate: 'Leadloop_Win_Rate__c' } },
    lead_status: { accepted: ['Working'], disqualified: ['Closed'] },
    hubspot_writeback: { score: 's', grade: 'g', owner: 'o', salesforce_id: 'i', outcome: 'x', outcome_amount: 'y', loss_reason: 'l', competitor: 'c' },
  });
}

const campaignMember = (createable = true, ...readOnly: string[]): DescribedObject =>
  Object.assign(object(...['CampaignId', 'LeadId', 'ContactId', 'Status'].map((n) => field(n, n === 'Status' ? 'picklist' : 'reference', { createable: !readOnly.includes(n) }))), { createable });

function check(
  m: MappingConfig,
  objects: { Lead?: DescribedObject; Task?: DescribedObject; Campaign?: DescribedObject; CampaignMember?: DescribedObject | undefined },
  hubspotTypes = new Map<string, string>(),
) {
  return checkSalesforceFields({ mapping: m, scoreMax: 100, objects: new Map(Object.entries(objects)), hubspotTypes });
}

describe('checkSalesforceFields', () => {
  it('accepts fields that fit', () => {
    const m = mapping([
      { salesforce: 'Lead_Score__c', from: 'score' },
      { salesforce: 'Lead_Grade__c', from: 'grade' },
      { salesforce: 'Rating', from: 'grade', values: { hot: 'Hot', warm: 'Warm', cold: 'Cold' } },
      { salesforce: 'NumberOfEmployees', hubspot: 'numemployees', values: { '1-5': 5 } },
    ]);
    const result = check(m, {
      Lead: lead(
        field('Lead_Score__c', 'double'),
        field('Lead_Grade__c', 'string', { length: 4 }),
        field('Rating', 'picklist', { length: 255, picklistValues: ['Hot', 'Warm', 'Cold'] }),
        field('NumberOfEmployees', 'int'),
      ),
      Task: task(),
      Campaign: campaign(),
    });
    expect(result).toEqual({ blocking: [], warnings: [] });
  });

  it('the external ID must exist as a unique External ID', () => {
    const m = mapping([]);
    expect(
      check(m, { Lead: object(field('LastName', 'string', { length: 80 }), field('Company', 'string', { length: 255 })), Task: task(), Campaign: campaign() }).blocking.map((b) => b.subject),
    ).toEqual(['Lead.HubSpot_Contact_Id__c']);
    const plain = check(m, { Lead: lead(field('HubSpot_Contact_Id__c', 'string', { length: 12 })), Task: task(), Campaign: campaign() });
    expect(plain.blocking.map((b) => b.problem)).toEqual([expect.stringContaining('not marked External ID'), expect.stringContaining('not Unique')]);
    expect(plain.warnings.map((w) => w.problem)).toEqual(['holds 12 characters; HubSpot contact ids can have up to 19 digits']);
  });

  it('the task key must exist and be filterable; a short or non-unique key is a warning', () => {
    const m = mapping([]);
    expect(check(m, { Lead: lead(), Task: object(), Campaign: campaign() }).blocking).toEqual([
      expect.objectContaining({ subject: 'Task.Leadloop_Key__c', problem: expect.stringContaining('does not exist on Task') }),
    ]);
    expect(check(m, { Lead: lead(), Task: task({ type: 'textarea', length: 32000, filterable: false }), Campaign: campaign() }).blocking.map((b) => b.problem)).toEqual([
      expect.stringContaining('textarea(32000) field cannot hold task keys'),
    ]);
    expect(check(m, { Lead: lead(), Task: task({ filterable: false }), Campaign: campaign() }).blocking.map((b) => b.problem)).toEqual([expect.stringContaining('not filterable')]);
    const short = check(m, { Lead: lead(), Task: task({ length: 40, unique: false }), Campaign: campaign() });
    expect(short.blocking).toEqual([]);
    expect(short.warnings.map((w) => w.problem)).toEqual([
      expect.stringContaining('not Unique'),
      `holds 40 characters; task keys can be up to ${TASK_KEY_LENGTH}: longer keys are refused (STRING_TOO_LONG)`,
    ]);
  });

  it('free text without max_length into a short field, and a value longer than the field, are warnings', () => {
    const m = mapping([
      { salesforce: 'Title', hubspot: 'jobtitle' },
      { salesforce: 'Tier__c', value: 'Enterprise customer' },
    ]);
    const result = check(m, { Lead: lead(field('Title', 'string', { length: 128 }), field('Tier__c', 'string', { length: 10 })), Task: task(), Campaign: campaign() });
    expect(result.blocking).toEqual([]);
    expect(result.warnings).toEqual([
      {
        subject: 'Lead.Title',
        problem: expect.stringContaining('HubSpot property jobtitle can be longer and mapping.yaml sets no max_length'),
        fix: 'add max_length: 128 to "Title" in mapping.yaml, or lengthen the field',
      },
      {
        subject: 'Lead.Tier__c',
        problem: 'holds 10 characters; mapping.yaml can write "Enterprise customer" (19 characters): refused (STRING_TOO_LONG)',
        fix: expect.stringContaining('lengthen the field to 19'),
      },
    ]);
  });

  it('a HubSpot number property fits a number field; a string property only may (a warning); computed text never does', () => {
    const m = mapping([
      { salesforce: 'Employees__c', hubspot: 'numberofemployees' },
      { salesforce: 'Revenue__c', hubspot: 'industry' },
      { salesforce: 'Reason__c', from: 'handoff_reason' },
    ]);
    const result = check(
      m,
      { Lead: lead(field('Employees__c', 'int'), field('Revenue__c', 'currency'), field('Reason__c', 'double')), Task: task(), Campaign: campaign() },
      new Map([
        ['numberofemployees', 'number'],
        ['industry', 'enumeration'],
      ]),
    );
    expect(result.warnings).toEqual([
      expect.objectContaining({
        subject: 'Lead.Revenue__c',
        problem: 'a currency field, but mapping.yaml fills it from HubSpot property industry (a HubSpot enumeration): a record whose value is not a currency is refused',
      }),
    ]);
    expect(result.blocking).toEqual([
      expect.objectContaining({ subject: 'Lead.Reason__c', problem: 'a double field, but mapping.yaml puts the hand-off reason in it: Salesforce refuses those values' }),
    ]);
  });

  it('picklist values the mapping can write but the picklist lacks are a warning', () => {
    const m = mapping([{ salesforce: 'LeadSource', hubspot: 'lead_source', values: { web_form: 'Web', booth: 'Booth Scan' }, default: 'Other' }]);
    const result = check(m, { Lead: lead(field('LeadSource', 'picklist', { length: 255, picklistValues: ['Web', 'Other'], restrictedPicklist: true })), Task: task(), Campaign: campaign() });
    expect(result.warnings).toEqual([expect.objectContaining({ subject: 'Lead.LeadSource', problem: expect.stringMatching(/"Booth Scan", not among the picklist's values \(a restricted picklist/) })]);
  });

  it('a required Lead field the mapping does not fill is blocking', () => {
    const result = check(mapping([]), { Lead: lead(field('Region__c', 'string', { length: 20, nillable: false })), Task: task(), Campaign: campaign() });
    expect(result.blocking).toEqual([expect.objectContaining({ subject: 'Lead.Region__c', problem: expect.stringContaining('REQUIRED_FIELD_MISSING') })]);
  });

  it('Campaign figure fields block only the feedback: missing, not a number, or not editable', () => {
    const result = check(mapping([]), {
      Lead: lead(),
      Task: task(),
      Campaign: object(field('Leadloop_Handoffs__c', 'string', { length: 10 }), field('Leadloop_SQL__c', 'currency'), field('Leadloop_Win_Rate__c', 'percent', { updateable: false })),
    });
    expect(result.warnings).toEqual([]);
    expect(result.blocking.map((b) => [b.subject, b.feedbackOnly])).toEqual([
      ['Campaign.Leadloop_Handoffs__c', true],
      ['Campaign.Leadloop_SQL__c', true],
      ['Campaign.Leadloop_Lost__c', true],
      ['Campaign.Leadloop_Win_Rate__c', true],
    ]);
    expect(result.blocking.map((b) => b.problem)).toEqual([
      expect.stringContaining('string(10) field, but campaign.figures.handoffs is a number'),
      expect.stringContaining('currency field'),
      expect.stringContaining('no such field (mapping.yaml campaign.figures.lost)'),
      expect.stringContaining('cannot edit this field'),
    ]);
    expect(result.blocking[3]!.fix).toContain('Marketing User');
  });

  it('CampaignMember creatable with CampaignId, LeadId, ContactId and Status passes', () => {
    expect(check(mapping([]), { Lead: lead(), Task: task(), Campaign: campaign(), CampaignMember: campaignMember() })).toEqual({ blocking: [], warnings: [] });
  });

  it('an integration user that cannot create CampaignMember blocks the campaign writes only, naming the permission', () => {
    const objectRefused = check(mapping([]), { Lead: lead(), Task: task(), Campaign: campaign(), CampaignMember: campaignMember(false) });
    expect(objectRefused.warnings).toEqual([]);
    expect(objectRefused.blocking).toEqual([
      {
        subject: 'CampaignMember (create)',
        problem: expect.stringMatching(/^the integration user cannot create CampaignMember records; every hand-off is added to its campaign/),
        fix: expect.stringMatching(/Create on CampaignMember.*Marketing User/),
        campaignOnly: true,
      },
    ]);
    expect(objectRefused.blocking[0]!.feedbackOnly).toBeUndefined();
    const fieldsRefused = check(mapping([]), { Lead: lead(), Task: task(), Campaign: campaign(), CampaignMember: campaignMember(true, 'LeadId', 'Status') });
    expect(fieldsRefused.blocking).toEqual([
      expect.objectContaining({ subject: 'CampaignMember (create)', problem: expect.stringContaining('cannot set CampaignMember.LeadId, CampaignMember.Status on new members'), campaignOnly: true }),
    ]);
    const unseen = check(mapping([]), { Lead: lead(), Task: task(), Campaign: campaign(), CampaignMember: undefined });
    expect(unseen.blocking).toEqual([expect.objectContaining({ subject: 'CampaignMember', problem: expect.stringContaining('cannot describe CampaignMember'), campaignOnly: true })]);
  });

  it('Campaign figure fields of Number and Percent types pass; no Campaign describe blocks the feedback only', () => {
    expect(check(mapping([]), { Lead: lead(), Task: task(), Campaign: campaign() })).toEqual({ blocking: [], warnings: [] });
    expect(check(mapping([]), { Lead: lead(), Task: task() }).blocking).toEqual([expect.objectContaining({ subject: 'Campaign', feedbackOnly: true })]);
  });
});

function routing(overrides: Record<string, unknown> = {}): RoutingConfig {
  return routingConfigSchema.parse({
    owners: [
      { email: 'ann@x.example', name: 'Ann' },
      { email: 'bob@x.example', name: 'Bob' },
      { email: 'cid@x.example', name: 'Cid' },
      { email: 'away@x.example', name: 'Away', active: false },
    ],
    teams: { a: { members: ['ann@x.example', 'bob@x.example'] } },
    queues: { inbound: { salesforce_queue: 'Inbound' } },
    rules: [
      { id: 'big', assign: 'owner', owner: 'cid@x.example', notify: ['bob@x.example'] },
      { id: 'rest', assign: 'team', team: 'a' },
    ],
    fallback: { assign: 'queue', queue: 'inbound' },
    ...overrides,
  });
}

function directory(users: Record<string, boolean>, queues: string[] = ['Inbound']): SalesforceDirectory {
  const usersByEmail = new Map(Object.entries(users).map(([email, active], i) => [email, { id: `005000000000${String(i).padStart(3, '0')}AAA`, active, name: email.split('@')[0]! }]));
  return { usersByEmail, emailsById: new Map([...usersByEmail].map(([e, u]) => [u.id, e])), queuesByName: new Map(queues.map((q, i) => [q, `00G000000000${String(i).padStart(3, '0')}AAA`])) };
}

describe('checkRoutingOwners', () => {
  const all = { 'ann@x.example': true, 'bob@x.example': true, 'cid@x.example': true };

  it('passes when everyone is an active user and every queue exists; active: false owners are not checked', () => {
    expect(checkRoutingOwners(routing(), directory(all))).toEqual({ blocking: [], warnings: [] });
  });

  it('an inactive rule owner or team member is a warning: routing falls back', () => {
    const result = checkRoutingOwners(routing(), directory({ ...all, 'cid@x.example': false, 'bob@x.example': false }));
    expect(result.blocking).toEqual([]);
    expect(result.warnings.map((w) => w.subject)).toEqual(['routing owner cid@x.example', 'routing owner bob@x.example']);
    expect(result.warnings[0]!.problem).toContain('is inactive (rule big); routing skips them and the next member or the fallback (queue inbound) takes their leads');
  });

  it('someone only notified is a warning even when Salesforce does not know them', () => {
    const result = checkRoutingOwners(routing({ rules: [{ id: 'big', assign: 'queue', queue: 'inbound', notify: ['zed@x.example'] }] }), directory(all));
    expect(result.blocking).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ subject: 'routing owner zed@x.example', problem: expect.stringContaining('they get no FYI task') })]);
  });

  it('a routed person Salesforce does not know is blocking: routing does not skip them', () => {
    const result = checkRoutingOwners(routing(), directory({ 'ann@x.example': true, 'bob@x.example': true }));
    expect(result.blocking).toEqual([expect.objectContaining({ subject: 'routing owner cid@x.example', problem: expect.stringContaining('would land with the integration user') })]);
  });

  it('the fallback has nothing behind it: a missing queue, an inactive owner, a team without an active member', () => {
    expect(checkRoutingOwners(routing(), directory(all, [])).blocking.map((b) => b.subject)).toEqual(['routing fallback queue inbound']);
    expect(checkRoutingOwners(routing({ fallback: { assign: 'owner', owner: 'ann@x.example' } }), directory({ ...all, 'ann@x.example': false })).blocking.map((b) => b.subject)).toEqual([
      'routing fallback owner ann@x.example',
    ]);
    const team = checkRoutingOwners(routing({ fallback: { assign: 'team', team: 'a' } }), directory({ 'ann@x.example': false, 'bob@x.example': false, 'cid@x.example': true }));
    expect(team.blocking.map((b) => b.subject)).toEqual(['routing fallback team a']);
    const half = checkRoutingOwners(routing({ fallback: { assign: 'team', team: 'a' } }), directory({ ...all, 'ann@x.example': false }));
    expect(half.blocking).toEqual([]);
  });

  it('with Salesforce assignment rules deciding, owner problems are only warnings', () => {
    const result = checkRoutingOwners(routing({ use_salesforce_assignment_rules: true }), directory({}, []));
    expect(result.blocking).toEqual([]);
    expect(result.warnings.length).toBeGreaterThan(0);
  });

  it('a configured salesforce_user_id is checked by id', () => {
    const dir = directory(all);
    const cid = dir.usersByEmail.get('cid@x.example')!;
    const ok = routing({
      owners: [
        { email: 'ann@x.example', name: 'Ann' },
        { email: 'bob@x.example', name: 'Bob' },
        { email: 'cid@x.example', name: 'Cid', salesforce_user_id: cid.id.slice(0, 15) },
      ],
    });
    expect(checkRoutingOwners(ok, dir)).toEqual({ blocking: [], warnings: [] });
    const wrong = routing({
      owners: [
        { email: 'ann@x.example', name: 'Ann' },
        { email: 'bob@x.example', name: 'Bob' },
        { email: 'cid@x.example', name: 'Cid', salesforce_user_id: '005999999999999' },
      ],
    });
    expect(checkRoutingOwners(wrong, dir).blocking[0]!.problem).toContain('no Salesforce user has the id 005999999999999');
  });
});

describe('checkDeals (the feedback in HubSpot)', () => {
  const mapping = {
    deal: { salesforce_id_property: 'sf_opp_id', pipeline: 'default', stages: { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' }, competitor_property: 'leadloop_competitor' },
  };
  const properties = new Map([
    ['sf_opp_id', { type: 'string', hasUniqueValue: true }],
    ['leadloop_competitor', { type: 'string', hasUniqueValue: false }],
  ]);
  const pipeline = {
    pipeline: 'Sales Pipeline',
    stages: [
      { id: 'appointmentscheduled', label: 'Appointment Scheduled', isClosed: false, probability: 0.2 },
      { id: 'closedwon', label: 'Closed Won', isClosed: true, probability: 1 },
      { id: 'closedlost', label: 'Closed Lost', isClosed: true, probability: 0 },
    ],
  };

  it('passes the default pipeline with both properties, and blocks only the feedback otherwise', () => {
    expect(checkDeals({ mapping, dealProperties: properties, pipeline, connectorDeal: undefined })).toEqual({ blocking: [], warnings: [] });
    const notUnique = checkDeals({ mapping, dealProperties: new Map([...properties, ['sf_opp_id', { type: 'string', hasUniqueValue: false }]]), pipeline, connectorDeal: undefined });
    expect(notUnique.blocking).toEqual([expect.objectContaining({ subject: 'HubSpot deal property sf_opp_id', feedbackOnly: true, problem: expect.stringContaining('without unique values') })]);
  });

  it('names the internal id when a stage is given by its label, and warns when a stage does not mean its outcome', () => {
    const byLabel = checkDeals({ mapping: { deal: { ...mapping.deal, stages: { ...mapping.deal.stages, won: 'Closed Won' } } }, dealProperties: properties, pipeline, connectorDeal: undefined });
    expect(byLabel.blocking[0]!.problem).toContain('the stage labelled "Closed Won" has the internal id "closedwon"');
    const swapped = checkDeals({ mapping: { deal: { ...mapping.deal, stages: { ...mapping.deal.stages, won: 'closedlost' } } }, dealProperties: properties, pipeline, connectorDeal: undefined });
    expect(swapped.warnings.map((w) => w.subject)).toEqual(['mapping.yaml deal.stages.won']);
    expect(checkDeals({ mapping, dealProperties: properties, pipeline: undefined, connectorDeal: undefined }).blocking[0]!.subject).toBe('HubSpot deal pipeline default');
    expect(checkDeals({ mapping, dealProperties: properties, pipeline, connectorDeal: { id: '1' } }).warnings[0]!.subject).toBe('HubSpot deals (Salesforce connector)');
  });
});

describe('checkFeedbackCapabilities (the feedback in Salesforce)', () => {
  const mapping = {
    opportunity: { loss_reason: 'Loss_Reason__c', competitor: 'Competitor__c', competitor_from: 'either' as const },
    lead_status: { accepted: ['A'], disqualified: ['D'], disqualified_reason_field: 'Why__c' },
  };
  it('warns for untracked Status history and each missing field, and nothing when all is there', () => {
    const all = { statusHistoryTracked: true, lossReasonField: true, competitorField: true, disqualifiedReasonField: true };
    expect(checkFeedbackCapabilities(all, mapping)).toEqual({ blocking: [], warnings: [] });
    const none = { statusHistoryTracked: false, lossReasonField: false, competitorField: false, disqualifiedReasonField: false };
    expect(checkFeedbackCapabilities(none, mapping).warnings.map((w) => w.subject)).toEqual(['Lead.Status (field history)', 'Opportunity.Loss_Reason__c', 'Opportunity.Competitor__c', 'Lead.Why__c']);
    expect(checkFeedbackCapabilities(none, { ...mapping, opportunity: { ...mapping.opportunity, competitor_from: 'opportunity_competitor' } }).warnings).toHaveLength(3);
  });
});

describe('campaign creation (campaign.create_missing)', () => {
  const creating = () => {
    const m = mapping([]);
    return { ...m, campaign: { ...m.campaign, create_missing: true } };
  };
  it('warns when hand-offs may create campaigns but the integration user cannot; nothing when it can or when creation is off', () => {
    const cannot = object(...[...campaign().values()], field('Name', 'string', { createable: false }));
    const can = object(...[...campaign().values()], field('Name', 'string'));
    const subjects = (m: MappingConfig, c: DescribedObject) => check(m, { Lead: lead(), Task: task(), Campaign: c }).warnings.map((w) => w.subject);
    expect(subjects(creating(), cannot)).toContain('Campaign (create)');
    expect(subjects(creating(), can)).not.toContain('Campaign (create)');
    expect(subjects(mapping([]), cannot)).not.toContain('Campaign (create)');
  });
});

describe('assertPreflight', () => {
  const problem = (extra: Partial<PreflightProblem>): PreflightProblem => ({ subject: 's', problem: 'p', fix: 'f', ...extra });
  const cached = (blocking: PreflightProblem[]) => ({
    get: async () => ({ configVersion: 'v1', checkedAt: 0, blocking, warnings: [] }),
    set: async () => undefined,
  });
  const deps = { configVersion: 'v1' } as unknown as PreflightDeps;

  it('a campaign-only problem blocks neither the lead sync nor the feedback: it is returned, for the work to go on without campaign members', async () => {
    const member = problem({ subject: 'CampaignMember (create)', campaignOnly: true });
    await expect(assertPreflight(deps, cached([member]), 'leads')).resolves.toEqual({ campaignBlocked: [member] });
    await expect(assertPreflight(deps, cached([member]), 'feedback')).resolves.toEqual({ campaignBlocked: [member] });
    await expect(assertPreflight(deps, cached([member, problem({ feedbackOnly: true })]), 'leads')).resolves.toEqual({ campaignBlocked: [member] });
    await expect(assertPreflight(deps, cached([member, problem({ feedbackOnly: true })]), 'feedback')).rejects.toThrow(PreflightBlocked);
    await expect(assertPreflight(deps, cached([]), 'leads')).resolves.toEqual({ campaignBlocked: [] });
  });
});
