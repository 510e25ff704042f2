import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { purgeContactData } from './purgeContact.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

const scan = (n: number) => ({
  email: `visitor${n}@fabrikam-bank.example`,
  firstname: 'Mara',
  lastname: `Visitor ${n}`,
  jobtitle: 'Chief Data Officer',
  company: 'Fabrikam Bank',
  country: 'Sweden',
  numemployees: '1000+',
  industry: 'BANKING',
  lead_source: 'trade_show',
  lead_source_detail: 'Bank Summit',
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
});

describe('a privacy deletion', () => {
  it('erases the lead and the tasks leadloop created, finds a lead the ledger does not know yet, and dead-letters (by id only) what Salesforce refuses', async () => {
    sandbox = await startSandbox({ contacts: 0, seed: 4 });
    app = await sandboxApp(sandbox, { label: 'privacy' });
    const [a, b, c] = [sandbox.hubspot.createContact(scan(1)), sandbox.hubspot.createContact(scan(2)), sandbox.hubspot.createContact(scan(3))];
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const leadOf = (id: string) => sandbox!.salesforce.records('Lead').find((l) => l.HubSpot_Contact_Id__c === id);
    const [leadA, leadB, leadC] = [leadOf(a.id)!, leadOf(b.id)!, leadOf(c.id)!];
    expect(sandbox.salesforce.records('Task').filter((t) => t.WhoId === leadA.Id).length).toBeGreaterThan(0);

    // A: as usual. B: its hand-off row never reached the ledger (the write landed late): found by our external ID.
    await app.ledger.db.deleteFrom('handoffs').where('hubspot_contact_id', '=', b.id).execute();
    const purgedA = await purgeContactData(app.deps, a.id);
    const purgedB = await purgeContactData(app.deps, b.id);
    expect(purgedA.leads).toEqual({ mode: 'anonymise', erased: 1, refused: 0 });
    expect(purgedB.leads).toEqual({ mode: 'anonymise', erased: 1, refused: 0 });
    for (const lead of [leadA, leadB]) {
      expect(sandbox.salesforce.records('Lead').find((l) => l.Id === lead.Id)).toMatchObject({ LastName: '[erased]', Email: null, HubSpot_Contact_Id__c: null });
      const tasks = sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead.Id);
      expect(tasks.length).toBeGreaterThan(0);
      for (const t of tasks) expect(t).toMatchObject({ Subject: '[erased]', Description: null });
    }

    // C: sales converted the lead meanwhile; Salesforce refuses to edit it. A person must erase it: a dead letter says so, by id only.
    sandbox.salesforce.convertLead(String(leadC.Id));
    const purgedC = await purgeContactData(app.deps, c.id);
    expect(purgedC.leads.refused).toBe(1);
    const [entry] = await app.deadLetters.list({ system: 'leadloop' });
    expect(entry).toMatchObject({ operation: 'privacy-erase', recordKey: `salesforce-${leadC.Id}` });
    expect(entry!.reason).toContain('CANNOT_UPDATE_CONVERTED_LEAD');
    expect(JSON.stringify(entry)).not.toContain(c.id);
    expect(JSON.stringify(entry)).not.toContain('visitor3');
    // The ledger forgot all three.
    expect(await app.ledger.db.selectFrom('decisions').selectAll().where('hubspot_contact_id', 'in', [a.id, b.id, c.id]).execute()).toEqual([]);
  });
});
