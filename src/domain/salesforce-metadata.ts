import type { FieldMapping, MappingConfig } from './config/mapping.ts';

/** A custom field leadloop's mapping needs in Salesforce, as its metadata describes it. */
export interface CustomFieldSpec {
  object: 'Lead' | 'Contact' | 'Task' | 'Campaign' | 'Opportunity';
  /** API name, ending in __c. */
  name: string;
  label: string;
  type: 'Text' | 'Number' | 'Percent';
  length?: number;
  precision?: number;
  scale?: number;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  description: string;
}

/** Task keys are up to 64 characters (TASK_KEY_LENGTH); the field leaves room. */
const TASK_KEY_FIELD_LENGTH = 80;
/** HubSpot object ids are 64-bit integers: up to 19 digits. */
const HUBSPOT_ID_LENGTH = 19;

const isCustom = (name: string | undefined): name is string => name !== undefined && /__c$/i.test(name);
const labelOf = (name: string) => name.replace(/__c$/i, '').replace(/_/g, ' ');

/**
 * The custom fields mapping.yaml names on Salesforce objects (the external ID on Lead and Contact,
 * the task key, the mapped Lead fields, the opportunity's loss reason and competitor, the Lead's
 * disqualification reason, the campaign figures), typed from what leadloop writes into them: a
 * score is a whole number up to `scoreMax`, a value map of numbers a number, text its
 * `max_length` (255 by default). Standard fields (no __c) are the org's own. Pure.
 */
export function customFieldsNeeded(mapping: MappingConfig, scoreMax: number): CustomFieldSpec[] {
  const specs = new Map<string, CustomFieldSpec>();
  const add = (spec: CustomFieldSpec) => {
    const key = `${spec.object}.${spec.name.toLowerCase()}`;
    if (!specs.has(key)) specs.set(key, spec);
  };
  for (const object of ['Lead', 'Contact'] as const) {
    if (isCustom(mapping.external_id_field)) {
      add({
        object,
        name: mapping.external_id_field,
        label: 'HubSpot Contact Id',
        type: 'Text',
        length: HUBSPOT_ID_LENGTH,
        externalId: true,
        unique: true,
        caseSensitive: false,
        description: 'The HubSpot contact this record was handed off from (leadloop upserts by it).',
      });
    }
  }
  if (isCustom(mapping.task_key_field)) {
    add({
      object: 'Task',
      name: mapping.task_key_field,
      label: 'Leadloop Key',
      type: 'Text',
      length: TASK_KEY_FIELD_LENGTH,
      externalId: true,
      unique: true,
      caseSensitive: true,
      description: 'Which hand-off step created this task, so that leadloop never creates it twice.',
    });
  }
  for (const field of mapping.lead.fields) if (isCustom(field.salesforce)) add(leadFieldSpec(field, scoreMax));
  for (const [name, description] of [
    [mapping.opportunity.loss_reason, 'Why the opportunity was lost (read back by leadloop for the win/loss report).'],
    [mapping.opportunity.competitor, 'Who won the deal when we lost it (read back by leadloop for competitor win rates).'],
  ] as const) {
    if (isCustom(name)) add({ object: 'Opportunity', name, label: labelOf(name), type: 'Text', length: 255, description });
  }
  if (isCustom(mapping.lead_status.disqualified_reason_field)) {
    add({
      object: 'Lead',
      name: mapping.lead_status.disqualified_reason_field,
      label: labelOf(mapping.lead_status.disqualified_reason_field),
      type: 'Text',
      length: 255,
      description: 'Why sales disqualified the lead.',
    });
  }
  for (const [role, name] of Object.entries(mapping.campaign.figures)) {
    if (!isCustom(name)) continue;
    add(
      role === 'win_rate'
        ? {
            object: 'Campaign',
            name,
            label: 'Leadloop Win Rate',
            type: 'Percent',
            precision: 5,
            scale: 2,
            description: 'Won ÷ (won + lost) of the leads leadloop handed off from this campaign, kept by leadloop.',
          }
        : {
            object: 'Campaign',
            name,
            label: `Leadloop ${role === 'sql' ? 'SQL' : role === 'handoffs' ? 'Hand-offs' : 'Lost'}`,
            type: 'Number',
            precision: 18,
            scale: 0,
            description: `${role === 'sql' ? 'Sales-accepted leads' : role === 'handoffs' ? 'Leads handed off' : 'Opportunities lost'} from this campaign, kept by leadloop.`,
          },
    );
  }
  return [...specs.values()];
}

function leadFieldSpec(field: FieldMapping, scoreMax: number): CustomFieldSpec {
  const name = field.salesforce;
  const base = { object: 'Lead' as const, name, label: labelOf(name) };
  if (field.from === 'score') return { ...base, type: 'Number', precision: Math.max(3, String(Math.ceil(scoreMax)).length), scale: 0, description: 'The leadloop score at hand-off.' };
  const values = field.values ? Object.values(field.values) : [];
  if (values.length > 0 && values.every((v) => typeof v === 'number')) {
    return { ...base, type: 'Number', precision: 18, scale: 0, description: `Mapped by leadloop from HubSpot ${field.hubspot ?? field.from ?? 'values'}.` };
  }
  const length = Math.min(field.max_length ?? (field.from === 'grade' ? 10 : 255), 255);
  return { ...base, type: 'Text', length, description: `Written by leadloop from HubSpot ${field.hubspot ?? field.from ?? 'a constant'}.` };
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A field's metadata in Salesforce DX source format (`<Field>.field-meta.xml`). */
export function fieldMetadataXml(spec: CustomFieldSpec): string {
  const line = (tag: string, value: string | number | boolean | undefined) => (value === undefined ? [] : [`    <${tag}>${typeof value === 'string' ? escapeXml(value) : value}</${tag}>`]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">',
    ...line('fullName', spec.name),
    ...line('caseSensitive', spec.caseSensitive),
    ...line('description', spec.description),
    ...line('externalId', spec.externalId ?? false),
    ...line('label', spec.label),
    ...line('length', spec.length),
    ...line('precision', spec.precision),
    ...line('required', false),
    ...line('scale', spec.scale),
    ...line('type', spec.type),
    ...line('unique', spec.unique ?? false),
    '</CustomField>',
    '',
  ].join('\n');
}

/**
 * The files of a Salesforce DX project holding these fields (sfdx-project.json and
 * force-app/main/default/objects/<Object>/fields/<Field>.field-meta.xml), paths relative to its
 * folder: what `sf project deploy start` deploys.
 */
export function metadataProject(specs: readonly CustomFieldSpec[], apiVersion: string): { path: string; content: string }[] {
  const project = { packageDirectories: [{ path: 'force-app', default: true }], name: 'leadloop-fields', sourceApiVersion: apiVersion };
  return [
    { path: 'sfdx-project.json', content: `${JSON.stringify(project, null, 2)}\n` },
    ...specs.map((spec) => ({ path: `force-app/main/default/objects/${spec.object}/fields/${spec.name}.field-meta.xml`, content: fieldMetadataXml(spec) })),
  ];
}
