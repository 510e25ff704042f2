import type { FieldMapping, MappingConfig } from '../domain/config/mapping.ts';
import type { RoutingConfig } from '../domain/config/routing.ts';
import type { OwnerDirectory } from '../domain/handoff/types.ts';
import type { DescribedField, DescribedObject } from '../domain/setup.ts';

/** One thing preflight found: where, what is wrong, what to do. */
export interface PreflightProblem {
  /** Where: `Lead.Lead_Grade__c`, `routing owner dana@example.com`, `HubSpot contacts`. */
  subject: string;
  problem: string;
  fix: string;
  /** Set where a caller must tell this problem apart (e.g. setup creates the missing HubSpot properties itself). */
  code?: string;
  /** Blocks only the won/lost feedback (the lead sync and hand-offs go on). */
  feedbackOnly?: boolean;
  /** Blocks only leadloop's campaign writes — the hand-offs' campaign members and the feedback's pass for earlier hand-offs —; the rest of the lead sync and the feedback go on. */
  campaignOnly?: boolean;
}

/** Blocking problems stop `sync` from writing; warnings are reported and the sync goes on. */
export interface PreflightResult {
  blocking: PreflightProblem[];
  warnings: PreflightProblem[];
  /** Not problems: optional rules that hold nowhere on this portal (it lacks their custom properties). */
  inactive?: PreflightProblem[];
}

export function emptyResult(): PreflightResult {
  return { blocking: [], warnings: [] };
}

export function mergeResults(...results: PreflightResult[]): PreflightResult {
  const inactive = results.flatMap((r) => r.inactive ?? []);
  return { blocking: results.flatMap((r) => r.blocking), warnings: results.flatMap((r) => r.warnings), ...(inactive.length > 0 ? { inactive } : {}) };
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER_TYPES = new Set(['double', 'int', 'long', 'currency', 'percent']);
const PICKLIST_TYPES = new Set(['picklist', 'multipicklist']);
/** HubSpot single-line and multi-line text properties hold up to 65,536 characters. */
const HUBSPOT_TEXT_MAX = 65_536;
/** HubSpot object ids are 64-bit integers: up to 19 digits. */
const HUBSPOT_ID_DIGITS = 19;
/**
 * Task keys are `<contact id>:<hand-off key>:step<n>` or `…:notify:<18-char user id>`: about 51
 * characters today (19 + 1 + "first" + ":notify:" + 18); 64 leaves room for longer hand-off keys.
 */
export const TASK_KEY_LENGTH = 64;

type Value = string | number | boolean;

/** What a lead field mapping can put into Salesforce: a known set of values, plus free text from a source. */
interface Outputs {
  values: Value[];
  open?: { source: string; hubspotType?: string | undefined };
}

function outputsOf(field: FieldMapping, scoreMax: number, sourceDetailProperty: string, hubspotTypes: ReadonlyMap<string, string>): Outputs {
  let raw: Outputs;
  if (field.value !== undefined) raw = { values: [field.value] };
  // Scores are rounded to two decimals (domain/scoring): the longest text is e.g. "99.99".
  else if (field.from === 'score') raw = { values: [scoreMax, Math.round((scoreMax - 0.01) * 100) / 100] };
  else if (field.from === 'grade') raw = { values: ['hot', 'warm', 'cold'] };
  else if (field.from === 'handoff_reason') raw = { values: [], open: { source: 'the hand-off reason' } };
  else if (field.from === 'source_detail') raw = { values: [], open: { source: `HubSpot property ${sourceDetailProperty}`, hubspotType: hubspotTypes.get(sourceDetailProperty) } };
  else raw = { values: [], open: { source: `HubSpot property ${field.hubspot}`, hubspotType: hubspotTypes.get(field.hubspot!) } };

  const withDefault = (values: Value[]) => (field.default !== undefined ? [...values, field.default] : values);
  if (!field.values) return { values: withDefault(raw.values), ...(raw.open ? { open: raw.open } : {}) };
  // With a value map, a value not listed becomes the default (or is left out): nothing passes through.
  const map = field.values;
  const mapped = raw.open ? Object.values(map) : raw.values.map((v) => map[String(v)] ?? map[String(v).toLowerCase()]).filter((v): v is string | number => v !== undefined);
  const unmapped = raw.open !== undefined || raw.values.some((v) => map[String(v)] === undefined && map[String(v).toLowerCase()] === undefined);
  return { values: unmapped ? withDefault(mapped) : mapped };
}

function valueFits(value: Value, type: string): boolean {
  if (TEXT_TYPES.has(type)) return true;
  if (NUMBER_TYPES.has(type)) return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
  if (type === 'boolean') return typeof value === 'boolean' || value === 'true' || value === 'false';
  if (type === 'date') return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  if (type === 'datetime') return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  if (type === 'reference') return typeof value === 'string' && /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value);
  return false;
}

