import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxApp, sandboxOnItsClock } from '../../test/support/pipeline.ts';
import { simulateSales } from '../sandbox/sales/runner.ts';
import type { SalesTruth } from '../sandbox/sales/truth.ts';
import type { Sandbox } from '../sandbox/server.ts';
import { type FeedbackSummary, syncFeedback } from './syncFeedback.ts';
import { syncLeads } from './syncLeads.ts';

// A simulated sales quarter over leadloop's hand-offs, then one feedback run: what the ledger and
// HubSpot hold must be what the simulated team did (its truth is worked out by the simulator's own
// code, not leadloop's).
let sandbox: Sandbox;
let app: SandboxApp;
let truth: SalesTruth;
let summary: FeedbackSummary;
/** Each lead's status before the quarter (an open lead leadloop adopted may already be accepted). */
let statusBefore: Map<string, string>;

beforeAll(async () => {
  const world = await sandboxOnItsClock(
    { contacts: 600, seed: 5, salesforce: { fieldHistoryTracking: ['Lead.Status'], currencies: ['USD', 'EUR', 'GBP'] }, hubspot: { currencies: ['USD', 'EUR', 'GBP'] } },
    { label: 'truth' },
  );
  ({ sandbox, app } = world);
  const { clock } = world;
  await syncLeads(app.deps, { indexingLagMs: 0 });
  statusBefore = new Map(sandbox.salesforce.records('Lead').map((l) => [String(l.Id), String(l.Status)]));
  truth = simulateSales(sandbox.salesforce, { seed: 11, days: 90 });
  clock.advance(5 * 60_000);
  summary = await syncFeedback(app.deps);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

describe('the feedback after a simulated sales quarter', () => {
  it('ran over a quarter with every kind of outcome', () => {
    const kinds = new Set(truth.opportunities.map((o) => `${o.state}${o.deleted ? ' deleted' : ''}`));
    expect(kinds).toEqual(new Set(['open', 'won', 'lost', ...[...kinds].filter((k) => k.endsWith('deleted'))]));
    expect(truth.opportunities.some((o) => o.reopened)).toBe(true);
    expect(truth.opportunities.some((o) => o.link === 'none')).toBe(true);
    expect(new Set(truth.opportunities.map((o) => o.link)).size).toBeGreaterThanOrEqual(4);
    expect(summary.deadLettered).toBe(0);
  });

  it('records every opportunity as it ended: outcome, amount, currency, loss reason, competitor, reopenings, deletion', async () => {
    const rows = new Map((await app.ledger.db.selectFrom('opportunities').selectAll().execute()).map((r) => [r.opportunity_id, r]));
    const mismatches: string[] = [];
    for (const o of truth.opportunities) {
      const row = rows.get(o.opportunityId);
      if (!row) {
        mismatches.push(`${o.opportunityId}: not recorded`);
        continue;
      }
      const got = {
        deleted: row.deleted_at !== null,
        ...(o.deleted
          ? {}
          : {
              state: row.outcome,
              amount: row.amount === null ? null : Number(row.amount),
              currency: row.currency,
              lossReason: row.loss_reason,
              competitor: row.competitor,
              reopened: row.reopened,
              timesClosed: row.times_closed,
            }),
      };
      const want = {
        deleted: o.deleted,
        ...(o.deleted ? {} : { state: o.state, amount: o.amount, currency: o.currency, lossReason: o.lossReason, competitor: o.competitor, reopened: o.reopened, timesClosed: o.timesClosed }),
      };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${o.opportunityId}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('links every live opportunity to the contacts, and by the path, the rules say', async () => {
    const rows = new Map((await app.ledger.db.selectFrom('opportunities').select(['opportunity_id', 'link_path']).execute()).map((r) => [r.opportunity_id, r.link_path]));
    const links = await app.ledger.db.selectFrom('opportunity_contacts').select(['opportunity_id', 'hubspot_contact_id']).execute();
    const mismatches: string[] = [];
    for (const o of truth.opportunities.filter((t) => !t.deleted)) {
      const path = rows.get(o.opportunityId);
      const contacts = links
        .filter((l) => l.opportunity_id === o.opportunityId)
        .map((l) => l.hubspot_contact_id)
        .sort();
      const want = o.link === 'none' ? 'unlinked' : o.link;
      if (path !== want || JSON.stringify(contacts) !== JSON.stringify(o.contactIds)) mismatches.push(`${o.opportunityId}: ${path} ${contacts} ≠ ${want} ${o.contactIds}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('records what sales did with each lead: accepted (or converted), disqualified with its reason, recycled', async () => {
    const changes = await app.ledger.db.selectFrom('lead_status_changes').selectAll().execute();
    const mismatches: string[] = [];
    for (const lead of truth.leads) {
      const mine = changes.filter((c) => c.lead_id === lead.leadId);
      const has = (cls: string) => mine.some((c) => c.status_class === cls);
      const got = { accepted: has('accepted'), disqualified: has('disqualified'), recycled: has('recycled') };
      const want = { accepted: lead.accepted || lead.converted !== null || statusBefore.get(lead.leadId) === 'Working - Contacted', disqualified: lead.disqualified, recycled: lead.recycled };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${lead.leadId}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
      for (const s of lead.statuses.filter((x) => x.class === 'disqualified')) {
        if (!mine.some((c) => c.status_class === 'disqualified' && c.reason === s.reason && !c.approximated)) mismatches.push(`${lead.leadId}: disqualification reason ${s.reason} missing`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives each linked live opportunity one HubSpot deal in its stage, and each won contact its outcome', () => {
    const deals = new Map(sandbox.hubspot.deals().map((d) => [d.properties.leadloop_salesforce_opportunity_id, d]));
    const stage = { open: 'appointmentscheduled', won: 'closedwon', lost: 'closedlost' };
    const mismatches: string[] = [];
    for (const o of truth.opportunities) {
      const deal = deals.get(o.opportunityId);
      if (o.deleted || o.link === 'none') {
        if (deal && !deal.archived) mismatches.push(`${o.opportunityId}: has a deal`);
        continue;
      }
      if (deal?.properties.dealstage !== stage[o.state]) mismatches.push(`${o.opportunityId}: deal stage ${deal?.properties.dealstage} ≠ ${stage[o.state]}`);
    }
    expect(mismatches).toEqual([]);
    const winners = new Set(truth.opportunities.filter((o) => o.state === 'won' && !o.deleted).flatMap((o) => o.contactIds));
    expect(winners.size).toBeGreaterThan(0);
    for (const id of winners) expect(sandbox.hubspot.getContact(id)?.properties).toMatchObject({ leadloop_outcome: 'won', lifecyclestage: 'customer' });
  });

  it('writes nothing on a rerun', async () => {
    sandbox.requestLog.reset();
    const again = await syncFeedback(app.deps);
    const writes = Object.entries(sandbox.requestLog.snapshot().hubspot).filter(([endpoint]) => /create|update|archive|upsert/.test(endpoint));
    expect(writes).toEqual([]);
    expect(again.deals).toMatchObject({ created: 0, updated: 0, archived: 0 });
  });
});
