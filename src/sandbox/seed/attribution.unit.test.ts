import { beforeAll, describe, expect, it } from 'vitest';
import { shippedConfig } from '../../../test/support/config.ts';
import type { LeadloopConfig } from '../../domain/config/index.ts';
import { derivedSources, withDerivedSource } from '../../domain/contact-source.ts';
import { onlyDefined, vanillaContactProperties } from '../hubspot/properties.ts';
import { generateContacts } from './contacts.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
let config: LeadloopConfig;
beforeAll(async () => {
  ({ config } = await shippedConfig());
});

describe('what HubSpot records by itself about a seeded contact', () => {
  it('tells the source of every seeded contact of a vanilla portal as the seed meant it (events apart from shows)', () => {
    const definitions = vanillaContactProperties();
    const wrong: string[] = [];
    for (const contact of generateContacts(1_000, 7, NOW)) {
      const meant = contact.properties.lead_source!;
      const derived = withDerivedSource(onlyDefined(contact.properties, definitions), config.mapping, NOW);
      expect(derivedSources(config.mapping)).toContain(derived.lead_source);
      // Hand-raisers with no conversion of their own first came with a demo request.
      const ok = derived.lead_source === meant || (derived.lead_source === 'demo_request' && meant === 'other') || (meant === 'event' && derived.lead_source === 'trade_show');
      if (!ok) wrong.push(`${meant} → ${derived.lead_source}`);
      if (meant === 'trade_show' && derived.lead_source === 'trade_show') expect(derived.lead_source_detail).toBe(contact.properties.lead_source_detail);
    }
    expect(wrong).toEqual([]);
  });
});
