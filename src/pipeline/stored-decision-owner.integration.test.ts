import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { SyncDeps } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

const opened: { sandbox: Sandbox; app: SandboxApp }[] = [];
afterEach(async () => {
  for (const { sandbox, app } of opened.splice(0)) {
    await app.close();
    await sandbox.close();
  }
});

async function open(label: string) {
  const sandbox = await startSandbox({ contacts: 400, seed: 29 });
  const app = await sandboxApp(sandbox, { label });
  opened.push({ sandbox, app });
  return { sandbox, app };
}

/** The owner each contact's write-back names, by contact id. */
function ownersWrittenBack(sandbox: Sandbox): Map<string, string> {
  const owners = new Map<string, string>();
  for (let id = 1001; id <= 1400; id++) {
    const owner = sandbox.hubspot.getContact(String(id))?.properties.leadloop_owner;
    if (owner) owners.set(String(id), owner);
  }
  return owners;
}

describe('a routing decision reused from the ledger', () => {
  // Found by the chaos suite (chaos/kill.chaos.ts): after a kill -9 between storing the decisions
  // and writing the leads, the rerun wrote "lukas.meyer@copperleaf.example" and "queue
  // Inbound_Lead_Queue" back where a clean run writes "Lukas Meyer" and "queue inbound".
  it('writes the owner back to HubSpot as the fresh decision names it (the person, the queue of routing.yaml)', async () => {
    const clean = await open('owner-clean');
    await syncLeads(clean.app.deps, { indexingLagMs: 0 });
    const expected = ownersWrittenBack(clean.sandbox);
    expect([...expected.values()]).toContain('queue inbound');

    // A run that stops after its decisions are stored, before anything reaches Salesforce (a crash, a lost lease) ...
    const crashed = await open('owner-crash');
    const stopping: SyncDeps = {
      ...crashed.app.deps,
      leads: new Proxy(crashed.app.deps.leads, {
        get(target, key) {
          if (key === 'findPeople') return async () => Promise.reject(new Error('crash after the decisions were stored'));
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    await expect(syncLeads(stopping, { indexingLagMs: 0 })).rejects.toThrow('crash after the decisions were stored');
    expect((await crashed.app.ledger.db.selectFrom('decisions').select('hubspot_contact_id').execute()).length).toBeGreaterThan(0);
    // ... and the rerun, which reuses those decisions, names every owner as the clean run does.
    await syncLeads(crashed.app.deps, { indexingLagMs: 0 });
    expect(ownersWrittenBack(crashed.sandbox)).toEqual(expected);
  });
});
