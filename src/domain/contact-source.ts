import { conditionProperties, evaluateCondition, firstCapture, type PropertyBag } from './config/condition.ts';
import { SOURCE_PROPERTY, type MappingConfig } from './config/mapping.ts';

type SourceMapping = Pick<MappingConfig, 'source' | 'campaign'>;

/**
 * A contact's properties with its source filled in: the portal's own lead_source when the contact
 * has one, else the first of mapping.yaml's `source.derive` rules that holds on HubSpot's
 * standard properties (a booth-scan import, the first conversion, the original traffic source),
 * else `source.otherwise`. The rule's detail (a show's or webinar's name) fills the campaign
 * property when that is empty. With no derive rules the properties are returned as they are,
 * so a portal that records its own source is read exactly as before.
 */
export function withDerivedSource<P extends PropertyBag>(properties: P, mapping: SourceMapping, now: number): P {
  if (mapping.source.derive.length === 0 || !isBlank(properties[SOURCE_PROPERTY])) return properties;
  const detailProperty = mapping.campaign.name_from;
  const rule = mapping.source.derive.find((r) => evaluateCondition(r.when, properties, now));
  const derived: Record<string, string | null | undefined> = { ...properties, [SOURCE_PROPERTY]: rule?.source ?? mapping.source.otherwise };
  if (rule?.detail && isBlank(properties[detailProperty])) {
    const raw = properties[rule.detail.property];
    const detail = isBlank(raw) ? undefined : rule.detail.pattern ? firstCapture(rule.detail.pattern, raw) : raw;
    if (detail?.trim()) derived[detailProperty] = detail.trim();
  }
  return derived as P;
}

/** Every HubSpot property the source rules read (they are pulled with the contact). */
export function sourceProperties(mapping: SourceMapping): string[] {
  return mapping.source.derive.flatMap((r) => [...conditionProperties(r.when), ...(r.detail ? [r.detail.property] : [])]);
}

/** The words a derived source can be: what rules comparing lead_source may name on a portal without the property. */
export function derivedSources(mapping: SourceMapping): string[] {
  return [...new Set([...mapping.source.derive.map((r) => r.source), mapping.source.otherwise])];
}

function isBlank(value: string | null | undefined): value is null | undefined | '' {
  return value === undefined || value === null || value.trim() === '';
}
