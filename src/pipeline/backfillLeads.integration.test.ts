import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { SyncProgress } from './backfillLeads.ts';
import type { SyncDeps, SyncStatePort } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

let sandbox: Sandbox;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  await sandbox?.close();
});

/** Deps on a fresh sandbox; `taken` counts, per contact id, how often the pipeline was given it (it reads fingerprints once per batch). */
async function deps(contacts: number): Promise<{ d: SyncDeps; taken: Map<string, number> }> {
  sandbox = await startSandbox({ contacts, seed: 41 });
  app = await sandboxApp(sandbox, { label: 'backfill' });
  const taken = new Map<string, number>();
  const counting = new Proxy(app.deps.contactState, {
    get(target, key) {
      if (key === 'fingerprints') {
        return (ids: readonly string[]) => {
          for (const id of ids) taken.set(id, (taken.get(id) ?? 0) + 1);
          return target.fingerprints(ids);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { d: { ...app.deps, contactState: counting }, taken };
}

const ourLeads = () => sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
const taskKeys = () =>
  sandbox.salesforce
    .records('Task')
    .map((t) => t.Leadloop_Key__c)
    .filter(Boolean);

describe('backfillLeads against the sandbox', () => {
  it('takes every one of 12,000 contacts exactly once through the list endpoint, and the next cycle takes a contact changed during it', async () => {
    const { d, taken } = await deps(12_000);
    const started = Date.now();
    const progress: SyncProgress[] = [];
    let changedId: string | undefined;
    sandbox.requestLog.reset();
    const summary = await syncLeads(d, {
      indexingLagMs: 0,
      onProgress: (p) => {
        progress.push({ ...p });
        // A contact already taken changes while the backfill runs: the backfill will not read it again.
        if (!changedId && p.pulled >= 1_000) {
          const lead = ourLeads()[0]!;
          changedId = String(lead.HubSpot_Contact_Id__c);
          sandbox.hubspot.updateContact(changedId, { jobtitle: 'Head of Backfills' });
        }
      },
    });

    expect(summary.pulled).toBe(12_000);
    expect(taken.size).toBe(12_000);
    expect([...taken.values()].every((n) => n === 1)).toBe(true);
    const calls = sandbox.requestLog.snapshot().hubspot;
    expect(calls['contacts.list']).toBe(120);
    expect(calls['contacts.search']).toBe(1); // the count for the progress estimate, nothing else
    expect(sandbox.requestLog.statuses('hubspot')[429]).toBeUndefined();
    expect(progress.at(-1)).toMatchObject({ pulled: 12_000, total: 12_000 });
    expect(progress.every((p, i) => i === 0 || p.pulled > progress[i - 1]!.pulled)).toBe(true);

    const leads = ourLeads();
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBe(summary.created + summary.adopted);
    expect(await d.state.backfill()).toBeUndefined();
    const cursor = (await d.state.cursor())!;
    expect(cursor.at).toBeGreaterThanOrEqual(started);
    expect(cursor.at).toBeLessThanOrEqual(started + 1_000);

    // The next cycle is incremental (search from the backfill's start) and takes the change.
    sandbox.requestLog.reset();
    const next = await syncLeads(d, { indexingLagMs: 0 });
    expect(sandbox.requestLog.snapshot().hubspot['contacts.list']).toBeUndefined();
    expect(next.updated).toBeGreaterThanOrEqual(1);
    expect(ourLeads().find((l) => String(l.HubSpot_Contact_Id__c) === changedId)).toMatchObject({ Title: 'Head of Backfills' });
    expect(ourLeads()).toHaveLength(leads.length);
  }, 150_000);

  it('a backfill crashed after 3 batches resumes from the saved position, with no duplicate leads or tasks', async () => {
    const { d, taken } = await deps(1_500);
    let saves = 0;
    const crashing: SyncDeps = {
      ...d,
      state: new Proxy(d.state, {
        get(target, key) {
          // The 4th batch is handled but its position never saved: the rerun handles it again.
          if (key === 'saveBackfill') {
            return async (position: Parameters<SyncStatePort['saveBackfill']>[0]) => {
              saves += 1;
              if (saves === 5) throw new Error('crash before the list position was saved');
              return target.saveBackfill(position);
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    await expect(syncLeads(crashing, { indexingLagMs: 0 })).rejects.toThrow('crash before the list position was saved');
    // One save when it starts, then one per batch of 200: three batches are on record.
    expect(await d.state.backfill()).toMatchObject({ pulled: 600 });
    expect(await d.state.cursor()).toBeUndefined();
    // The 4th batch was written (and later ones scored and routed meanwhile), past the saved position.
    const takenBeforeCrash = new Set(taken.keys());
    expect(takenBeforeCrash.size).toBeGreaterThanOrEqual(800);
    const leadsAfterCrash = ourLeads().length;
    const tasksAfterCrash = taskKeys().length;

    sandbox.requestLog.reset();
    const resumed = await syncLeads(d, { indexingLagMs: 0 });
    expect(resumed.pulled).toBe(900); // from the 4th batch on: 1,500 − 600
    expect(sandbox.requestLog.snapshot().hubspot['contacts.list']).toBe(9);
    expect(taken.size).toBe(1_500);
    // Taken again: only what lay past the saved position when it crashed.
    const twice = [...taken].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.length).toBe(takenBeforeCrash.size - 600);
    expect([...taken.values()].every((n) => n <= 2)).toBe(true);

    const leads = ourLeads();
    expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    expect(leads.length).toBeGreaterThanOrEqual(leadsAfterCrash);
    const keys = taskKeys();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(tasksAfterCrash);
    expect(await d.state.backfill()).toBeUndefined();
    expect(await d.state.cursor()).toBeDefined();

    // Same end state as an uninterrupted backfill would reach: every qualified contact has one lead.
    const handoffs = await app!.ledger.db.selectFrom('handoffs').select('hubspot_contact_id').where('salesforce_object', '=', 'Lead').execute();
    expect(new Set(handoffs.map((h) => h.hubspot_contact_id))).toEqual(new Set(leads.map((l) => String(l.HubSpot_Contact_Id__c))));
  }, 60_000);
});
