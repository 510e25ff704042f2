import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { DeadLetterList } from '../queue/dead-letter.ts';
import { testConnection } from '../queue/test-redis.ts';
import { ErasedContacts } from '../store/erased-contacts.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import type { Ledger } from '../store/ledger.ts';
import { sandboxSyncDeps, shippedConfig, testStores } from '../../test/support/pipeline.ts';
import { SyncState } from '../store/sync-state.ts';
import { syncLeads } from './syncLeads.ts';
import type { PlannedWrite, SyncDeps } from './ports.ts';

let sandbox: Sandbox;
let redis: Redis;
let prefix: string;
let ledger: Ledger;
let config: LeadloopConfig;
let version: string;

let stores: Awaited<ReturnType<typeof testStores>>;

beforeEach(async () => {
  ({ config, version } = await shippedConfig());
  redis = testConnection();
  stores = await testStores('sync', redis);
  ({ prefix, ledger } = stores);
});
afterEach(async () => {
  await sandbox?.close();
  await stores.close();
  redis.disconnect();
});

async function deps(contacts: number, faults?: NonNullable<Parameters<typeof startSandbox>[0]>['faults']): Promise<SyncDeps> {
  sandbox = await startSandbox({ contacts, seed: 21, ...(faults ? { faults } : {}) });
  return sandboxSyncDeps(sandbox, { redis, prefix, ledger, config, version });
}

const leadsByContact = () => new Map(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).map((l) => [String(l.HubSpot_Contact_Id__c), l]));

