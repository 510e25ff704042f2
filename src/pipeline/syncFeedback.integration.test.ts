import { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { type SandboxApp, sandboxOnItsClock } from '../../test/support/pipeline.ts';
import type { Sandbox, SandboxOptions } from '../sandbox/server.ts';
import type { PlannedWrite, SyncDeps } from './ports.ts';
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

interface HandedOff {
  contactId: string;
  leadId: string;
}
/** The hand-offs, the first seven known to be there (handedOff asserts at least 10). */
const first = (contacts: HandedOff[]) => contacts as HandedOff[] & Record<0 | 1 | 2 | 3 | 4 | 5 | 6, HandedOff>;
const OPPORTUNITY_ID_PROPERTY = 'leadloop_salesforce_opportunity_id';

/** A sandbox whose hand-offs have landed: leadloop's clock is the sandbox's, so what sales does later is later for both. */
async function handedOff(options: { salesforce?: SandboxOptions['salesforce']; hubspot?: SandboxOptions['hubspot']; contacts?: number } = {}) {
  const world = await sandboxOnItsClock(
    { contacts: options.contacts ?? 300, seed: 21, ...(options.salesforce ? { salesforce: options.salesforce } : {}), ...(options.hubspot ? { hubspot: options.hubspot } : {}) },
    { label: 'feedback' },
  );
  ({ sandbox, app } = world);
  const { clock } = world;
  await syncLeads(app.deps, { indexingLagMs: 0 });
  const rows = await app.ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'salesforce_id']).where('outcome', '=', 'created').orderBy('hubspot_contact_id').execute();
  expect(rows.length).toBeGreaterThanOrEqual(10);
  const info = sandbox.connectionInfo();
  const conn = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: '64.0' });
  return { clock, sf: sandbox.salesforce, hs: sandbox.hubspot, conn, contacts: rows.map((r) => ({ contactId: r.hubspot_contact_id, leadId: r.salesforce_id! })) };
}

/** Sales' work is done a day after the hand-offs, and leadloop looks two days after. */
function later(clock: { advance(ms: number): void }) {
  clock.advance(DAY);
}

const dealsByOpportunity = () => new Map(sandbox!.hubspot.deals().map((d) => [d.properties[OPPORTUNITY_ID_PROPERTY], d]));
const hubspotWrites = () =>
  Object.entries(sandbox!.requestLog.snapshot().hubspot)
    .filter(([endpoint]) => /create|update|archive|upsert/.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);

