import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fixture } from './fixtures.ts';

/**
 * Validates bodies against HubSpot's official OpenAPI document (test/fixtures/vendor/hubspot), with ajv. OpenAPI 3
 * schema objects are JSON Schema plus `nullable`, which ajv understands in its default mode.
 */
export function hubspotValidator(specPath = 'hubspot/hubspot_contacts_v3_openapi.json') {
  const spec = fixture<{ components: unknown }>(specPath);
  // ajv and ajv-formats are CommonJS with a `default` export.
  const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
  const addFormats = (addFormatsModule as unknown as { default: (a: unknown) => void }).default ?? addFormatsModule;
  const ajv = new (Ajv as unknown as new (o: object) => import('ajv').default)({ strict: false, allErrors: true });
  (addFormats as (a: unknown) => void)(ajv);
  ajv.addSchema({ components: spec.components }, 'spec');
  return (schemaName: string, body: unknown): string[] => {
    const validate = ajv.getSchema(`spec#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`no schema ${schemaName} in ${specPath}`);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
  };
}
