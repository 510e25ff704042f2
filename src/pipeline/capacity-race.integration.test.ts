import { afterEach, describe, expect, it } from 'vitest';
import { propertiesToPull } from '../domain/inputs.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { handleContacts, runContext } from './handleContacts.ts';
import { emptySummary, type RoutingStatePort, type SyncDeps } from './ports.ts';
import { dayOf } from './routeContacts.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

const MARCO = 'marco.bellini@copperleaf.example'; // routing.yaml: enterprise EMEA, daily_capacity 20
const scan = (i: number) => ({
  email: `scan${i}@northwind-logistics.example`,
  firstname: 'Ana',
  lastname: `Scan ${i}`,
  company: 'Northwind Logistics',
  jobtitle: 'VP of Data',
  country: 'Germany',
  numemployees: '1000+',
  lead_source: 'trade_show',
  lead_source_detail: 'Chaos Summit 2026',
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
});

/** The shared routing state, with its first `parties` loads held until all of them have read (or a second has passed). */
function meetingAtLoad(shared: RoutingStatePort, parties: number): RoutingStatePort {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, 1_000);
  return {
    async load(day, options) {
      const state = await shared.load(day, options);
      if (arrived < parties && ++arrived === parties) {
        clearTimeout(timer);
        open();
      }
      await gate;
      return state;
    },
    apply: (day, changes) => shared.apply(day, changes),
    exclusively: (work) => shared.exclusively(work),
  };
}

describe('two runs routing different contacts to the same rep at once (a webhook hand-off beside the sync, two hand-off jobs)', () => {
  it("never give the rep more than the daily capacity: the second routes with the first one's lead counted", async () => {
    sandbox = await startSandbox({ contacts: 0, seed: 5 });
    app = await sandboxApp(sandbox, { label: 'capacity-race' });
    const now = Date.now();
    const day = dayOf(now);
    // Marco has 19 leads today: room for one more.
    await app.deps.routing.apply(
      day,
      Array.from({ length: 19 }, () => ({ rotation: null, ownerEmail: MARCO })),
    );
    const [a, b] = [sandbox.hubspot.createContact(scan(1)), sandbox.hubspot.createContact(scan(2))];
    const { contacts } = await app.deps.contacts.read([a.id, b.id], propertiesToPull(app.deps.config));
    const routing = meetingAtLoad(app.deps.routing, 2);
    const deps: SyncDeps = { ...app.deps, routing };
    await Promise.all(contacts.map((c) => handleContacts(deps, [c], runContext(deps, emptySummary()))));

    const marco = sandbox.salesforce.records('User').find((u) => u.Email === MARCO)!;
    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === a.id || l.HubSpot_Contact_Id__c === b.id);
    expect(leads).toHaveLength(2);
    expect(leads.filter((l) => l.OwnerId === marco.Id)).toHaveLength(1);
    expect((await app.deps.routing.load(day)).loadToday[MARCO]).toBe(20);
  });
});
