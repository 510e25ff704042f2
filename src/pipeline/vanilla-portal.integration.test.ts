import { describe, expect, it } from 'vitest';
import { worldPerTest } from '../../test/support/pipeline.ts';
import { evaluateCondition } from '../domain/config/condition.ts';
import { preflight } from './preflight.ts';
import { syncLeads } from './syncLeads.ts';

const worlds = worldPerTest();

const DAY = 86_400_000;

describe('the shipped config on a vanilla HubSpot portal (standard properties only)', () => {
  it('setup finds nothing blocking and lists the optional extras as inactive; the sync hands off the booth scans and the demo requests, each with a task', async () => {
    const world = await worlds.open({ contacts: 800, seed: 11, hubspot: { vanillaPortal: true } }, { label: 'vanilla' });
    const { sandbox, app } = world;
    const portal = await app.hubspot.propertyDefinitions();
    expect(portal.map((p) => p.name)).not.toContain('lead_source');
    expect(portal.map((p) => p.name)).not.toContain('bant_budget');

    const checked = await preflight(app.preflightDeps);
    expect(checked.blocking).toEqual([]);
    expect(checked.warnings.filter((w) => w.code === 'config-portal')).toEqual([]);
    expect((checked.inactive ?? []).map((p) => p.subject.replace(/:\d+/, ''))).toEqual([
      'scoring.yaml engagement[5].when.property',
      'scoring.yaml engagement[6].when.property',
      'scoring.yaml engagement[7].when.property',
      'scoring.yaml bant.budget.when.property',
      'scoring.yaml bant.authority.when.property',
      'scoring.yaml bant.need.when.property',
      'scoring.yaml bant.timeline.when.property',
      'routing.yaml escalations[0].when.property',
    ]);

    const summary = await syncLeads(app.deps, { indexingLagMs: 0 });
    const installed = (await app.ledger.installedAt())!;
    const contacts = sandbox.hubspot.store.all();
    const vetoed = (id: string) => {
      const properties = contacts.find((c) => c.id === id)!.properties;
      return app.config.scoring.disqualifiers.some((d) => evaluateCondition(d.when, properties, installed));
    };
    const handedOff = new Set((await app.ledger.db.selectFrom('handoffs').select('hubspot_contact_id').execute()).map((h) => h.hubspot_contact_id));
    const heldBack = new Set((await app.ledger.db.selectFrom('decisions').select('hubspot_contact_id').where('reason', '=', 'qualified-before-install').execute()).map((d) => d.hubspot_contact_id));
    expect(summary.qualified).toBe(handedOff.size);

    // Booth scans: imported lists named "<show> booth scans", and the badge scanner's form.
    const boothScans = contacts.filter(
      (c) =>
        (c.properties.hs_analytics_source_data_1 === 'IMPORT' && /booth scans$/.test(c.properties.hs_analytics_source_data_2 ?? '')) ||
        (c.properties.first_conversion_event_name ?? '').startsWith('Booth scan:'),
    );
    expect(boothScans.length).toBeGreaterThan(40);
    const boothHandedOff = boothScans.filter((c) => handedOff.has(c.id));
    expect(boothHandedOff.length).toBeGreaterThan(10);
    // Every booth scan is handed off, unless a disqualifier vetoes it or it qualified long before install.
    expect(boothScans.filter((c) => !handedOff.has(c.id) && !heldBack.has(c.id) && !vetoed(c.id)).map((c) => c.id)).toEqual([]);
    const scores = new Map((await app.ledger.db.selectFrom('contact_scores').select(['hubspot_contact_id', 'source', 'campaign']).execute()).map((s) => [s.hubspot_contact_id, s]));
    for (const c of boothHandedOff) expect(scores.get(c.id)?.source).toBe('trade_show');

    // Hand-raisers: a demo request in the last 14 days, whatever the contact's original source.
    const demoRequests = contacts.filter((c) => /demo/i.test(c.properties.recent_conversion_event_name ?? '') && installed - Date.parse(c.properties.recent_conversion_date!) <= 14 * DAY);
    expect(demoRequests.length).toBeGreaterThan(10);
    expect(demoRequests.filter((c) => !handedOff.has(c.id) && !vetoed(c.id)).map((c) => c.id)).toEqual([]);

    // In Salesforce: a Trade Show lead with the show's name, and a task for every hand-off's lead.
    const leads = sandbox.salesforce.records('Lead').filter((l) => handedOff.has(String(l.HubSpot_Contact_Id__c)));
    const booth = leads.find((l) => l.HubSpot_Contact_Id__c === boothHandedOff[0]!.id)!;
    expect(booth.LeadSource).toBe('Trade Show');
    expect(String(booth.Lead_Source_Detail__c)).toMatch(/2026$/);
    const tasked = new Set(sandbox.salesforce.records('Task').map((t) => String(t.WhoId)));
    expect(leads.length).toBeGreaterThan(0);
    expect(leads.filter((l) => !tasked.has(String(l.Id))).map((l) => l.Id)).toEqual([]);
  }, 180_000);
});
