import { afterEach, describe, expect, it } from 'vitest';
import { type SandboxApp, sandboxOnItsClock } from '../../test/support/pipeline.ts';
import { winRate } from '../domain/feedback/campaigns.ts';
import type { Sandbox } from '../sandbox/server.ts';
import type { PlannedWrite } from './ports.ts';
import { syncFeedback } from './syncFeedback.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

const DAY = 86_400_000;
const FIGURES = ['Leadloop_Handoffs__c', 'Leadloop_SQL__c', 'Leadloop_Lost__c', 'Leadloop_Win_Rate__c'] as const;

/** The figures each campaign should carry, computed here from the ledger's own tables (not through leadloop's queries). */
async function ledgerFigures(a: SandboxApp, campaignIdByName: ReadonlyMap<string, string>) {
  const db = a.ledger.db;
  const handoffs = await db.selectFrom('handoffs').select(['hubspot_contact_id', 'campaign']).execute();
  const accepted = new Set((await db.selectFrom('lead_status_changes').select('hubspot_contact_id').where('status_class', '=', 'accepted').execute()).map((r) => r.hubspot_contact_id));
  const opportunities = await db.selectFrom('opportunities').select(['campaign_id', 'attributed_campaign', 'outcome', 'deleted_at']).execute();
  const out = new Map<string, { handoffs: number; sql: number; won: number; lost: number }>();
  const of = (id: string) => out.get(id) ?? out.set(id, { handoffs: 0, sql: 0, won: 0, lost: 0 }).get(id)!;
  for (const h of handoffs) {
    const id = h.campaign ? campaignIdByName.get(h.campaign.toLowerCase()) : undefined;
    if (!id) continue;
    of(id).handoffs += 1;
    if (accepted.has(h.hubspot_contact_id)) of(id).sql += 1;
  }
  for (const o of opportunities) {
    const id = o.campaign_id ?? (o.attributed_campaign ? campaignIdByName.get(o.attributed_campaign.toLowerCase()) : undefined);
    if (!id) continue;
    const f = of(id);
    if (o.deleted_at === null && o.outcome === 'won') f.won += 1;
    if (o.deleted_at === null && o.outcome === 'lost') f.lost += 1;
  }
  return new Map([...out].map(([id, f]) => [id, { Leadloop_Handoffs__c: f.handoffs, Leadloop_SQL__c: f.sql, Leadloop_Lost__c: f.lost, Leadloop_Win_Rate__c: winRate(f.won, f.lost) }]));
}

