import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../domain/handoff/types.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { LedgerPort } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

const boothScan = {
  email: 'mara.lindqvist@fabrikam-bank.example',
  firstname: 'Mara',
  lastname: 'Lindqvist',
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
};

describe('two runs routing the same contact at once (a scheduled sync and a webhook hand-off)', () => {
  it('only the decision stored first stands: the other run takes it — one owner, load and rotation counted once, tasks once', async () => {
    sandbox = await startSandbox({ contacts: 0, seed: 3 });
    app = await sandboxApp(sandbox, { label: 'race' });
    const contact = sandbox.hubspot.createContact(boothScan);
    const rival = sandbox.salesforce.records('User').find((u) => u.Email === 'chloe.martin@copperleaf.example')!;
    // The other run stores its decision for the contact just before this one's insert reaches the ledger.
    const ledger = app.deps.ledger;
    let raced = false;
    const racing: LedgerPort = Object.assign(Object.create(Object.getPrototypeOf(ledger)) as LedgerPort, ledger, {
      recordDecisions: async (records: readonly DecisionRecord[], context: { decidedAt: number; configVersion: string }) => {
        if (!raced) {
          raced = true;
          const theirs = records.map((r) => ({ ...r, ownerId: String(rival.Id), ownerEmail: 'chloe.martin@copperleaf.example', rotation: null, notify: [] }));
          expect(await ledger.recordDecisions(theirs, context)).toEqual(new Set([contact.id]));
        }
        return ledger.recordDecisions(records, context);
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    const before = await app.deps.routing.load(day);
    const run = await syncLeads({ ...app.deps, ledger: racing }, { indexingLagMs: 0 });
    expect(raced).toBe(true);
    expect(run.created).toBe(1);
    const [lead] = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contact.id);
    // The stored decision's owner, not the one this run routed to.
    expect(lead?.OwnerId).toBe(rival.Id);
    const tasks = sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead?.Id);
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(t.OwnerId).toBe(rival.Id);
    // This run counted nothing for the decision it lost: no load, no rotation.
    expect(await app.deps.routing.load(day)).toEqual(before);
  });
});
