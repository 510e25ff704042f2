import { afterEach, describe, expect, it } from 'vitest';
import type { ContactCursor } from '../domain/contact.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { HAND_OFF_ALL_HISTORY, shippedConfigCopy } from '../../test/support/config.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { SyncDeps } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  await sandbox?.close();
});

/** Deps with a search cursor already set, so the cycle is the incremental (search) pull, not the backfill. */
async function deps(contacts: number): Promise<SyncDeps> {
  sandbox = await startSandbox({ contacts, seed: 23 });
  // Many hand-offs per page: the seeded history is handed off whole (no gentle first install).
  app = await sandboxApp(sandbox, { label: 'batcher', configDir: shippedConfigCopy(HAND_OFF_ALL_HISTORY) });
  await app.deps.state.saveCursor({ at: 0, idsAtBoundary: [] });
  return app.deps;
}

/** Whether the cursor has passed a contact last modified at `at`: the next cycle would not read it again. */
function passed(cursor: ContactCursor | undefined, id: string, at: number): boolean {
  if (!cursor) return false;
  return at < cursor.at || (at === cursor.at && (cursor.pastBoundary === true || cursor.idsAtBoundary.includes(id)));
}

describe('incremental sync in batches of hand-offs', () => {
  it('writes the hand-offs of several pages in one Salesforce batch, with the same end state', async () => {
    const d = await deps(1_000);
    sandbox.requestLog.reset();
    const run = await syncLeads(d, { indexingLagMs: 0 });
    expect(run.pulled).toBe(1_000);
    expect(run.pages).toBeGreaterThanOrEqual(5);
    expect(run.qualified).toBeGreaterThan(100);
    const sf = sandbox.requestLog.snapshot().salesforce;
    const salesforceCalls = Object.values(sf).reduce((a, b) => a + b, 0);
    // Users, queues and accounts once; then per page, every page with hand-offs would cost its own
    // reads, upsert and tasks (3 calls): gathered, a batch of up to 200 hand-offs shares them.
    expect(salesforceCalls).toBeLessThan(3 + 3 * run.pages);
    expect(salesforceCalls).toBeLessThanOrEqual(3 + 3 * Math.ceil(run.qualified / 100));
    expect(sandbox.requestLog.snapshot().hubspot['contacts.batch.update']).toBeLessThanOrEqual(Math.ceil(run.writtenBack / 100) + 1);

    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBe(run.created + run.adopted);
    expect(run.created + run.adopted + run.existingContacts + run.convertedSkipped + run.deadLettered).toBe(run.qualified);
    expect(run.writtenBack).toBe(1_000);
    // Everything written: the cursor is past every contact, and the next cycle finds nothing to do.
    sandbox.requestLog.reset();
    const again = await syncLeads(d, { indexingLagMs: 0 });
    expect(again.scored).toBe(0);
    expect(sandbox.requestLog.snapshot().salesforce).toEqual({});
  });

  it('never moves the cursor past a contact whose batch was not written, and a rerun converges without duplicates', async () => {
    const d = await deps(2_000);
    // Before our write-back moves them: when each contact was last modified as the pull saw it.
    const modifiedAt = new Map(Array.from({ length: 2_000 }, (_, i) => sandbox.hubspot.getContact(String(1001 + i))!).map((c) => [c.id, Date.parse(String(c.properties.lastmodifieddate))]));
    let flushes = 0;
    let unwritten: string[] = [];
    const crashing: SyncDeps = {
      ...d,
      contactState: new Proxy(d.contactState, {
        get(target, key) {
          // The second batch lands in Salesforce and HubSpot, then the process dies before its fingerprints are saved.
          if (key === 'save') {
            return async (observed: Parameters<typeof target.save>[0], entries: ReadonlyMap<string, string>, at: number) => {
              flushes += 1;
              if (flushes === 2) {
                unwritten = [...entries.keys()];
                throw new Error('crash while writing a batch');
              }
              return target.save(observed, entries, at);
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    await expect(syncLeads(crashing, { indexingLagMs: 0 })).rejects.toThrow('crash while writing a batch');
    // The batch held several pages, and the cursor stayed before every one of its contacts.
    expect(unwritten.length).toBeGreaterThan(200);
    const cursor = await d.state.cursor();
    expect(cursor!.at).toBeGreaterThan(0); // the first batch's pages were written and their cursor saved
    expect(unwritten.filter((id) => passed(cursor, id, modifiedAt.get(id)!))).toEqual([]);
    const leadsAfterCrash = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length;
    const tasksAfterCrash = sandbox.salesforce.records('Task').length;

    const rerun = await syncLeads(d, { indexingLagMs: 0 });
    expect(rerun.pulled).toBeGreaterThan(0);
    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBeGreaterThanOrEqual(leadsAfterCrash);
    const keys = sandbox.salesforce.records('Task').map((t) => t.Leadloop_Key__c);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(tasksAfterCrash);
    // Same end state as an uninterrupted run: every hand-off to a Lead has exactly its one lead.
    const handoffs = await app!.ledger.db.selectFrom('handoffs').select('hubspot_contact_id').where('salesforce_object', '=', 'Lead').execute();
    expect(new Set(handoffs.map((h) => h.hubspot_contact_id))).toEqual(new Set(leads.map((l) => String(l.HubSpot_Contact_Id__c))));
    expect(passed(await d.state.cursor(), unwritten[0]!, modifiedAt.get(unwritten[0]!)!)).toBe(true);
  });
});