describe('the feedback writes Salesforce Campaigns', () => {
  it('sets a missing Primary Campaign Source, leaves a set one, writes figures equal to the ledger, pulls costs, and a rerun writes nothing', async () => {
    const world = await sandboxOnItsClock({ contacts: 300, seed: 21, salesforce: { fieldHistoryTracking: ['Lead.Status'] } }, { label: 'campaigns' });
    ({ sandbox, app } = world);
    const { clock } = world;
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const sf = sandbox.salesforce;
    const campaignRecords = () => new Map(sf.records('Campaign').map((c) => [String(c.Id), c]));
    const campaignIdByName = new Map(sf.records('Campaign').map((c) => [String(c.Name).toLowerCase(), String(c.Id)]));
    const handoffs = await app.ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'salesforce_id', 'campaign']).where('outcome', '=', 'created').orderBy('hubspot_contact_id').execute();
    const withCampaign = handoffs.filter((h) => h.campaign && campaignIdByName.has(h.campaign.toLowerCase()));
    expect(withCampaign.length).toBeGreaterThanOrEqual(4);
    const [h0, h1, h2, h3] = withCampaign as [(typeof handoffs)[0], (typeof handoffs)[0], (typeof handoffs)[0], (typeof handoffs)[0]];
    const campaignOf = (h: (typeof handoffs)[0]) => campaignIdByName.get(h.campaign!.toLowerCase())!;
    const other = [...campaignIdByName.values()].find((id) => id !== campaignOf(h1))!;

    clock.advance(DAY);
    // Sales: h0 accepted; h1 won on an opportunity with no campaign (a contact role carrying its external ID);
    // h2's opportunity has its own campaign (left alone); h3 lost, no campaign.
    sf.edit('Lead', h0.salesforce_id!, { Status: 'Working - Contacted' });
    const account = sf.create('Account', { Name: 'Campaign Co', Website: 'campaign-co.example' });
    const opportunity = (h: (typeof handoffs)[0], fields: Record<string, unknown> = {}) => {
      const contact = sf.create('Contact', { LastName: `Role ${h.hubspot_contact_id}`, AccountId: account, HubSpot_Contact_Id__c: h.hubspot_contact_id });
      const id = sf.createOpportunity({ Name: `Deal ${h.hubspot_contact_id}`, AccountId: account, Amount: 10_000, ...fields });
      sf.create('OpportunityContactRole', { OpportunityId: id, ContactId: contact, IsPrimary: true });
      return id;
    };
    const won = opportunity(h1);
    sf.closeOpportunity(won, true);
    const ownCampaign = opportunity(h2, { CampaignId: other });
    const lost = opportunity(h3);
    sf.closeOpportunity(lost, false, { fields: { Loss_Reason__c: 'Price' } });
    clock.advance(DAY);

    // A dry run lists the Campaign and Opportunity updates and writes none.
    const plannedWrites: PlannedWrite[] = [];
    sandbox.requestLog.reset();
    const dry = await syncFeedback({ ...app.deps, plannedWrites });
    expect(dry.primaryCampaignsSet).toBe(0);
    expect(sandbox.requestLog.counts('salesforce')['sobjects.collections.update'] ?? 0).toBe(0);
    // The dry run records nothing in the ledger, so it plans from what the ledger held (no opportunities yet): hand-off figures only.
    expect(plannedWrites.filter((w) => w.operation === 'campaign-update').length).toBeGreaterThan(0);

    sandbox.requestLog.reset();
    const summary = await syncFeedback(app.deps);
    expect(summary.deadLettered).toBe(0);
    expect(summary.primaryCampaignsSet).toBe(2);
    expect(summary.campaigns.updated).toBeGreaterThan(0);
    const sfCalls = sandbox.requestLog.counts('salesforce');
    // Opportunities' campaigns and the figures: one Collections update each (each under 200).
    expect(sfCalls['sobjects.collections.update']).toBe(2);
    expect(sf.records('Opportunity').find((o) => o.Id === won)!.CampaignId).toBe(campaignOf(h1));
    expect(sf.records('Opportunity').find((o) => o.Id === lost)!.CampaignId).toBe(campaignOf(h3));
    expect(sf.records('Opportunity').find((o) => o.Id === ownCampaign)!.CampaignId).toBe(other);

    const expectFiguresEqualLedger = async () => {
      const expected = await ledgerFigures(app!, campaignIdByName);
      expect(expected.size).toBeGreaterThan(0);
      const records = campaignRecords();
      for (const [id, figures] of expected) expect(Object.fromEntries(FIGURES.map((f) => [f, records.get(id)![f] ?? null])), String(records.get(id)!.Name)).toEqual(figures);
      return expected;
    };
    const expected = await expectFiguresEqualLedger();
    expect(expected.get(campaignOf(h3))!.Leadloop_Lost__c).toBeGreaterThanOrEqual(1);
    expect(expected.get(campaignOf(h0))!.Leadloop_SQL__c).toBeGreaterThanOrEqual(1);

    // Salesforce rolls the won opportunity up itself; the ledger keeps that and the costs.
    const stored = new Map((await app.ledger.storedCampaigns()).map((c) => [c.campaignId, c]));
    for (const [id, c] of campaignRecords()) {
      if (!stored.has(id)) continue;
      expect(stored.get(id)).toMatchObject({ name: c.Name, actualCost: c.ActualCost, budgetedCost: c.BudgetedCost, wonOpportunities: c.NumberOfWonOpportunities, wonAmount: c.AmountWonOpportunities });
    }
    expect(stored.get(campaignOf(h1))!.wonOpportunities).toBeGreaterThanOrEqual(1);
    // The roll-ups count every live won opportunity of the campaign, the seeded ones too.
    const liveWon = sf.records('Opportunity').filter((o) => !o.IsDeleted && o.IsWon === true);
    for (const [id, c] of campaignRecords()) expect(c.NumberOfWonOpportunities, String(c.Name)).toBe(liveWon.filter((o) => o.CampaignId === id).length);
    expect(stored.get(campaignOf(h1))!.actualCost).toBeGreaterThan(0);

    // A rerun, after the clock passed leadloop's own writes (the opportunities come back changed): no Salesforce write.
    clock.advance(DAY);
    sandbox.requestLog.reset();
    const again = await syncFeedback(app.deps);
    expect(again).toMatchObject({ primaryCampaignsSet: 0, campaigns: { updated: 0 } });
    expect(again.campaigns.unchanged).toBe(summary.campaigns.updated + summary.campaigns.unchanged);
    expect(Object.keys(sandbox.requestLog.counts('salesforce')).filter((e) => !/query|describe|composite$|limits|oauth|token/.test(e))).toEqual([]);
    expect(sandbox.requestLog.counts('salesforce')['sobjects.collections.update'] ?? 0).toBe(0);

    // Sales reopens the won deal and loses it: its campaign's lost count and win rate follow.
    sf.edit('Opportunity', won, { StageName: 'Negotiation/Review' });
    sf.closeOpportunity(won, false, { fields: { Loss_Reason__c: 'Timing' } });
    clock.advance(DAY);
    const third = await syncFeedback(app.deps);
    expect(third.campaigns.updated).toBeGreaterThanOrEqual(1);
    const after = await expectFiguresEqualLedger();
    expect(after.get(campaignOf(h1))!.Leadloop_Lost__c).toBe(expected.get(campaignOf(h1))!.Leadloop_Lost__c + 1);
  });
});
