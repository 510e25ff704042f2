/**
 * FieldDefinition, queried through the REST API like an object (docs/salesforce-api.md#fielddefinition):
 * a row per field of each emulated object, read-only, answered from the schema and the org's
 * field history tracking (history.ts). `IsFieldHistoryTracked` is what tells a reader whether
 * LeadHistory has Status rows to read. Its rows are metadata, not records: the query must filter
 * on the entity (`EntityDefinition.QualifiedApiName = 'Lead'`, `EntityDefinitionId` or `DurableId`),
 * and only AND and = / IN comparisons are taken (the Tooling API's "SOQL Operation Limitations").
 */
import type { Org } from './org.ts';
import { fieldsIn, SCHEMA, type SchemaView } from './schema.ts';
import { matches, SoqlError, type SoqlQuery, type Where } from './soql.ts';

const FIELDS = ['DurableId', 'QualifiedApiName', 'DeveloperName', 'Label', 'EntityDefinitionId', 'IsFieldHistoryTracked'];
const ENTITY_FIELDS = ['QualifiedApiName', 'DurableId', 'DeveloperName'];
/** Filters that name the entity: without one Salesforce refuses the query. */
const REIFIED = ['entitydefinitionid', 'entitydefinition.qualifiedapiname', 'entitydefinition.durableid', 'durableid'];

const canonical = (name: string): string | undefined => {
  const [head, tail] = name.split('.') as [string, string | undefined];
  if (tail === undefined) return FIELDS.find((f) => f.toLowerCase() === head.toLowerCase());
  if (head.toLowerCase() !== 'entitydefinition') return undefined;
  const field = ENTITY_FIELDS.find((f) => f.toLowerCase() === tail.toLowerCase());
  return field ? `EntityDefinition.${field}` : undefined;
};

/** The records of a FieldDefinition query, or undefined when the query is about another object. Throws SoqlError as Salesforce refuses. */
export function queryFieldDefinition(org: Org, query: SoqlQuery, view: SchemaView, version: string): Record<string, unknown>[] | undefined {
  if (query.from.toLowerCase() !== 'fielddefinition') return undefined;
  if (query.subqueries.length > 0) throw new SoqlError('MALFORMED_QUERY', 'FieldDefinition has no child relationships in the sandbox');
  if (query.count) throw new SoqlError('MALFORMED_QUERY', 'COUNT() is not supported on FieldDefinition');
  for (const name of [...query.fields, ...query.orderBy.map((o) => o.field)]) {
    if (!canonical(name)) {
      throw new SoqlError(
        'INVALID_FIELD',
        `No such column '${name}' on entity 'FieldDefinition'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
  }
  const filtered: string[] = [];
  const walk = (w: Where | undefined): void => {
    if (!w) return;
    if (w.kind === 'and' || w.kind === 'or') {
      if (w.kind === 'or') throw new SoqlError('MALFORMED_QUERY', 'Disjunctions not supported');
      walk(w.left);
      walk(w.right);
      return;
    }
    if (!('field' in w) || w.kind === 'like' || (w.kind === 'cmp' && w.op !== '=') || (w.kind === 'in' && w.negate)) throw new SoqlError('MALFORMED_QUERY', 'Only equals comparisons permitted');
    if (!canonical(w.field)) throw new SoqlError('INVALID_FIELD', `No such column '${w.field}' on entity 'FieldDefinition'.`);
    filtered.push(w.field.toLowerCase());
  };
  walk(query.where);
  if (!filtered.some((f) => REIFIED.includes(f))) throw new SoqlError('EXTERNAL_OBJECT_UNSUPPORTED_EXCEPTION', 'FieldDefinition: a filter on a reified column is required.');

  const rows = Object.keys(SCHEMA).flatMap((entity) =>
    fieldsIn(entity, view).map((def) => ({
      DurableId: `${entity}.${def.name}`,
      QualifiedApiName: def.name,
      DeveloperName: def.name.replace(/__c$/, ''),
      Label: def.label ?? def.name,
      EntityDefinitionId: entity,
      IsFieldHistoryTracked: org.historyTracking.has(`${entity}.${def.name}`),
      EntityDefinition: { QualifiedApiName: entity, DurableId: entity, DeveloperName: entity },
    })),
  );
  const get = (row: (typeof rows)[number]) => (field: string) => {
    const name = canonical(field)!;
    if (!name.includes('.')) return row[name as keyof typeof row];
    return row.EntityDefinition[name.slice('EntityDefinition.'.length) as keyof (typeof row)['EntityDefinition']];
  };
  const selected = rows.filter((row) => matches(query.where, get(row)));
  for (const o of [...query.orderBy].reverse()) {
    selected.sort((a, b) => {
      const n = String(get(a)(o.field)).localeCompare(String(get(b)(o.field)));
      return o.desc ? -n : n;
    });
  }
  return selected.map((row) => {
    const out: Record<string, unknown> = { attributes: { type: 'FieldDefinition', url: `/services/data/v${version}/sobjects/FieldDefinition/${row.DurableId}` } };
    for (const field of query.fields) {
      const name = canonical(field)!;
      if (!name.includes('.')) out[name] = row[name as keyof typeof row];
      else {
        const entity = (out.EntityDefinition as Record<string, unknown> | undefined) ?? {
          attributes: { type: 'EntityDefinition', url: `/services/data/v${version}/sobjects/EntityDefinition/${row.EntityDefinitionId}` },
        };
        entity[name.slice('EntityDefinition.'.length)] = get(row)(name);
        out.EntityDefinition = entity;
      }
    }
    return out;
  });
}