/**
 * Whether values from a source fit a field: free text fits text. A HubSpot property of the
 * matching type fits a number, date or boolean field; one of another type only may (a string
 * property can hold numbers), so that is a warning, not a block. Computed free text (the
 * hand-off reason) never fits a non-text field, nor does anything fit an id or a lookup.
 */
function openFit(open: NonNullable<Outputs['open']>, type: string, isHubSpotProperty: boolean): 'fits' | 'maybe' | 'never' {
  if (TEXT_TYPES.has(type)) return 'fits';
  if (!isHubSpotProperty || !(NUMBER_TYPES.has(type) || ['boolean', 'date', 'datetime'].includes(type))) return 'never';
  const hs = open.hubspotType;
  // A property HubSpot did not list: its type is unknown (the config cross-check reports unknown properties).
  if (hs === undefined) return 'fits';
  if (hs === 'number' && NUMBER_TYPES.has(type)) return 'fits';
  if (hs === 'bool' && type === 'boolean') return 'fits';
  if (hs === 'date' && (type === 'date' || type === 'datetime')) return 'fits';
  if (hs === 'datetime' && type === 'datetime') return 'fits';
  return 'maybe';
}

function describeOutputs(outputs: Outputs): string {
  const shown = [...new Set(outputs.values.map((v) => JSON.stringify(v)))].slice(0, 4);
  const parts = [
    ...(shown.length > 0 ? [`values like ${shown.join(', ')}`] : []),
    ...(outputs.open ? [`${outputs.open.source}${outputs.open.hubspotType ? ` (a HubSpot ${outputs.open.hubspotType})` : ''}`] : []),
  ];
  return parts.join(' and ');
}

