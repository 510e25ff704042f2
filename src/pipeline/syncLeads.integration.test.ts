import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { syncLeads } from './syncLeads.ts';
import type { PlannedWrite, SyncDeps } from './ports.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

async function deps(contacts: number, faults?: NonNullable<Parameters<typeof startSandbox>[0]>['faults']): Promise<SyncDeps> {
  sandbox = await startSandbox({ contacts, seed: 21, ...(faults ? { faults } : {}) });
  app = await sandboxApp(sandbox, { label: 'sync' });
  return app.deps;
}

const db = () => app!.ledger.db;

const leadsByContact = () =>
  new Map(
    sandbox!.salesforce
      .records('Lead')
      .filter((l) => l.HubSpot_Contact_Id__c)
      .map((l) => [String(l.HubSpot_Contact_Id__c), l]),
  );

describe('syncLeads against the sandbox', () => {
  it('pushes the hand-offs, writes back, and a second run changes nothing and spends only the pull', async () => {
    const d = await deps(600);
    const first = await syncLeads(d, { indexingLagMs: 0 });
    expect(first.pulled).toBe(600);
    // A first install: the contacts that qualified in the last 30 days are handed off, the rest held back.
    expect(first.qualified).toBeGreaterThan(30);
    expect(first.qualifiedBeforeInstall).toBeGreaterThan(0);
    expect(first.created + first.adopted + first.existingContacts + first.convertedSkipped + first.deadLettered).toBe(first.qualified);
    const leads = leadsByContact();
    expect(leads.size).toBe(first.created + first.adopted);
    // Our owners stand: the org's assignment rule (to the Inbound queue) did not override them.
    const handoffs = await db().selectFrom('handoffs').selectAll().where('outcome', '=', 'created').execute();
    for (const h of handoffs) expect(leads.get(h.hubspot_contact_id)?.OwnerId).toBe(h.owner_id);
    // Score, grade, owner and Salesforce id are back in HubSpot.
    const sample = handoffs[0]!;
    expect(sandbox!.hubspot.getContact(sample.hubspot_contact_id)!.properties).toMatchObject({ leadloop_salesforce_id: sample.salesforce_id, leadloop_grade: sample.grade });
    expect(first.tasks).toBeGreaterThan(0);

    sandbox!.requestLog.reset();
    const second = await syncLeads(d, { indexingLagMs: 0 });
    expect(second.scored).toBe(0);
    expect(second.writtenBack).toBe(0);
    const counts = sandbox!.requestLog.snapshot();
    expect(Object.keys(counts.hubspot)).toEqual(['contacts.search']);
    expect(counts.salesforce).toEqual({});
    expect(sandbox!.requestLog.statuses('hubspot')[429]).toBeUndefined();
  });

  it('a dry run plans every write and makes none; the real run then makes exactly the planned writes', async () => {
    // A frozen clock and no other writer: routing (working hours, loads) and due dates are the same in both runs.
    const frozen = Date.parse('2026-11-24T15:00:00Z');
    sandbox = await startSandbox({ contacts: 300, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'dryrun', now: () => frozen });
    const d = app.deps;
    const contactsBefore = new Map(sandbox.hubspot.store.all().map((c) => [c.id, { ...c.properties }]));
    const tasksBefore = new Set(sandbox.salesforce.records('Task').map((t) => t.Id));
    const planned: PlannedWrite[] = [];
    sandbox.requestLog.reset();
    await syncLeads({ ...d, plannedWrites: planned }, { indexingLagMs: 0 });
    const calls = sandbox.requestLog.snapshot();
    // No cursor yet: the first run is a backfill (the list endpoint, and one search for the count).
    expect(Object.keys(calls.hubspot).sort()).toEqual(['contacts.list', 'contacts.search']);
    // Salesforce is only read: queries, alone or several in one composite call.
    expect(Object.keys(calls.salesforce).every((endpoint) => endpoint === 'query' || endpoint === 'composite')).toBe(true);
    expect(leadsByContact().size).toBe(0);
    expect(sandbox.salesforce.records('Task').length).toBe(tasksBefore.size);
    expect(await db().selectFrom('decisions').selectAll().execute()).toHaveLength(0);
    expect(await d.state.cursor()).toBeUndefined();
    const of = (op: PlannedWrite['operation']) => planned.filter((w) => w.operation === op);
    expect(of('lead-create').length).toBeGreaterThan(10);
    expect(of('task-create').length).toBeGreaterThan(10);
    expect(of('contact-writeback')).toHaveLength(300);

    const real = await syncLeads(d, { indexingLagMs: 0 });
    expect(real.deadLettered).toBe(0);
    // Leads: exactly the planned creates and adoptions, each with exactly the planned fields.
    const leads = leadsByContact();
    expect(new Set(leads.keys())).toEqual(new Set([...of('lead-create').map((w) => w.key), ...of('lead-adopt').map((w) => String(w.fields?.HubSpot_Contact_Id__c))]));
    for (const w of [...of('lead-create'), ...of('lead-update')]) expect(leads.get(w.key)).toMatchObject(w.fields!);
    for (const w of of('lead-adopt')) expect(sandbox.salesforce.records('Lead').find((l) => l.Id === w.key)).toMatchObject(w.fields!);
    // Tasks: exactly the planned keys, with the planned subject, priority, due date, owner, on the contact's record.
    const tasks = new Map(
      sandbox.salesforce
        .records('Task')
        .filter((t) => !tasksBefore.has(t.Id))
        .map((t) => [String(t.Leadloop_Key__c), t]),
    );
    expect(new Set(tasks.keys())).toEqual(new Set(of('task-create').map((w) => w.key)));
    for (const w of of('task-create')) {
      const { WhoId, ...fields } = w.fields!;
      const task = tasks.get(w.key)!;
      expect(task).toMatchObject(fields);
      const contactId = w.key.split(':')[0]!;
      const record = String(WhoId);
      expect(task.WhoId).toBe(record.startsWith('the lead of contact') ? leads.get(contactId)!.Id : record.split(' ')[1]);
    }
    // HubSpot: exactly the planned properties on exactly the planned contacts (a new lead's id resolved).
    const writes = new Map(of('contact-writeback').map((w) => [w.key, w.fields as Record<string, string>]));
    for (const [id, before] of contactsBefore) {
      const after = sandbox.hubspot.getContact(id)!.properties;
      const expected = { ...before, ...Object.fromEntries(Object.entries(writes.get(id) ?? {}).map(([k, v]) => [k, v === '<id of the new lead>' ? String(leads.get(id)?.Id) : v])) };
      for (const [property, value] of Object.entries(expected))
        if (property !== 'lastmodifieddate' && property !== 'hs_lastmodifieddate') expect(after[property] ?? null, `${id}.${property}`).toBe(value ?? null);
    }
    // The ledger keeps the planned scores.
    const scores = new Map((await db().selectFrom('contact_scores').selectAll().execute()).map((r) => [r.hubspot_contact_id, r]));
    expect(scores.size).toBe(of('score-record').length);
    for (const w of of('score-record')) expect(scores.get(w.key)).toMatchObject({ score: w.fields!.score, grade: w.fields!.grade, mql: w.fields!.mql });
  });

  it('rides out injected 5xx and 429s: cycles retried as the queue does end in the same state as a clean run', async () => {
    const clean = await deps(300);
    await syncLeads(clean, { indexingLagMs: 0 });
    const cleanLeads = new Map([...leadsByContact()].map(([id, l]) => [id, { owner: l.OwnerId, grade: l.Lead_Grade__c }]));
    const cleanTasks = sandbox!.salesforce.records('Task').length;
    await app!.close();
    await sandbox!.close();

    // Seeded faults: rates high enough that this cycle's few calls (hand-offs go in full batches) meet some.
    const faulty = await deps(300, { hubspot: { rate5xx: 0.08, rate429: 0.05 }, salesforce: { rate5xx: 0.22 } });
    const failures: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        await syncLeads(faulty, { indexingLagMs: 0 });
        break;
      } catch (error) {
        failures.push((error as Error).name);
      }
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((name) => ['Unavailable', 'RateLimited', 'ConcurrencyLimit'].includes(name))).toBe(true);
    const leads = sandbox!.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(new Map(leads.map((l) => [String(l.HubSpot_Contact_Id__c), { owner: l.OwnerId, grade: l.Lead_Grade__c }]))).toEqual(cleanLeads);
    const keys = sandbox!.salesforce.records('Task').map((t) => t.Leadloop_Key__c);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(cleanTasks);
  });

  it('keeps an owner sales changed in Salesforce when the contact changes in HubSpot', async () => {
    const d = await deps(300);
    await syncLeads(d, { indexingLagMs: 0 });
    const [contactId, lead] = [...leadsByContact()][0]!;
    const rachel = sandbox!.salesforce.records('User').find((u) => u.Email === 'rachel.stone@copperleaf.example')!.Id;
    sandbox!.salesforce.update('Lead', lead.Id as string, { OwnerId: rachel, Status: 'Working - Contacted' });
    sandbox!.hubspot.updateContact(contactId, { jobtitle: 'Chief Analytics Officer' });
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
        if (key === 'saveCursor')
          return async () => {
            saves += 1;
            throw new Error('crash before the cursor moved');
          };
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(syncLeads(crashing, { indexingLagMs: 0 })).rejects.toThrow('crash before the cursor moved');
    expect(saves).toBe(1);
    const leadsAfterCrash = leadsByContact().size;
    const tasksAfterCrash = sandbox!.salesforce.records('Task').length;
    await syncLeads(d, { indexingLagMs: 0 });
    const leads = sandbox!.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBeGreaterThanOrEqual(leadsAfterCrash);
    const keys = sandbox!.salesforce.records('Task').map((t) => t.Leadloop_Key__c);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(tasksAfterCrash);
  });

  it("handles the org's duplicate rule as mapping.yaml says: respected (dead-lettered with the reason) or saved anyway", async () => {
    const scan = (n: number) => ({
      email: 'shared.inbox@fabrikam-bank.example',
      firstname: 'Sam',
      lastname: `Scan ${n}`,
      company: 'Fabrikam Bank',
      jobtitle: 'VP of Data',
      numemployees: '1000+',
      industry: 'BANKING',
      lead_source: 'trade_show',
      lead_source_detail: 'Bank Summit',
      bant_budget: 'approved',
      bant_authority: 'decision_maker',
      bant_need: 'urgent',
      bant_timeline: 'within_3_months',
    });
    const d = await deps(0);
    const [a, b] = [sandbox!.hubspot.createContact(scan(1)), sandbox!.hubspot.createContact(scan(2))];
    const respected = await syncLeads(d, { indexingLagMs: 0 });
    expect(respected.created).toBe(1);
    expect(respected.deadLettered).toBe(1);
    const [entry] = await app!.deadLetters.list();
    expect([a!.id, b!.id]).toContain(entry!.recordKey);
    expect(entry!.reason).toMatch(/^DUPLICATES_DETECTED/);

    // Saved anyway: the refused contact gets its own Lead on the next cycle (its fingerprint was kept back).
    const allowSave = { ...d, config: { ...d.config, mapping: { ...d.config.mapping, duplicate_rules: 'allow_save' as const } } };
    sandbox!.hubspot.updateContact(entry!.recordKey, { jobtitle: 'Chief Data Officer' });
    await syncLeads(allowSave, { indexingLagMs: 0 });
    expect(new Set(leadsByContact().keys())).toEqual(new Set([a!.id, b!.id]));
  });

  it('writes nothing anywhere for a contact erased by a privacy deletion after it was read', async () => {
    const d = await deps(300);
    // HubSpot still answers with the contact (read before the erasure reached it): the mark is checked before each write.
    const planned: PlannedWrite[] = [];
    await syncLeads({ ...d, plannedWrites: planned }, { indexingLagMs: 0 });
    const erasedId = planned.find((w) => w.operation === 'lead-create')!.key;
    await app!.erasures.mark([erasedId]);
    const real = await syncLeads(d, { indexingLagMs: 0 });
    expect(real.created).toBeGreaterThan(0);
    expect(leadsByContact().has(erasedId)).toBe(false);
    expect(sandbox!.hubspot.getContact(erasedId)!.properties.leadloop_score ?? '').toBe('');
  });
});
