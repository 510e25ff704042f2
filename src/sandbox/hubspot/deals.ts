import { propertyValuesError, requiredPropertiesError } from './object-errors.ts';
import type { Pipeline } from './pipelines.ts';
import type { PropertyDefinition } from './properties.ts';
import type { Properties } from './store.ts';

/**
 * Deals: their standard properties and the rules HubSpot applies to them
 * (docs/hubspot-api.md#deals-and-pipelines).
 */

const def = (name: string, label: string, type: PropertyDefinition['type'], fieldType: string, extra: Partial<PropertyDefinition> = {}): PropertyDefinition => ({
  name,
  label,
  type,
  fieldType,
  groupName: 'dealinformation',
  hubspotDefined: true,
  ...extra,
});

/** Properties a deal list or read returns when none are asked for (deals guide). */
export const DEFAULT_DEAL_PROPERTIES = ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'];

/**
 * Refused on create when missing. HubSpot's deals guide asks for `dealname` and `dealstage`, and says
 * a missing `pipeline` falls back to the default pipeline; the sandbox requires `pipeline` as well,
 * on purpose, so that leadloop always names it (correct against either behaviour).
 */
export const REQUIRED_DEAL_PROPERTIES = ['dealname', 'pipeline', 'dealstage'];

/**
 * `pipeline` and `dealstage` are enumerations whose options are the pipelines' and stages' ids;
 * their options are given by the properties API from the pipelines (not stored here), and their
 * values are checked by `checkDeal` (a stage must belong to the deal's pipeline).
 */
export function defaultDealProperties(currencies: readonly string[] = ['USD']): PropertyDefinition[] {
  return [
    def('hs_object_id', 'Record ID', 'number', 'number', { readOnly: true, hasUniqueValue: true }),
    def('dealname', 'Deal Name', 'string', 'text'),
    def('amount', 'Amount', 'number', 'number'),
    def('closedate', 'Close Date', 'datetime', 'date'),
    def('pipeline', 'Pipeline', 'enumeration', 'select'),
    def('dealstage', 'Deal Stage', 'enumeration', 'select'),
    def('dealtype', 'Deal Type', 'enumeration', 'select', {
      options: [
        { label: 'New Business', value: 'newbusiness' },
        { label: 'Existing Business', value: 'existingbusiness' },
      ],
    }),
    def('description', 'Deal Description', 'string', 'textarea'),
    def('hubspot_owner_id', 'Deal owner', 'enumeration', 'select'),
    def('closed_lost_reason', 'Closed Lost Reason', 'string', 'textarea'),
    def('closed_won_reason', 'Closed Won Reason', 'string', 'textarea'),
    // "Currency": every portal has it; its options are the currencies the portal has set up
    // (Settings → Account defaults → Currency), so a deal in a currency the portal lacks is refused
    // as an invalid option. Which exact error body HubSpot gives then is unconfirmed.
    def('deal_currency_code', 'Currency', 'enumeration', 'select', { options: currencies.map((c) => ({ label: c, value: c })) }),
    // Filled by HubSpot's own Salesforce integration on the deals it syncs with opportunities (the
    // name third-party property dumps show; whether a portal without the integration has it is
    // unconfirmed, docs/hubspot-api.md#crm-objects-unconfirmed). Writable here so a test can play the connector.
    def('hs_salesforceopportunityid', 'Salesforce Opportunity ID', 'string', 'text', { groupName: 'salesforceinformation' }),
    def('hs_is_closed', 'Is Deal Closed?', 'bool', 'booleancheckbox', { readOnly: true }),
    def('hs_is_closed_won', 'Is Closed Won', 'bool', 'booleancheckbox', { readOnly: true }),
    def('hs_deal_stage_probability', 'Deal probability', 'number', 'number', { readOnly: true }),
    def('createdate', 'Create Date', 'datetime', 'date', { readOnly: true }),
    def('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnly: true }),
  ];
}

/** HubSpot's calculated deal properties, from the stage's metadata. */
export function deriveDealProperties(pipelines: Pipeline[]) {
  return (properties: Properties): Properties => {
    const stage = pipelines.find((p) => p.id === properties.pipeline)?.stages.find((s) => s.id === properties.dealstage);
    if (!stage) return { hs_is_closed: null, hs_is_closed_won: null, hs_deal_stage_probability: null };
    const closed = stage.metadata.isClosed === 'true';
    return { hs_is_closed: String(closed), hs_is_closed_won: String(closed && Number(stage.metadata.probability) === 1), hs_deal_stage_probability: stage.metadata.probability };
  };
}

/**
 * Throws what HubSpot answers to a deal write it refuses: required properties missing on create,
 * a pipeline id that does not exist, a stage id that is not one of the pipeline's (labels are not ids).
 * `current` is the deal being updated, if any.
 */
export function checkDeal(endpoint: string, pipelines: Pipeline[], properties: Properties, current?: Properties): void {
  if (!current) {
    const missing = REQUIRED_DEAL_PROPERTIES.filter((p) => properties[p] === undefined || properties[p] === null || properties[p] === '');
    if (missing.length > 0) throw requiredPropertiesError(endpoint, 'deals', missing);
  }
  const pipelineId = properties.pipeline ?? current?.pipeline ?? null;
  const stageId = properties.dealstage ?? current?.dealstage ?? null;
  if (properties.pipeline === '' || properties.dealstage === '') {
    throw propertyValuesError(endpoint, properties.pipeline === '' ? 'pipeline' : 'dealstage', 'A deal must have a pipeline and a stage', 'INVALID_OPTION');
  }
  const pipeline = pipelines.find((p) => p.id === pipelineId);
  if (!pipeline) {
    const allowed = pipelines.map((p) => p.id).join(', ');
    throw propertyValuesError(endpoint, 'pipeline', `${pipelineId} was not one of the allowed options: [${allowed}]`, 'INVALID_OPTION');
  }
  if (!pipeline.stages.some((s) => s.id === stageId)) {
    const allowed = pipeline.stages.map((s) => s.id).join(', ');
    throw propertyValuesError(endpoint, 'dealstage', `${stageId} was not one of the allowed options for pipeline ${pipeline.id}: [${allowed}]`, 'INVALID_OPTION');
  }
}
