import { beforeAll, describe, expect, it } from 'vitest';
import { shippedConfig } from '../../test/support/config.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { defaultContactProperties, vanillaContactProperties } from '../sandbox/hubspot/properties.ts';
import { checkConfigAgainstPortal, type ConfigLocator, type PortalProperty } from '../domain/portal-check.ts';

/** "trade_show" → "Trade Show": how a portal admin labels an option. */
const title = (value: string) => value.replace(/_/g, ' ').replace(/\b[a-z]/g, (c) => c.toUpperCase());
const enumeration = (name: string, options: (string | [value: string, label: string])[]): PortalProperty => ({
  name,
  label: title(name),
  type: 'enumeration',
  options: options.map((o) => (typeof o === 'string' ? { value: o, label: title(o.toLowerCase()) } : { value: o[0], label: o[1] })),
});

/** A vanilla HubSpot portal: HubSpot's standard contact properties, internal values unlike their labels (the sandbox's). */
const VANILLA: PortalProperty[] = vanillaContactProperties();

const LEAD_SOURCES = ['trade_show', 'event', 'demo_request', 'web_form', 'webinar', 'content_download', 'paid_ads', 'referral', 'other'];

/** The vanilla portal with the custom properties the README documents (the sandbox's default portal). */
const COPPERLEAF: PortalProperty[] = defaultContactProperties();

/** The portal of the issue: lead_source options whose internal values are their labels. */
const LABELS_AS_VALUES: PortalProperty[] = COPPERLEAF.map((p) =>
  p.name === 'lead_source' ? { ...p, options: ['Trade Show', 'Website', 'Event', 'Demo Request', 'Referral', 'Other'].map((v) => ({ label: v, value: v })) } : p,
);

let config: LeadloopConfig;
let locate: ConfigLocator;
beforeAll(async () => {
  ({ config, locate } = await shippedConfig());
});

const changed = (edit: (c: LeadloopConfig) => void): LeadloopConfig => {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
};

