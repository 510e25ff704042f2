import { afterEach, describe, expect, it } from 'vitest';
import { syncLeadsJob } from '../../jobs/sync-leads.ts';
import { LeaseLost } from '../errors/index.ts';
import { RedisKeys } from '../redis-keys.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { runJob } from './job.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

describe('a leased run is fenced by its lease', () => {
  it('once its lease is taken over (it stalled past it), the run saves no position and stops writing', async () => {
    sandbox = await startSandbox({ contacts: 1_000, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'fence' });
    const keys = new RedisKeys(app.prefix);
    let positionWhenLost: string | null = null;
    let leadsWhenLost = 0;
    const run = runJob(syncLeadsJob, {}, app, {
      progress: () => {
        if (positionWhenLost !== null) return;
        // A second worker takes the lease as if this one's had expired: from now on this run must write nothing.
        void app!.testRedis.set(keys.lease('sync-leads'), 'other-host:1:token');
        positionWhenLost = 'taken';
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLost);
    positionWhenLost = await app.testRedis.get(keys.backfill());
    leadsWhenLost = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length;
    // The backfill position is the one saved before the lease was lost: nothing past it.
    const saved = JSON.parse(positionWhenLost!) as { pulled: number };
    expect(saved.pulled).toBeLessThan(1_000);
    expect(await app.testRedis.get(keys.syncCursor())).toBeNull();
    // And it stopped: no further writes after it failed.
    await new Promise((r) => setTimeout(r, 300));
    expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length).toBe(leadsWhenLost);
    // The lease is not its own any more: it did not delete the other run's.
    expect(await app.testRedis.get(keys.lease('sync-leads'))).toBe('other-host:1:token');
  });
});
