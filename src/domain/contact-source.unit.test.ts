import { beforeAll, describe, expect, it } from 'vitest';
import { shippedConfig } from '../../test/support/config.ts';
import type { LeadloopConfig } from './config/index.ts';
import { withDerivedSource } from './contact-source.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
let config: LeadloopConfig;
beforeAll(async () => {
  ({ config } = await shippedConfig());
});

describe('withDerivedSource (mapping.yaml source)', () => {
  it('keeps the portal’s own lead_source and detail when the contact has them', () => {
    const properties = {
      lead_source: 'referral',
      lead_source_detail: 'Partner X',
      hs_analytics_source: 'OFFLINE',
      hs_analytics_source_data_1: 'IMPORT',
      hs_analytics_source_data_2: 'Dreamforce 2026 booth scans',
    };
    expect(withDerivedSource(properties, config.mapping, NOW)).toBe(properties);
  });

  it('names a booth-scan import trade_show, with the show’s name as its detail (the campaign)', () => {
    const derived = withDerivedSource({ hs_analytics_source: 'OFFLINE', hs_analytics_source_data_1: 'IMPORT', hs_analytics_source_data_2: 'Web Summit 2026 Booth Scans' }, config.mapping, NOW);
    expect(derived).toMatchObject({ lead_source: 'trade_show', lead_source_detail: 'Web Summit 2026' });
  });

  it('names a badge-scanner form trade_show, a demo form demo_request, and falls back to otherwise', () => {
    expect(withDerivedSource({ first_conversion_event_name: 'Booth scan: SaaStr Annual 2026' }, config.mapping, NOW)).toMatchObject({
      lead_source: 'trade_show',
      lead_source_detail: 'SaaStr Annual 2026',
    });
    expect(withDerivedSource({ first_conversion_event_name: 'Request a demo', hs_analytics_source: 'ORGANIC_SEARCH' }, config.mapping, NOW)).toMatchObject({
      lead_source: 'demo_request',
      lead_source_detail: 'Request a demo',
    });
    expect(withDerivedSource({ hs_analytics_source: 'DIRECT_TRAFFIC' }, config.mapping, NOW)).toMatchObject({ lead_source: 'other' });
    expect(withDerivedSource<Record<string, string>>({ hs_analytics_source: 'DIRECT_TRAFFIC' }, config.mapping, NOW).lead_source_detail).toBeUndefined();
  });

  it('leaves the properties alone when mapping.yaml has no source rules', () => {
    const properties = { hs_analytics_source: 'OFFLINE' };
    expect(withDerivedSource(properties, { ...config.mapping, source: { derive: [], otherwise: 'other' } }, NOW)).toBe(properties);
  });
});