describe('syncLeads against the sandbox', () => {
  it('pushes the hand-offs, writes back, and a second run changes nothing and spends only the pull', async () => {
    const d = await deps(600);
    const first = await syncLeads(d, { indexingLagMs: 0 });
    expect(first.pulled).toBe(600);
    expect(first.qualified).toBeGreaterThan(50);
    expect(first.created + first.adopted + first.existingContacts + first.convertedSkipped + first.deadLettered).toBe(first.qualified);
    const leads = leadsByContact();
    expect(leads.size).toBe(first.created + first.adopted);
    // Our owners stand: the org's assignment rule (to the Inbound queue) did not override them.
    const handoffs = await ledger.db.selectFrom('handoffs').selectAll().where('outcome', '=', 'created').execute();
    for (const h of handoffs) expect(leads.get(h.hubspot_contact_id)?.OwnerId).toBe(h.owner_id);
    // Score, grade, owner and Salesforce id are back in HubSpot.
    const sample = handoffs[0]!;
    expect(sandbox.hubspot.getContact(sample.hubspot_contact_id)!.properties).toMatchObject({ leadloop_salesforce_id: sample.salesforce_id, leadloop_grade: sample.grade });
    expect(first.tasks).toBeGreaterThan(0);

    sandbox.requestLog.reset();
    const second = await syncLeads(d, { indexingLagMs: 0 });
    expect(second.scored).toBe(0);
    expect(second.writtenBack).toBe(0);
    const counts = sandbox.requestLog.snapshot();
    expect(Object.keys(counts.hubspot)).toEqual(['contacts.search']);
    expect(counts.salesforce).toEqual({});
    expect(sandbox.requestLog.statuses('hubspot')[429]).toBeUndefined();
  });

  it('a dry run reads and plans every write, writes nothing, and the real run then makes exactly those writes', async () => {
    const d = await deps(300);
    const planned: import('./ports.ts').PlannedWrite[] = [];
    sandbox.requestLog.reset();
    await syncLeads({ ...d, plannedWrites: planned }, { indexingLagMs: 0 });
    const calls = sandbox.requestLog.snapshot();
    // No cursor yet: the first run is a backfill (the list endpoint, and one search for the count).
    expect(Object.keys(calls.hubspot).sort()).toEqual(['contacts.list', 'contacts.search']);
    // Salesforce is only read: queries, alone or several in one composite call.
    expect(Object.keys(calls.salesforce).every((endpoint) => endpoint === 'query' || endpoint === 'composite')).toBe(true);
    expect(leadsByContact().size).toBe(0);
    expect(await ledger.db.selectFrom('decisions').selectAll().execute()).toHaveLength(0);
    expect(await d.state.cursor()).toBeUndefined();
    const plannedCreates = planned.filter((w) => w.operation === 'lead-create');
    expect(plannedCreates.length).toBeGreaterThan(0);
    expect(planned.filter((w) => w.operation === 'contact-writeback')).toHaveLength(300);

    const real = await syncLeads(d, { indexingLagMs: 0 });
    expect(real.created).toBe(plannedCreates.length);
    expect(new Set(leadsByContact().keys())).toEqual(new Set([...plannedCreates.map((w) => w.key), ...planned.filter((w) => w.operation === 'lead-adopt').map((w) => String(w.fields?.HubSpot_Contact_Id__c))]));
  });

  it('rides out injected 5xx and 429s: cycles retried as the queue does end in the same state as a clean run', async () => {
    const clean = await deps(300);
    await syncLeads(clean, { indexingLagMs: 0 });
    const cleanLeads = new Map([...leadsByContact()].map(([id, l]) => [id, { owner: l.OwnerId, grade: l.Lead_Grade__c }]));
    const cleanTasks = sandbox.salesforce.records('Task').length;
    await sandbox.close();
    await stores.close();
    stores = await testStores('sync', redis);
    ({ prefix, ledger } = stores);

    // Seeded faults: rates high enough that this cycle's few calls (hand-offs go in full batches) meet some.
    const faulty = await deps(300, { hubspot: { rate5xx: 0.08, rate429: 0.05 }, salesforce: { rate5xx: 0.22 } });
    const failures: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        await syncLeads({ ...faulty, ledger: ledger.db }, { indexingLagMs: 0 });
        break;
      } catch (error) {
        failures.push((error as Error).name);
      }
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((name) => ['HubSpotUnavailable', 'HubSpotRateLimited', 'SalesforceUnavailable', 'SalesforceConcurrencyLimit'].includes(name))).toBe(true);
    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(new Map(leads.map((l) => [String(l.HubSpot_Contact_Id__c), { owner: l.OwnerId, grade: l.Lead_Grade__c }]))).toEqual(cleanLeads);
    const keys = sandbox.salesforce.records('Task').map((t) => t.Leadloop_Key__c);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(cleanTasks);
  });

  it('keeps an owner sales changed in Salesforce when the contact changes in HubSpot', async () => {
    const d = await deps(300);
    await syncLeads(d, { indexingLagMs: 0 });
    const [contactId, lead] = [...leadsByContact()][0]!;
    const rachel = sandbox.salesforce.records('User').find((u) => u.Email === 'rachel.stone@copperleaf.example')!.Id;
    sandbox.salesforce.update('Lead', lead.Id as string, { OwnerId: rachel, Status: 'Working - Contacted' });
    sandbox.hubspot.updateContact(contactId, { jobtitle: 'Chief Analytics Officer' });
    const run = await syncLeads(d, { indexingLagMs: 0 });
    expect(run.updated).toBe(1);
    const after = leadsByContact().get(contactId)!;
    expect(after).toMatchObject({ OwnerId: rachel, Status: 'Working - Contacted', Title: 'Chief Analytics Officer' });
  });

  it('converges after a crash between the Salesforce write and the cursor: no duplicate leads or tasks', async () => {
    const d = await deps(300);
    const crashing: SyncDeps = { ...d, state: Object.assign(Object.create(Object.getPrototypeOf(d.state)), d.state) };
    let saves = 0;
    const state = d.state;
    crashing.state = new Proxy(state, {
      get(target, key, receiver) {
        if (key === 'saveCursor') return async () => { saves += 1; throw new Error('crash before the cursor moved'); };
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(syncLeads(crashing, { indexingLagMs: 0 })).rejects.toThrow('crash before the cursor moved');
    expect(saves).toBe(1);
    const leadsAfterCrash = leadsByContact().size;
    const tasksAfterCrash = sandbox.salesforce.records('Task').length;
    await syncLeads(d, { indexingLagMs: 0 });
    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBeGreaterThanOrEqual(leadsAfterCrash);
    const keys = sandbox.salesforce.records('Task').map((t) => t.Leadloop_Key__c);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(tasksAfterCrash);
  });

  it('handles the org\'s duplicate rule as mapping.yaml says: respected (dead-lettered with the reason) or saved anyway', async () => {
    const scan = (n: number) => ({ email: 'shared.inbox@fabrikam-bank.example', firstname: 'Sam', lastname: `Scan ${n}`, company: 'Fabrikam Bank', jobtitle: 'VP of Data', numemployees: '1000+', industry: 'BANKING', lead_source: 'trade_show', lead_source_detail: 'Bank Summit', bant_budget: 'approved', bant_authority: 'decision_maker', bant_need: 'urgent', bant_timeline: 'within_3_months' });
    const d = await deps(0);
    const [a, b] = [sandbox.hubspot.createContact(scan(1)), sandbox.hubspot.createContact(scan(2))];
    const respected = await syncLeads(d, { indexingLagMs: 0 });
    expect(respected.created).toBe(1);
    expect(respected.deadLettered).toBe(1);
    const [entry] = await new DeadLetterList(redis, prefix).list();
    expect([a!.id, b!.id]).toContain(entry!.recordKey);
    expect(entry!.reason).toMatch(/^DUPLICATES_DETECTED/);

    // Saved anyway: the refused contact gets its own Lead on the next cycle (its fingerprint was kept back).
    const allowSave = { ...d, config: { ...d.config, mapping: { ...d.config.mapping, duplicate_rules: 'allow_save' as const } } };
    sandbox.hubspot.updateContact(entry!.recordKey, { jobtitle: 'Chief Data Officer' });
    await syncLeads(allowSave, { indexingLagMs: 0 });
    expect(new Set(leadsByContact().keys())).toEqual(new Set([a!.id, b!.id]));
  });

  it('writes nothing anywhere for a contact erased by a privacy deletion after it was read', async () => {
    const d = await deps(300);
    // HubSpot still answers with the contact (read before the erasure reached it): the mark is checked before each write.
    const planned: PlannedWrite[] = [];
    await syncLeads({ ...d, plannedWrites: planned }, { indexingLagMs: 0 });
    const erasedId = planned.find((w) => w.operation === 'lead-create')!.key;
    const erasures = new ErasedContacts(redis, prefix);
    await erasures.mark([erasedId]);
    const real = await syncLeads({ ...d, erasures }, { indexingLagMs: 0 });
    expect(real.created).toBeGreaterThan(0);
    expect(leadsByContact().has(erasedId)).toBe(false);
    expect(sandbox.hubspot.getContact(erasedId)!.properties.leadloop_score ?? '').toBe('');
  });
});