describe('checkConfigAgainstPortal', () => {
  it('finds nothing wrong with the shipped config on a portal with the documented properties', () => {
    expect(checkConfigAgainstPortal(config, COPPERLEAF, locate)).toEqual([]);
  });

  it('names every rule value that is a label, not an internal value, with file and line and the value to use', () => {
    const problems = checkConfigAgainstPortal(config, LABELS_AS_VALUES, locate);
    const lines = problems.map((p) => `${p.severity} ${p.file}:${p.line} ${p.path.join('.')}: ${p.message}`);
    // event, referral and other match 'Event', 'Referral' and 'Other': rules compare text case-insensitively.
    expect(lines).toEqual([
      "blocking scoring.yaml:168 mql.immediate_sources.any.0.value.0: lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'",
      "blocking scoring.yaml:168 mql.immediate_sources.any.0.value.2: lead_source has no option demo_request; the option labelled 'Demo Request' has the internal value 'Demo Request'",
      "warning mapping.yaml:75 lead.fields.12.values.trade_show: lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'",
      "warning mapping.yaml:75 lead.fields.12.values.demo_request: lead_source has no option demo_request; the option labelled 'Demo Request' has the internal value 'Demo Request'",
      'warning mapping.yaml:75 lead.fields.12.values.web_form: lead_source has no option web_form: this entry of values: is never used',
      'warning mapping.yaml:75 lead.fields.12.values.webinar: lead_source has no option webinar: this entry of values: is never used',
      'warning mapping.yaml:76 lead.fields.12.values.content_download: lead_source has no option content_download: this entry of values: is never used',
      'warning mapping.yaml:76 lead.fields.12.values.paid_ads: lead_source has no option paid_ads: this entry of values: is never used',
    ]);
    expect(problems[0]).toMatchObject({ property: 'lead_source', fix: "change trade_show to 'Trade Show' in scoring.yaml line 168" });
    expect(problems[4]!.fix).toBe("use one of its internal values in mapping.yaml line 75: 'Trade Show', 'Website', 'Event', 'Demo Request', 'Referral', 'Other'");
  });

  it('on a vanilla portal: the shipped rules work from standard properties; the optional extras are listed as inactive, nothing blocks or warns', () => {
    const problems = checkConfigAgainstPortal(config, VANILLA, locate);
    expect(problems.filter((p) => p.severity !== 'inactive')).toEqual([]);
    expect(problems.map((p) => `${p.file} ${p.path.slice(0, 2).join('.')} ${p.property}`)).toEqual([
      'scoring.yaml engagement.5 demo_watched',
      'scoring.yaml engagement.6 demo_watched',
      'scoring.yaml engagement.7 content_downloads',
      'scoring.yaml bant.budget bant_budget',
      'scoring.yaml bant.authority bant_authority',
      'scoring.yaml bant.need bant_need',
      'scoring.yaml bant.timeline bant_timeline',
      'routing.yaml escalations.0 estimated_deal_size',
    ]);
    expect(problems[0]!.message).toBe('optional rule inactive: this portal has no contact property demo_watched, so the rule never holds here');
  });

  it('on a vanilla portal without source rules: the hand-off rule naming lead_source blocks; an optional rule stays inactive', () => {
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.mapping.source.derive = [];
      }),
      VANILLA,
      locate,
    );
    expect(problems.filter((p) => p.severity === 'blocking').map((p) => [p.path.join('.'), p.message])).toEqual([
      ['mql.immediate_sources.any.0.property', 'lead_source is not a contact property of this HubSpot portal: the hand-off rule never holds on it'],
    ]);
    expect(problems.filter((p) => p.severity === 'warning').map((p) => `${p.file} ${p.property}`)).toEqual(['routing.yaml lead_source', 'mapping.yaml lead_source', 'mapping.yaml lead_source_detail']);
    expect(problems.filter((p) => p.severity === 'inactive')).toHaveLength(8);
  });

  it('checks the source rules against the portal: a derived source names no value its rules never give', () => {
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.mapping.source.derive = c.mapping.source.derive.filter((r) => r.source !== 'event');
        c.mapping.source.derive[0]!.when = { property: 'booth_scan_list', op: 'exists' };
      }),
      VANILLA,
      locate,
    );
    expect(problems.filter((p) => p.severity !== 'inactive').map((p) => `${p.severity} ${p.file} ${p.path.join('.')}: ${p.message}`)).toEqual([
      'blocking scoring.yaml mql.immediate_sources.any.0.value.1: lead_source has no option event: no contact ever has this value, so the hand-off rule never matches on it',
      'warning mapping.yaml lead.fields.12.values.event: lead_source has no option event: this entry of values: is never used',
      'warning mapping.yaml source.derive.0.when.property: booth_scan_list is not a contact property of this HubSpot portal: the rule never holds on it',
    ]);
  });

  it('says which property a label names when a rule uses a label for a property name', () => {
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.scoring.mql.immediate_sources = { property: 'original_traffic_source', op: 'eq', value: 'OFFLINE' };
      }),
      [...COPPERLEAF.filter((p) => p.name !== 'hs_analytics_source'), { ...VANILLA.find((p) => p.name === 'hs_analytics_source')!, label: 'Original Traffic Source' }],
    );
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'blocking',
        message:
          "original_traffic_source is not a contact property of this HubSpot portal: the hand-off rule never holds on it; the property labelled 'Original Traffic Source' has the internal name hs_analytics_source",
        fix: 'name hs_analytics_source in scoring.yaml mql.immediate_sources.property',
      }),
    ]);
  });

  it('matches option values as the rules compare them (case-insensitive) and hints from labels the other way round', () => {
    const portal = COPPERLEAF.map((p) =>
      p.name === 'lead_source'
        ? enumeration(
            'lead_source',
            LEAD_SOURCES.map((v) => [v, title(v)] as [string, string]),
          )
        : p,
    );
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.scoring.mql.immediate_sources = { property: 'lead_source', op: 'in', value: ['TRADE_SHOW', 'Demo Request', 'booth'] };
      }),
      portal,
    );
    expect(problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      ['mql.immediate_sources.value.1', "lead_source has no option Demo Request; the option labelled 'Demo Request' has the internal value 'demo_request'"],
      ['mql.immediate_sources.value.2', 'lead_source has no option booth: no contact ever has this value, so the hand-off rule never matches on it'],
    ]);
  });

  it('checks the lifecycle stages and Lead Statuses the feedback writes against their options', () => {
    const portal = [...COPPERLEAF, enumeration('hs_lead_status', ['NEW', 'OPEN', 'IN_PROGRESS', 'UNQUALIFIED', 'BAD_TIMING'])];
    expect(checkConfigAgainstPortal(config, portal, locate)).toEqual([]);
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.mapping.lifecycle_stage.accepted = 'Sales Qualified Lead';
        c.mapping.back_to_marketing.lead_status.disqualified = 'DISQUALIFIED';
      }),
      portal,
    );
    expect(problems.map((p) => [p.severity, p.path.join('.'), p.message])).toEqual([
      ['warning', 'lifecycle_stage.accepted', "lifecyclestage has no option Sales Qualified Lead; the option labelled 'Sales Qualified Lead' has the internal value 'salesqualifiedlead'"],
      ['warning', 'back_to_marketing.lead_status.disqualified', 'hs_lead_status has no option DISQUALIFIED: HubSpot refuses it when the feedback writes it (INVALID_OPTION)'],
    ]);
  });

  it('refuses operators that do not fit the property type', () => {
    const problems = checkConfigAgainstPortal(
      changed((c) => {
        c.scoring.fit = [
          { id: 'big', when: { property: 'industry', op: 'gt', value: 5 }, points: 1 },
          { id: 'recent-title', when: { property: 'jobtitle', op: 'within_days', value: 7 }, points: 1 },
          { id: 'bands', when: { property: 'size_code', op: 'gte', value: 100 }, points: 1 },
          { id: 'visited', when: { property: 'hs_analytics_last_visit_timestamp', op: 'within_days', value: 7 }, points: 1 },
          { id: 'views', when: { property: 'hs_analytics_num_page_views', op: 'eq', value: 'many' }, points: 1 },
          { id: 'date-compare', when: { property: 'createdate', op: 'lt', value: 5 }, points: 1 },
        ];
        c.scoring.engagement[0]!.recency = { property: 'content_downloads' };
        c.scoring.disqualifiers = [{ id: 'tiny', when: { property: 'lifecyclestage', op: 'lte', value: 1 }, reason: 'r' }];
      }),
      [...COPPERLEAF, enumeration('size_code', ['10', '100', '1000'])],
    );
    expect(problems.map((p) => [p.severity, p.path.join('.'), p.message])).toEqual([
      ['blocking', 'disqualifiers.0.when.op', 'lifecyclestage is an enumeration whose options are not numbers; lte compares numbers: the hand-off rule never holds on it'],
      ['warning', 'fit.0.when.op', 'industry is an enumeration whose options are not numbers; gt compares numbers: the rule never holds on it'],
      ['warning', 'fit.1.when.op', 'jobtitle is a string property; within_days needs a date or datetime property: the rule never holds on it'],
      ['warning', 'fit.4.when.value', 'hs_analytics_num_page_views is a number property; "many" is not a number: no contact ever has this value, so the rule never matches on it'],
      ['warning', 'fit.5.when.op', 'createdate is a datetime property; lt compares numbers: the rule never holds on it'],
      ['warning', 'engagement.0.recency.property', 'content_downloads is a number property; recency needs a date or datetime property: the rule counts with undated_weight only'],
    ]);
  });
});
