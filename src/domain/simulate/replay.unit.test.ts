import { describe, expect, it } from 'vitest';
import { shippedConfig } from '../../../test/support/config.ts';
import { replayEvaluations, type StoredEvaluation } from './replay.ts';

const { config } = await shippedConfig();
const MONDAY = Date.parse('2026-11-23T15:00:00Z');
const DAY = 86_400_000;

/** A booth scan (an immediate source: handed off whatever the score) from a large North American company. */
function boothScan(n: number, at: number, overrides: Partial<StoredEvaluation> = {}): StoredEvaluation {
  return {
    contactId: String(9000 + n),
    handoffKey: 'first',
    kind: 'handoff',
    decidedAt: at,
    properties: {
      email: `visitor${n}@bigco${n}.example`,
      firstname: 'Pat',
      lastname: `Visitor${n}`,
      company: `Bigco ${n}`,
      jobtitle: 'VP of Data',
      country: 'United States',
      numemployees: '1000+',
      lead_source: 'trade_show',
      lead_source_date: new Date(at).toISOString(),
    },
    history: {},
    accounts: {},
    ...overrides,
  };
}

describe('replayEvaluations', () => {
  it('routes by the account match stored with the decision, not by any index of today', () => {
    const withAccount = boothScan(1, MONDAY, { accounts: { 'bigco1.example': { accountId: '001A', ownerEmail: 'marco.bellini@copperleaf.example' } } });
    const [matched, unmatched] = replayEvaluations([withAccount, boothScan(2, MONDAY)], config);
    expect(matched).toMatchObject({ handoff: true, owner: 'marco.bellini@copperleaf.example', rule: 'existing-account' });
    expect(unmatched).toMatchObject({ handoff: true, owner: 'dana.whitfield@copperleaf.example', rule: 'enterprise-na' });
  });

  it("counts capacity per decision day, in decision order: an owner's sixteenth lead of a day goes elsewhere, the next day's first comes back", () => {
    const capacity = config.routing.owners.find((o) => o.email === 'dana.whitfield@copperleaf.example')!.daily_capacity!;
    const sameDay = Array.from({ length: capacity + 1 }, (_, i) => boothScan(i, MONDAY + i * 60_000));
    const replayed = replayEvaluations([...sameDay, boothScan(99, MONDAY + DAY)], config);
    expect(replayed.slice(0, capacity).every((r) => r.owner === 'dana.whitfield@copperleaf.example')).toBe(true);
    expect(replayed[capacity]!.owner).not.toBe('dana.whitfield@copperleaf.example');
    expect(replayed[capacity + 1]!.owner).toBe('dana.whitfield@copperleaf.example');
  });

  it('starts every replay from a fresh rotation, so two replays of the same decisions agree', () => {
    const scans = Array.from({ length: 12 }, (_, i) => boothScan(i, MONDAY + i * 60_000, { properties: { ...boothScan(i, MONDAY).properties, numemployees: '25-50' } }));
    expect(replayEvaluations(scans, config)).toEqual(replayEvaluations(scans, config));
  });

  it('tells the source of stored inputs under the config it replays (mapping.yaml source.derive may be the change)', () => {
    // A vanilla portal's booth scan: no lead_source, an import named after the show.
    const { lead_source: _none, ...standard } = boothScan(1, MONDAY).properties;
    const imported = boothScan(1, MONDAY, {
      properties: { ...standard, hs_analytics_source: 'OFFLINE', hs_analytics_source_data_1: 'IMPORT', hs_analytics_source_data_2: 'Web Summit 2026 booth scans', numemployees: '5-25' },
    });
    const [asShipped] = replayEvaluations([imported], config);
    expect(asShipped).toMatchObject({ handoff: true });
    const noBoothImports = structuredClone(config);
    noBoothImports.mapping.source.derive = noBoothImports.mapping.source.derive.filter((r) => !JSON.stringify(r.when).includes('booth scan'));
    const [proposed] = replayEvaluations([imported], noBoothImports);
    expect(proposed).toMatchObject({ handoff: false, mql: false });
  });

  it('keeps a contact held back at install held back, scored as it was', () => {
    const [held] = replayEvaluations([boothScan(1, MONDAY, { kind: 'held-back' })], config);
    expect(held).toMatchObject({ handoff: false, owner: null, team: null });
  });
});