function article(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function typeLabel(field: DescribedField): string {
  return field.length > 0 && TEXT_TYPES.has(field.type) ? `${field.type}(${field.length})` : field.type;
}

/** A lead field mapping against the described Lead field. */
function checkLeadField(mapping: FieldMapping, field: DescribedField | undefined, outputs: Outputs, salesOwned: ReadonlySet<string>, out: PreflightResult): void {
  const subject = `Lead.${field?.name ?? mapping.salesforce}`;
  if (!field) {
    out.blocking.push({
      subject,
      problem: 'no such field on Lead (named in mapping.yaml lead.fields)',
      fix: `create the field in Salesforce, give the integration user access to it, or remove "${mapping.salesforce}" from mapping.yaml lead.fields`,
    });
    return;
  }
  if (!field.createable) {
    out.blocking.push({
      subject,
      problem: 'the integration user cannot set this field (read-only, formula or field-level security): every new lead is refused',
      fix: 'give the integration user edit access to the field, or remove it from mapping.yaml lead.fields',
    });
    return;
  }
  if (!field.updateable && mapping.on !== 'create' && !salesOwned.has(field.name)) {
    out.blocking.push({
      subject,
      problem: 'the field can be set on create but not updated, and mapping.yaml writes it on every update: every update is refused',
      fix: 'add "on: create" to this mapping, or give the integration user edit access',
    });
  }

  const isHubSpotProperty = mapping.hubspot !== undefined || mapping.from === 'source_detail';
  const misfits = outputs.values.filter((v) => !valueFits(v, field.type));
  const fit = outputs.open ? openFit(outputs.open, field.type, isHubSpotProperty) : 'fits';
  if (misfits.length > 0 || fit === 'never') {
    const wrong: Outputs = { values: misfits, ...(fit === 'never' ? { open: outputs.open! } : {}) };
    out.blocking.push({
      subject,
      problem: `${article(typeLabel(field))} field, but mapping.yaml puts ${describeOutputs(wrong)} in it: Salesforce refuses those values`,
      fix: `map "${mapping.salesforce}" to a field of a fitting type, or change the mapping (values:, default: or the source)`,
    });
    return;
  }
  if (fit === 'maybe') {
    out.warnings.push({
      subject,
      problem: `${article(typeLabel(field))} field, but mapping.yaml fills it from ${describeOutputs({ values: [], open: outputs.open! })}: a record whose value is not a ${field.type} is refused`,
      fix: `map a HubSpot property of a fitting type, or add values: to turn its values into ${field.type} values`,
    });
  }

  if (PICKLIST_TYPES.has(field.type) && field.picklistValues.length > 0) {
    const known = new Set(field.picklistValues.map((v) => v.toLowerCase()));
    const unknown = [...new Set(outputs.values.map(String))].filter((v) => !known.has(v.toLowerCase()));
    if (unknown.length > 0) {
      out.warnings.push({
        subject,
        problem: `mapping.yaml can write ${unknown.map((v) => JSON.stringify(v)).join(', ')}, not among the picklist's values${field.restrictedPicklist ? ' (a restricted picklist: Salesforce refuses them)' : ''}`,
        fix: 'add the values to the picklist in Salesforce, or map them to existing ones with values:',
      });
    }
    if (outputs.open && field.restrictedPicklist) {
      out.warnings.push({
        subject,
        problem: `a restricted picklist, and mapping.yaml passes ${outputs.open.source} through unmapped: a value not in the picklist is refused`,
        fix: 'add values: (HubSpot value → picklist value) and a default: to this mapping',
      });
    }
  } else if (TEXT_TYPES.has(field.type) && field.length > 0) {
    checkLength(subject, mapping, field.length, outputs, out);
  }
}

/** A text field shorter than what the mapping can put in it: a warning (those records are refused with STRING_TOO_LONG). */
function checkLength(subject: string, mapping: Pick<FieldMapping, 'max_length' | 'salesforce'>, length: number, outputs: Outputs, out: PreflightResult): void {
  const longest = outputs.values.map(String).reduce((a, b) => (b.length > a.length ? b : a), '');
  const uncapped = Math.max(longest.length, outputs.open ? HUBSPOT_TEXT_MAX : 0);
  const most = mapping.max_length !== undefined ? Math.min(mapping.max_length, uncapped) : uncapped;
  if (most <= length) return;
  if (mapping.max_length !== undefined) {
    out.warnings.push({
      subject,
      problem: `holds ${length} characters but mapping.yaml allows up to ${mapping.max_length} (max_length): longer values are refused (STRING_TOO_LONG)`,
      fix: `set max_length: ${length} for "${mapping.salesforce}" in mapping.yaml, or lengthen the field to ${mapping.max_length}`,
    });
  } else if (outputs.open && HUBSPOT_TEXT_MAX > length) {
    out.warnings.push({
      subject,
      problem: `holds ${length} characters; ${outputs.open.source} can be longer and mapping.yaml sets no max_length: such records are refused (STRING_TOO_LONG)`,
      fix: `add max_length: ${length} to "${mapping.salesforce}" in mapping.yaml, or lengthen the field`,
    });
  } else {
    out.warnings.push({
      subject,
      problem: `holds ${length} characters; mapping.yaml can write ${JSON.stringify(longest)} (${longest.length} characters): refused (STRING_TOO_LONG)`,
      fix: `lengthen the field to ${longest.length}, or add max_length: ${length} to "${mapping.salesforce}" in mapping.yaml`,
    });
  }
}

export interface FieldCheckInput {
  mapping: Pick<MappingConfig, 'external_id_field' | 'task_key_field' | 'lead' | 'campaign' | 'sales_owned_fields'>;
  /** The highest score (scoring caps.total). */
  scoreMax: number;
  /** Lead, Task and Campaign as described; undefined: the org does not have the object. */
  objects: ReadonlyMap<string, DescribedObject | undefined>;
  /** HubSpot contact property name → type, to tell whether a number property may go into a number field. */
  hubspotTypes?: ReadonlyMap<string, string>;
}

/**
 * The Salesforce fields mapping.yaml names, against describe. Missing fields, wrong types, an
 * external ID that is not a unique External ID, a task key that cannot be filtered on: blocking.
 * Text shorter than what the mapping can write, picklist values: warnings. The Campaign figure
 * fields: blocking for the won/lost feedback only (`feedbackOnly`).
 */
export function checkSalesforceFields(input: FieldCheckInput): PreflightResult {
  const out = emptyResult();
  const { mapping } = input;
  const lead = input.objects.get('Lead');
  const task = input.objects.get('Task');
  if (!lead) out.blocking.push({ subject: 'Lead', problem: 'the integration user cannot describe Lead', fix: 'give the integration user read/create/edit on Lead' });
  if (!task) out.blocking.push({ subject: 'Task', problem: 'the integration user cannot describe Task', fix: 'give the integration user read/create on Task' });

  if (lead) {
    checkExternalId(lead, mapping.external_id_field, out);
    const salesOwned = new Set(mapping.sales_owned_fields.map((f) => f.toLowerCase()));
    const salesOwnedNames = new Set([...lead.values()].filter((f) => salesOwned.has(f.name.toLowerCase())).map((f) => f.name));
    const hubspotTypes = input.hubspotTypes ?? new Map<string, string>();
    for (const m of mapping.lead.fields) {
      checkLeadField(m, lead.get(m.salesforce.toLowerCase()), outputsOf(m, input.scoreMax, mapping.campaign.name_from, hubspotTypes), salesOwnedNames, out);
    }
    // A field Salesforce requires that the mapping leaves empty: every new lead is refused (REQUIRED_FIELD_MISSING).
    const mapped = new Map(mapping.lead.fields.map((m) => [m.salesforce.toLowerCase(), m]));
    for (const f of lead.values()) {
      if (f.nillable || !f.createable || f.defaultedOnCreate || f.type === 'boolean' || f.name === 'OwnerId' || f.name.toLowerCase() === mapping.external_id_field.toLowerCase()) continue;
      const m = mapped.get(f.name.toLowerCase());
      if (!m)
        out.blocking.push({
          subject: `Lead.${f.name}`,
          problem: 'Salesforce requires this field and mapping.yaml does not fill it: every new lead is refused (REQUIRED_FIELD_MISSING)',
          fix: `add { salesforce: ${f.name}, hubspot: <property>, default: <value> } to mapping.yaml lead.fields`,
        });
      else if (m.value === undefined && m.default === undefined && m.from !== 'score' && m.from !== 'grade') {
        out.warnings.push({
          subject: `Lead.${f.name}`,
          problem: 'Salesforce requires this field; when the source is empty the lead is refused (REQUIRED_FIELD_MISSING)',
          fix: `add a default: to "${f.name}" in mapping.yaml`,
        });
      }
    }
  }
  if (task) checkTaskKey(task, mapping.task_key_field, out);
  checkCampaign(input.objects.get('Campaign'), mapping.campaign.figures, out);
  checkCampaignCreation(input.objects.get('Campaign'), mapping.campaign, out);
  if (input.objects.has('CampaignMember')) checkCampaignMemberCreation(input.objects.get('CampaignMember'), out);
  return out;
}

function checkExternalId(lead: DescribedObject, name: string, out: PreflightResult): void {
  const field = lead.get(name.toLowerCase());
  const subject = `Lead.${field?.name ?? name}`;
  if (!field) {
    out.blocking.push({
      subject,
      problem: 'the external ID field (mapping.yaml external_id_field) does not exist on Lead: leads cannot be upserted',
      fix: `create a Text(${HUBSPOT_ID_DIGITS}+) field "${name}" on Lead marked External ID and Unique, or set external_id_field to yours`,
    });
    return;
  }
  if (!['string', 'email', 'int', 'double'].includes(field.type)) {
    out.blocking.push({
      subject,
      problem: `${article(typeLabel(field))} field cannot be an External ID holding the HubSpot contact id`,
      fix: `use a Text(${HUBSPOT_ID_DIGITS}+) field marked External ID and Unique`,
    });
    return;
  }
  if (!field.externalId) out.blocking.push({ subject, problem: 'not marked External ID: upserts by it are refused', fix: 'edit the field in Salesforce setup and tick "External ID"' });
  if (!field.unique)
    out.blocking.push({
      subject,
      problem: 'not Unique: two leads could carry the same HubSpot id and the upsert would match both (MULTIPLE_CHOICES)',
      fix: 'edit the field in Salesforce setup and tick "Unique"',
    });
  if (!field.createable || !field.updateable)
    out.blocking.push({ subject, problem: 'the integration user cannot write it (leadloop sets it on new and adopted leads)', fix: 'give the integration user edit access to the field' });
  if (field.type === 'string' && field.length < HUBSPOT_ID_DIGITS) {
    out.warnings.push({ subject, problem: `holds ${field.length} characters; HubSpot contact ids can have up to ${HUBSPOT_ID_DIGITS} digits`, fix: `lengthen the field to ${HUBSPOT_ID_DIGITS}` });
  }
}

function checkTaskKey(task: DescribedObject, name: string, out: PreflightResult): void {
  const field = task.get(name.toLowerCase());
  const subject = `Task.${field?.name ?? name}`;
  if (!field) {
    out.blocking.push({
      subject,
      problem: 'the task key field (mapping.yaml task_key_field) does not exist on Task: tasks cannot be made idempotent',
      fix: `create a Text(${TASK_KEY_LENGTH}) field "${name}" on Activity (Task) marked Unique and External ID, or set task_key_field to yours`,
    });
    return;
  }
  if (!['string', 'email', 'phone', 'url', 'encryptedstring', 'combobox'].includes(field.type)) {
    out.blocking.push({ subject, problem: `${article(typeLabel(field))} field cannot hold task keys (text like "1001:first:step0")`, fix: `use a Text(${TASK_KEY_LENGTH}) field` });
    return;
  }
  if (!field.filterable)
    out.blocking.push({
      subject,
      problem: 'not filterable: leadloop looks existing tasks up by this key (WHERE … IN)',
      fix: `use a Text(${TASK_KEY_LENGTH}) field; long text areas cannot be filtered`,
    });
  if (!field.createable) out.blocking.push({ subject, problem: 'the integration user cannot set this field on new tasks', fix: 'give the integration user edit access to the field' });
  if (!field.unique) out.warnings.push({ subject, problem: 'not Unique: two syncs racing could create the same task twice', fix: 'edit the field in Salesforce setup and tick "Unique"' });
  if (field.length > 0 && field.length < TASK_KEY_LENGTH) {
    out.warnings.push({
      subject,
      problem: `holds ${field.length} characters; task keys can be up to ${TASK_KEY_LENGTH}: longer keys are refused (STRING_TOO_LONG)`,
      fix: `lengthen the field to ${TASK_KEY_LENGTH}`,
    });
  }
}

/**
 * The Campaign fields the feedback writes its figures to (mapping.yaml campaign.figures): each must
 * exist, hold a number (Number or Percent) and be editable by the integration user. Blocking for
 * the feedback only: the lead sync and hand-offs never write them.
 */
function checkCampaign(campaign: DescribedObject | undefined, figures: MappingConfig['campaign']['figures'], out: PreflightResult): void {
  const block = (problem: PreflightProblem) => out.blocking.push({ ...problem, feedbackOnly: true });
  const why = 'the won/lost feedback writes it (the lead sync does not)';
  if (!campaign) {
    block({
      subject: 'Campaign',
      problem: 'the integration user cannot describe Campaign; the lead sync does not need it, the won/lost feedback writes the campaign figures',
      fix: 'give the integration user read/edit on Campaign (Marketing User)',
    });
    return;
  }
  for (const [role, name] of Object.entries(figures)) {
    const field = campaign.get(name.toLowerCase());
    const kind = role === 'win_rate' ? 'Percent (or Number)' : 'Number';
    if (!field)
      block({
        subject: `Campaign.${name}`,
        problem: `no such field (mapping.yaml campaign.figures.${role}); ${why}`,
        fix: `create a ${kind} field "${name}" on Campaign, or change campaign.figures.${role}`,
      });
    else if (!NUMBER_TYPES.has(field.type) || field.type === 'currency')
      block({ subject: `Campaign.${field.name}`, problem: `${article(typeLabel(field))} field, but campaign.figures.${role} is a number; ${why}`, fix: `use a ${kind} field` });
    else if (!field.updateable)
      block({
        subject: `Campaign.${field.name}`,
        problem: `the integration user cannot edit this field; ${why}`,
        fix: 'give the integration user edit access to the field and edit on Campaign (Marketing User)',
      });
  }
}

/**
 * Hand-offs create the campaigns they name when mapping.yaml's campaign.create_missing says so:
 * the integration user must be able to (the Marketing User permission; describe then shows
 * Campaign.Name createable). A warning: without it, hand-offs go on without membership.
 */
function checkCampaignCreation(campaign: DescribedObject | undefined, rules: MappingConfig['campaign'], out: PreflightResult): void {
  if (!rules.create_missing || !campaign) return;
  if (campaign.get('name')?.createable) return;
  out.warnings.push({
    subject: 'Campaign (create)',
    problem: 'mapping.yaml campaign.create_missing is on, but the integration user cannot create campaigns: a hand-off naming a campaign Salesforce lacks goes on without its membership',
    fix: 'tick Marketing User on the integration user and give its profile Create on Campaign, or turn campaign.create_missing off',
  });
}

/** The CampaignMember fields a member is created with. */
const CAMPAIGN_MEMBER_FIELDS = ['CampaignId', 'LeadId', 'ContactId', 'Status'] as const;

/**
 * Every hand-off becomes a CampaignMember, and the feedback adds the members earlier hand-offs
 * lack: the integration user must be able to create CampaignMember records with CampaignId,
 * LeadId, ContactId and Status (describe: the object and those fields createable). Blocking for
 * the campaign writes only (`campaignOnly`): without it, hand-offs and the feedback go on and no
 * member is written, rather than every member being refused one by one.
 */
function checkCampaignMemberCreation(member: DescribedObject | undefined, out: PreflightResult): void {
  const fix =
    'give the integration user Create on CampaignMember: Read on Campaign and Edit on Lead and Contact in its profile or a permission set (creating campaigns and member statuses needs the Marketing User setting too)';
  const why = 'every hand-off is added to its campaign as a member, and the feedback adds the members earlier hand-offs lack; no member is written until this is fixed';
  if (!member) {
    out.blocking.push({ subject: 'CampaignMember', problem: `the integration user cannot describe CampaignMember; ${why}`, fix, campaignOnly: true });
    return;
  }
  const missing = CAMPAIGN_MEMBER_FIELDS.filter((name) => !member.get(name.toLowerCase())?.createable);
  if (member.createable === false || missing.length > 0) {
    const what = member.createable === false ? 'cannot create CampaignMember records' : `cannot set ${missing.map((n) => `CampaignMember.${n}`).join(', ')} on new members`;
    out.blocking.push({ subject: 'CampaignMember (create)', problem: `the integration user ${what}; ${why}`, fix, campaignOnly: true });
  }
}

/**
 * Owners and queues of routing.yaml against Salesforce's users and queues.
 *
 * The rule — blocking only where routing has no fallback for the problem:
 * - An inactive Salesforce user that a rule or team names is a warning: routing skips inactive
 *   users (the pipeline passes them as inactiveOwners) and the next member or the fallback takes
 *   the lead. Someone only notified is a warning too (the FYI task is skipped), as is someone only
 *   listed under owners.
 * - A person Salesforce does not know at all is blocking when a rule, team or the fallback routes
 *   to them: routing does not skip them (it only knows inactive users), and their leads would
 *   land with the integration user. Likewise a queue Salesforce lacks.
 * - The fallback has nothing behind it: an inactive or unknown fallback owner, a missing fallback
 *   queue, or a fallback team with no active member is blocking.
 * With use_salesforce_assignment_rules the org's rules pick owners, so everything is a warning.
 */
export function checkRoutingOwners(routing: RoutingConfig, directory: OwnerDirectory): PreflightResult {
  const out = emptyResult();
  const deferred = routing.use_salesforce_assignment_rules;
  const owners = new Map(routing.owners.map((o) => [o.email.toLowerCase(), o]));
  const usersById = new Map([...directory.usersByEmail.values()].map((u) => [u.id.slice(0, 15), u]));
  const fallbackText = describeFallback(routing);

  /** Why a routing email cannot own leads in Salesforce, or undefined when it can. */
  const userProblem = (email: string): { missing: boolean; text: string } | undefined => {
    const configured = owners.get(email.toLowerCase())?.salesforce_user_id;
    const user = configured ? usersById.get(configured.slice(0, 15)) : directory.usersByEmail.get(email.toLowerCase());
    if (!user) return { missing: true, text: configured ? `no Salesforce user has the id ${configured} (salesforce_user_id)` : 'no Salesforce user has this email or username' };
    if (!user.active) return { missing: false, text: `the Salesforce user ${user.name} is inactive` };
    return undefined;
  };
  const queueIds = new Set([...directory.queuesByName.values()].map((id) => id.slice(0, 15)));
  const queueProblem = (name: string): string | undefined => {
    const queue = routing.queues[name];
    if (!queue) return undefined; // an undefined queue name is the config cross-check's to report
    if (queue.salesforce_queue_id) return queueIds.has(queue.salesforce_queue_id.slice(0, 15)) ? undefined : `no Salesforce queue has the id ${queue.salesforce_queue_id}`;
    return directory.queuesByName.has(queue.salesforce_queue) ? undefined : `no Salesforce queue has the DeveloperName ${queue.salesforce_queue}`;
  };
  const fixUser = (email: string) => `activate the user in Salesforce or create one with the email ${email} (or fix the email / salesforce_user_id in routing.yaml)`;
  const fixQueue = (name: string) => `create the lead queue in Salesforce (Setup → Queues, supported object Lead) or fix queues.${name} in routing.yaml`;

  // One problem per person or queue: the first role found (fallback first) says the most.
  const reported = new Set<string>();
  const report = (blocking: boolean, problem: PreflightProblem, who: string) => {
    if (reported.has(who.toLowerCase())) return;
    reported.add(who.toLowerCase());
    (blocking && !deferred ? out.blocking : out.warnings).push(problem);
  };
  const members = (team: string | undefined) => (team ? (routing.teams[team]?.members ?? []) : []).map((m) => (typeof m === 'string' ? m : m.email));

  // The fallback first: it has nothing behind it.
  const fb = routing.fallback;
  if (fb.assign === 'owner') {
    const problem = userProblem(fb.owner!);
    if (problem)
      report(
        true,
        {
          subject: `routing fallback owner ${fb.owner}`,
          problem: `${problem.text}; the fallback has nothing behind it, so its leads would be ${problem.missing ? 'left with the integration user' : 'refused (INACTIVE_OWNER_OR_USER)'}`,
          fix: fixUser(fb.owner!),
        },
        fb.owner!,
      );
  } else if (fb.assign === 'queue') {
    const problem = queueProblem(fb.queue!);
    if (problem)
      report(
        true,
        { subject: `routing fallback queue ${fb.queue}`, problem: `${problem}; leads the fallback takes would land with the integration user`, fix: fixQueue(fb.queue!) },
        `queue:${fb.queue}`,
      );
  } else if (fb.assign === 'team') {
    const team = members(fb.team);
    if (team.length > 0 && team.every((m) => userProblem(m) !== undefined)) {
      report(
        true,
        {
          subject: `routing fallback team ${fb.team}`,
          problem: `no member is an active Salesforce user (${team.map((m) => `${m}: ${userProblem(m)!.text}`).join('; ')})`,
          fix: `activate at least one member in Salesforce, or change the fallback in routing.yaml`,
        },
        `team:${fb.team}`,
      );
    }
  }

  const checkUser = (email: string, where: string, role: 'routed' | 'notified' | 'listed') => {
    if (owners.get(email.toLowerCase())?.active === false) return; // active: false in routing.yaml: routing already skips them
    const problem = userProblem(email);
    if (!problem) return;
    const subject = `routing owner ${email}`;
    if (role === 'routed' && problem.missing) {
      report(
        true,
        { subject, problem: `${problem.text} (${where}); routing does not skip a person Salesforce does not know, so their leads would land with the integration user`, fix: fixUser(email) },
        email,
      );
    } else {
      const consequence = role === 'routed' ? `routing skips them and the next member or ${fallbackText} takes their leads` : role === 'notified' ? 'they get no FYI task' : 'routing would skip them';
      report(false, { subject, problem: `${problem.text} (${where}); ${consequence}`, fix: fixUser(email) }, email);
    }
  };
  for (const rule of routing.rules) {
    if (rule.assign === 'owner') checkUser(rule.owner!, `rule ${rule.id}`, 'routed');
    if (rule.assign === 'team') for (const m of members(rule.team)) checkUser(m, `team ${rule.team}, rule ${rule.id}`, 'routed');
    if (rule.assign === 'queue') {
      const problem = queueProblem(rule.queue!);
      if (problem)
        report(
          true,
          { subject: `routing queue ${rule.queue}`, problem: `${problem} (rule ${rule.id}); routing cannot tell, so those leads would land with the integration user`, fix: fixQueue(rule.queue!) },
          `queue:${rule.queue}`,
        );
    }
  }
  if (fb.assign === 'team') for (const m of members(fb.team)) checkUser(m, `fallback team ${fb.team}`, 'routed');
  for (const rule of routing.rules) for (const email of rule.notify) checkUser(email, `notify of rule ${rule.id}`, 'notified');
  for (const email of fb.notify) checkUser(email, 'notify of the fallback', 'notified');
  for (const e of routing.escalations) for (const email of e.notify) checkUser(email, `escalation ${e.id}`, 'notified');
  for (const o of routing.owners) checkUser(o.email, 'owners', 'listed');
  return out;
}

function describeFallback(routing: RoutingConfig): string {
  const fb = routing.fallback;
  return fb.assign === 'owner' ? `the fallback (${fb.owner})` : fb.assign === 'team' ? `the fallback (team ${fb.team})` : `the fallback (queue ${fb.queue})`;
}

/** What the feedback's checks read from HubSpot. */
export interface DealCheckInput {
  mapping: Pick<MappingConfig, 'deal'>;
  dealProperties: ReadonlyMap<string, { type: string; hasUniqueValue: boolean }>;
  pipeline: { pipeline: string; stages: { id: string; label: string; isClosed: boolean; probability: number }[] } | undefined;
  connectorDeal: { id: string } | undefined;
}

/**
 * What the won/lost feedback needs in HubSpot: the unique deal property holding the opportunity id
 * (unique values can only be asked for when a property is created), the competitor property, the
 * pipeline and the three stages mapping.yaml names (a label given for an id is named); and a
 * warning when HubSpot's own Salesforce connector already makes deals of opportunities. Problems
 * here block only the feedback.
 */
export function checkDeals(input: DealCheckInput): PreflightResult {
  const result = emptyResult();
  const block = (problem: PreflightProblem) => result.blocking.push({ ...problem, feedbackOnly: true });
  const deal = input.mapping.deal;
  const idProperty = input.dealProperties.get(deal.salesforce_id_property);
  if (!idProperty) {
    block({
      subject: `HubSpot deal property ${deal.salesforce_id_property}`,
      problem: 'missing: each deal is keyed by the Salesforce opportunity id it holds',
      fix: 'run `leadloop setup` (it creates it with unique values)',
      code: 'hubspot-deal-property-missing',
    });
  } else if (!idProperty.hasUniqueValue) {
    block({
      subject: `HubSpot deal property ${deal.salesforce_id_property}`,
      problem: 'exists without unique values: HubSpot would not stop a second deal for the same opportunity, and deals cannot be updated by it',
      fix: 'name a new property in mapping.yaml deal.salesforce_id_property and run `leadloop setup` (HubSpot sets unique values only when a property is created)',
    });
  }
  if (!input.dealProperties.has(deal.competitor_property)) {
    block({
      subject: `HubSpot deal property ${deal.competitor_property}`,
      problem: 'missing: the competitor that won goes there',
      fix: 'run `leadloop setup` (it creates it)',
      code: 'hubspot-deal-property-missing',
    });
  }
  if (!input.pipeline) {
    block({
      subject: `HubSpot deal pipeline ${deal.pipeline}`,
      problem: 'no deal pipeline has this internal id',
      fix: "set mapping.yaml deal.pipeline to a pipeline's internal id (HubSpot: Settings → Objects → Deals → Pipelines; the default pipeline's is `default`)",
    });
  } else {
    const stages = input.pipeline.stages;
    for (const [outcome, id] of Object.entries(deal.stages) as ['open' | 'won' | 'lost', string][]) {
      const stage = stages.find((s) => s.id === id);
      if (!stage) {
        const byLabel = stages.find((s) => s.label.trim().toLowerCase() === id.trim().toLowerCase());
        block({
          subject: `mapping.yaml deal.stages.${outcome}`,
          problem: `pipeline ${deal.pipeline} has no stage with internal id "${id}"${byLabel ? `; the stage labelled "${byLabel.label}" has the internal id "${byLabel.id}"` : ''}`,
          fix: `use one of: ${stages.map((s) => `${s.id} (${s.label})`).join(', ')}`,
        });
        continue;
      }
      const fits = outcome === 'open' ? !stage.isClosed : outcome === 'won' ? stage.isClosed && stage.probability >= 1 : stage.isClosed && stage.probability <= 0;
      if (!fits) {
        result.warnings.push({
          subject: `mapping.yaml deal.stages.${outcome}`,
          problem: `stage "${stage.label}" is ${stage.isClosed ? 'closed' : 'open'} with probability ${stage.probability}: HubSpot's reports would count ${outcome} deals wrongly`,
          fix: `pick a stage that is ${outcome === 'open' ? 'open' : outcome === 'won' ? 'closed won (probability 1)' : 'closed lost (probability 0)'}`,
        });
      }
    }
  }
  if (input.connectorDeal) {
    result.warnings.push({
      subject: 'HubSpot deals (Salesforce connector)',
      problem: `HubSpot's own Salesforce connector already makes deals of opportunities (deal ${input.connectorDeal.id})`,
      fix: 'nothing to do: leadloop then makes no deals and leaves lifecycle stages to the connector, and writes only the contact outcome properties it adds',
    });
  }
  return result;
}

/** What the feedback finds in the org (FeedbackSource.capabilities), as setup reports it. */
export function checkFeedbackCapabilities(
  capabilities: { statusHistoryTracked: boolean; lossReasonField: boolean; competitorField: boolean; disqualifiedReasonField: boolean },
  mapping: Pick<MappingConfig, 'opportunity' | 'lead_status'>,
): PreflightResult {
  const result = emptyResult();
  if (!capabilities.statusHistoryTracked) {
    result.warnings.push({
      subject: 'Lead.Status (field history)',
      problem: "history tracking is off: the feedback dates a status change by the lead's last edit of any field (flagged approximated), and sees only the latest status between two runs",
      fix: 'turn on field history tracking for Lead Status (Setup → Object Manager → Lead → Fields & Relationships → Set History Tracking)',
    });
  }
  if (!capabilities.lossReasonField) {
    result.warnings.push({
      subject: `Opportunity.${mapping.opportunity.loss_reason}`,
      problem: 'missing (or not visible to the integration user): lost opportunities come back without a loss reason',
      fix: 'create the field, grant the integration user read access, or name yours in mapping.yaml opportunity.loss_reason',
    });
  }
  if (!capabilities.competitorField && mapping.opportunity.competitor_from !== 'opportunity_competitor') {
    result.warnings.push({
      subject: `Opportunity.${mapping.opportunity.competitor}`,
      problem: 'missing (or not visible to the integration user): the competitor is read from OpportunityCompetitor alone',
      fix: 'create the field, or set mapping.yaml opportunity.competitor_from: opportunity_competitor',
    });
  }
  if (mapping.lead_status.disqualified_reason_field && !capabilities.disqualifiedReasonField) {
    result.warnings.push({
      subject: `Lead.${mapping.lead_status.disqualified_reason_field}`,
      problem: 'missing (or not visible to the integration user): disqualifications come back without a reason',
      fix: 'create the field, grant read access, or remove lead_status.disqualified_reason_field from mapping.yaml',
    });
  }
  return result;
}