describe('syncFeedback against the sandbox', () => {
  it('links each opportunity by its strongest path, records outcomes, writes deals and contacts, and a rerun writes nothing', async () => {
    const { clock, sf, hs, contacts } = await handedOff({ salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
    const [c0, c1, c2, c3, c4, c5, c6] = first(contacts);
    later(clock);
    // c0: converted and won; its HubSpot company becomes the deal's.
    const company = hs.createCompany({ name: 'Globex', domain: 'globex-feedback.example' });
    hs.associate('contacts', c0.contactId, 'companies', company.id, { primary: true });
    const won = sf.convertLead(c0.leadId, { amount: 50_000 }).opportunityId!;
    sf.closeOpportunity(won, true);
    // c1 accepted, c2 disqualified with a reason.
    sf.edit('Lead', c1.leadId, { Status: 'Working - Contacted' });
    hs.updateContact(c2.contactId, { lifecyclestage: 'salesqualifiedlead' });
    sf.edit('Lead', c2.leadId, { Status: 'Closed - Not Converted', Disqualified_Reason__c: 'No budget' });
    // c3: a contact role on a Contact carrying c3's external ID; lost to a competitor. (A lead in
    // HubSpot's stages: a seeded 'other' is past 'opportunity' and would rightly stay; moving a
    // stage back takes clearing it first, as in HubSpot.)
    hs.updateContact(c3.contactId, { lifecyclestage: '' });
    hs.updateContact(c3.contactId, { lifecyclestage: 'lead' });
    const account = sf.create('Account', { Name: 'Initrode', Website: 'initrode-feedback.example' });
    const roleContact = sf.create('Contact', { LastName: 'Role', AccountId: account, HubSpot_Contact_Id__c: c3.contactId });
    const lost = sf.createOpportunity({ Name: 'Initrode — platform', AccountId: account, Amount: 20_000 });
    sf.create('OpportunityContactRole', { OpportunityId: lost, ContactId: roleContact, IsPrimary: true });
    sf.create('OpportunityCompetitor', { OpportunityId: lost, CompetitorName: 'Initech' });
    sf.closeOpportunity(lost, false, { fields: { Loss_Reason__c: 'Price' } });
    // c4: a contact role found by email alone; still open.
    const c4Email = hs.getContact(c4.contactId)!.properties.email!;
    const emailContact = sf.create('Contact', { LastName: 'Email', AccountId: account, Email: c4Email });
    const open = sf.createOpportunity({ Name: 'Initrode — add-on', AccountId: account });
    sf.create('OpportunityContactRole', { OpportunityId: open, ContactId: emailContact });
    // c5: no contact role, but the account's website is c5's email domain.
    const c5Domain = hs.getContact(c5.contactId)!.properties.email!.split('@')[1]!;
    const byDomain = sf.createOpportunity({ Name: 'Domain deal', AccountId: sf.create('Account', { Name: 'Domain Co', Website: `https://www.${c5Domain}/` }), Amount: 7_000 });
    sf.closeOpportunity(byDomain, true);
    // Nobody: listed as unlinked, never dropped.
    const nobody = sf.createOpportunity({ Name: 'Stranger deal', AccountId: sf.create('Account', { Name: 'Nobody', Website: 'nobody-here.example' }) });
    // c6: won, reopened, then lost.
    const reopened = sf.convertLead(c6.leadId, { amount: 9_000 }).opportunityId!;
    sf.closeOpportunity(reopened, true);
    sf.edit('Opportunity', reopened, { StageName: 'Negotiation/Review' });
    sf.closeOpportunity(reopened, false, { fields: { Loss_Reason__c: 'Timing' } });
    later(clock);

    const summary = await syncFeedback(app!.deps);
    expect(summary.org).toMatchObject({ statusHistoryTracked: true, multiCurrency: false, connectorSyncsDeals: false });
    expect(summary.opportunities.reopened).toBe(1);
    expect(summary.opportunities.unlinked).toBeGreaterThanOrEqual(1);
    expect(summary.deadLettered).toBe(0);

    const ledger = await app!.ledger.db.selectFrom('opportunities').selectAll().execute();
    const row = (id: string) => ledger.find((o) => o.opportunity_id === id)!;
    expect(row(won)).toMatchObject({ link_path: 'converted-lead', outcome: 'won' });
    expect(row(lost)).toMatchObject({ link_path: 'contact-role-external-id', outcome: 'lost', loss_reason: 'Price', competitor: 'Initech' });
    expect(row(open)).toMatchObject({ link_path: 'contact-role-email', outcome: 'open' });
    expect(row(byDomain)).toMatchObject({ link_path: 'account-domain', outcome: 'won' });
    expect(row(nobody)).toMatchObject({ link_path: 'unlinked' });
    expect(row(reopened)).toMatchObject({ outcome: 'lost', reopened: true, times_closed: 2, loss_reason: 'Timing' });
    expect((await app!.ledger.unlinkedOpportunities({ limit: 100 })).map((u) => u.opportunityId)).toContain(nobody);
    const links = await app!.ledger.db.selectFrom('opportunity_contacts').select(['opportunity_id', 'hubspot_contact_id']).execute();
    const linkedTo = (id: string) => links.filter((l) => l.opportunity_id === id).map((l) => l.hubspot_contact_id);
    expect(linkedTo(won)).toEqual([c0.contactId]);
    expect(linkedTo(open)).toEqual([c4.contactId]);
    expect(linkedTo(byDomain)).toContain(c5.contactId);

    const statuses = await app!.ledger.db.selectFrom('lead_status_changes').selectAll().execute();
    expect(statuses.find((s) => s.lead_id === c1.leadId && s.status_class === 'accepted')).toMatchObject({ approximated: false });
    expect(statuses.find((s) => s.lead_id === c2.leadId && s.status_class === 'disqualified')).toMatchObject({ reason: 'No budget' });

    // HubSpot: one deal per linked opportunity, in the configured stages, with its contacts and company.
    const deals = dealsByOpportunity();
    expect(deals.has(nobody)).toBe(false);
    expect(deals.get(won)!.properties).toMatchObject({ dealstage: 'closedwon', amount: '50000', pipeline: 'default' });
    expect(deals.get(lost)!.properties).toMatchObject({ dealstage: 'closedlost', closed_lost_reason: 'Price', leadloop_competitor: 'Initech' });
    expect(deals.get(open)!.properties.dealstage).toBe('appointmentscheduled');
    expect(deals.get(reopened)!.properties.dealstage).toBe('closedlost');
    expect(hs.associations('deals', deals.get(won)!.id, 'contacts').map((a) => a.id)).toEqual([c0.contactId]);
    expect(hs.associations('deals', deals.get(won)!.id, 'companies').map((a) => a.id)).toEqual([company.id]);
    // Contacts: outcome and lifecycle, forward only.
    expect(hs.getContact(c0.contactId)!.properties).toMatchObject({ leadloop_outcome: 'won', leadloop_outcome_amount: '50000', lifecyclestage: 'customer' });
    expect(hs.getContact(c1.contactId)!.properties.lifecyclestage).toBe('salesqualifiedlead');
    // Disqualified: back to marketing — the stage moved back (cleared first, as HubSpot requires), the lead status set.
    expect(hs.getContact(c2.contactId)!.properties).toMatchObject({ hs_lead_status: 'UNQUALIFIED', lifecyclestage: 'lead' });
    expect(hs.getContact(c3.contactId)!.properties).toMatchObject({ leadloop_outcome: 'lost', leadloop_loss_reason: 'Price', leadloop_competitor: 'Initech', lifecyclestage: 'opportunity' });

    // A rerun with nothing new reads and writes nothing.
    sandbox!.requestLog.reset();
    const again = await syncFeedback(app!.deps);
    expect(hubspotWrites()).toBe(0);
    expect(again.deals).toMatchObject({ created: 0, updated: 0, archived: 0 });
    expect(again.contactsUpdated).toBe(0);

    // The opportunity reopened once more: its deal moves back to the open stage; deleted: archived.
    later(clock);
    sf.edit('Opportunity', reopened, { StageName: 'Negotiation/Review' });
    const info = sandbox!.connectionInfo();
    const conn = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: '64.0' });
    await conn.sobject('Opportunity').destroy(lost);
    later(clock);
    const third = await syncFeedback(app!.deps);
    expect(third.deals).toMatchObject({ updated: 1, archived: 1, created: 0 });
    expect(dealsByOpportunity().get(reopened)!.properties.dealstage).toBe('appointmentscheduled');
    expect(dealsByOpportunity().get(lost)?.archived ?? true).toBe(true);
    expect((await app!.ledger.db.selectFrom('opportunities').select('deleted_at').where('opportunity_id', '=', lost).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
  });

  it('approximates status changes where Status history is not tracked, and keeps each currency', async () => {
    const { clock, sf, contacts } = await handedOff({ salesforce: { currencies: ['USD', 'EUR'] }, hubspot: { currencies: ['USD', 'EUR'] } });
    const [c0, c1] = first(contacts);
    later(clock);
    sf.edit('Lead', c1.leadId, { Status: 'Working - Contacted' });
    const euro = sf.convertLead(c0.leadId, { amount: 12_000 }).opportunityId!;
    sf.edit('Opportunity', euro, { CurrencyIsoCode: 'EUR' });
    sf.closeOpportunity(euro, true);
    later(clock);
    const summary = await syncFeedback(app!.deps);
    expect(summary.org).toMatchObject({ statusHistoryTracked: false, multiCurrency: true });
    expect(summary.statusChanges.approximated).toBeGreaterThan(0);
    const change = await app!.ledger.db.selectFrom('lead_status_changes').selectAll().where('lead_id', '=', c1.leadId).where('status_class', '=', 'accepted').executeTakeFirstOrThrow();
    expect(change.approximated).toBe(true);
    expect(await app!.ledger.db.selectFrom('opportunities').select(['currency', 'amount']).where('opportunity_id', '=', euro).executeTakeFirstOrThrow()).toEqual({ currency: 'EUR', amount: '12000' });
    expect(dealsByOpportunity().get(euro)!.properties).toMatchObject({ deal_currency_code: 'EUR', amount: '12000' });
    const figures = await app!.ledger.feedbackFigures();
    expect(figures.bySource.some((f) => f.wonAmount.EUR === 12_000)).toBe(true);
  });

  it('reads back only the look-back window on a first run', async () => {
    const { clock, sf, contacts } = await handedOff({ contacts: 200 });
    const c1 = first(contacts)[1];
    // Closed 400 days ago: outside the default 365-day look-back. Closed 300 days ago: inside.
    const start = clock.now();
    clock.set(start - 400 * DAY);
    const old = sf.createOpportunity({ Name: 'Old' });
    sf.closeOpportunity(old, true);
    clock.set(start - 300 * DAY);
    const recent = sf.convertLead(c1.leadId, { amount: 1_000 }).opportunityId!;
    sf.closeOpportunity(recent, true);
    clock.set(start + DAY);
    const summary = await syncFeedback(app!.deps);
    const ids = (await app!.ledger.db.selectFrom('opportunities').select('opportunity_id').execute()).map((o) => o.opportunity_id);
    expect(ids).toContain(recent);
    expect(ids).not.toContain(old);
    expect(new Date(summary.from.opportunities).getTime()).toBe(start + DAY - 365 * DAY);
  });

  it('makes no deals and leaves lifecycle alone beside HubSpot’s own connector, and writes the outcome properties', async () => {
    const { clock, sf, hs, contacts } = await handedOff({ contacts: 200 });
    const [c0] = first(contacts);
    hs.createDeal({ dealname: 'Synced by the connector', pipeline: 'default', dealstage: 'closedwon', hs_salesforceopportunityid: '006000000000001AAA' });
    later(clock);
    const won = sf.convertLead(c0.leadId, { amount: 3_000 }).opportunityId!;
    sf.closeOpportunity(won, true);
    later(clock);
    const before = hs.getContact(c0.contactId)!.properties.lifecyclestage ?? null;
    const summary = await syncFeedback(app!.deps);
    expect(summary.org.connectorSyncsDeals).toBe(true);
    expect(summary.deals.created).toBe(0);
    expect(dealsByOpportunity().has(won)).toBe(false);
    expect(hs.getContact(c0.contactId)!.properties).toMatchObject({ leadloop_outcome: 'won', leadloop_outcome_amount: '3000' });
    expect(hs.getContact(c0.contactId)!.properties.lifecyclestage ?? null).toBe(before);
  });

  it('a dry run lists the writes and makes none; a run that dies after its deals converges on rerun with no deal twice', async () => {
    const { clock, sf, contacts } = await handedOff({ contacts: 200 });
    later(clock);
    const opportunities = contacts.slice(0, 6).map((c, i) => {
      const id = sf.convertLead(c.leadId, { amount: 1_000 * (i + 1) }).opportunityId!;
      sf.closeOpportunity(id, i % 2 === 0);
      return id;
    });
    later(clock);
    const plannedWrites: PlannedWrite[] = [];
    sandbox!.requestLog.reset();
    await syncFeedback({ ...app!.deps, plannedWrites });
    expect(hubspotWrites()).toBe(0);
    expect(
      plannedWrites
        .filter((w) => w.operation === 'deal-create')
        .map((w) => w.key)
        .sort(),
    ).toEqual([...opportunities].sort());
    expect(await app!.ledger.db.selectFrom('opportunities').select('opportunity_id').execute()).toEqual([]);

    // The deals are written, then the run dies before it stores their fingerprints (the answer lost).
    const dying: SyncDeps = {
      ...app!.deps,
      outcomes: Object.assign(Object.create(Object.getPrototypeOf(app!.ledger)), app!.ledger, {
        setDealFingerprints: async () => {
          throw new Error('killed');
        },
      }),
    };
    const ours = () => sandbox!.hubspot.deals().filter((d) => opportunities.includes(d.properties[OPPORTUNITY_ID_PROPERTY] ?? ''));
    await expect(syncFeedback(dying)).rejects.toThrow('killed');
    expect(ours()).toHaveLength(6);
    const dealsBefore = sandbox!.hubspot.deals().length;
    const rerun = await syncFeedback(app!.deps);
    expect(rerun.deals.created).toBe(0);
    expect(rerun.deals.updated).toBe(dealsBefore);
    expect(ours()).toHaveLength(6);
    expect(sandbox!.hubspot.deals()).toHaveLength(dealsBefore);
    sandbox!.requestLog.reset();
    await syncFeedback(app!.deps);
    expect(hubspotWrites()).toBe(0);
  });
});
