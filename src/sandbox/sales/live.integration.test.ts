import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../server.ts';
import { type LiveSales, startLiveSales } from './live.ts';
import { DAY } from './plan.ts';

let sandbox: Sandbox | undefined;
let live: LiveSales | undefined;
afterEach(async () => {
  live?.stop();
  await sandbox?.close();
});

function push(s: Sandbox, from: number, n: number): void {
  const queue = String(s.salesforce.records('Group').find((g) => g.DeveloperName === 'Inbound_Lead_Queue')!.Id);
  for (let i = from; i < from + n; i++) {
    s.salesforce.create('Lead', {
      HubSpot_Contact_Id__c: String(5000 + i),
      LastName: `Lead ${i}`,
      Company: `Company ${i}`,
      Email: `lead${i}@company${i}.example`,
      Rating: ['Hot', 'Warm', 'Cold'][i % 3],
      LeadSource: 'Trade Show',
      OwnerId: queue,
    });
  }
}

describe('startLiveSales', () => {
  it('works the leads pushed since the last round, the clock running the given simulated days per real minute', async () => {
    sandbox = await startSandbox({ seed: 2 });
    const lines: string[] = [];
    // 12,000 simulated days a real minute: 100 days in half a second. Rounds are run by hand here.
    live = startLiveSales(sandbox.salesforce, { seed: 2, speed: 12_000, intervalMs: 60_000, log: (line) => lines.push(line) });
    push(sandbox, 0, 40);
    const startedAt = sandbox.clock.now();
    live.round();
    await sleep(500);
    live.round();
    const advanced = sandbox.clock.now() - startedAt;
    expect(advanced).toBeGreaterThan(95 * DAY);
    expect(advanced).toBeLessThan(140 * DAY);
    const first = live.simulation.truth();
    expect(first.leads).toHaveLength(40);
    expect(first.leads.filter((l) => l.touched).length).toBeGreaterThan(25);
    expect(first.leads.every((l) => l.pickedUp !== null)).toBe(true);
    expect(lines.some((l) => /40 new lead\(s\)/.test(l))).toBe(true);

    // Leads pushed now are worked from now on: their story starts at their creation, not before.
    push(sandbox, 40, 20);
    const pushedAt = sandbox.clock.now();
    live.round();
    await sleep(300);
    live.round();
    const second = live.simulation.truth();
    const fresh = second.leads.slice(40);
    expect(fresh).toHaveLength(20);
    expect(fresh.filter((l) => l.touched).length).toBeGreaterThan(10);
    for (const l of fresh) if (l.touched) expect(l.touched.at).toBeGreaterThanOrEqual(pushedAt);
    for (const o of second.opportunities) expect(o.createdAt).toBeLessThanOrEqual(sandbox.clock.now());
    for (const r of sandbox.salesforce.records('Opportunity')) expect(Date.parse(String(r.SystemModstamp).replace('+0000', 'Z'))).toBeLessThanOrEqual(sandbox.clock.now());
  });

  it('refuses a speed that is not a positive number', async () => {
    sandbox = await startSandbox({ seed: 2 });
    expect(() => startLiveSales(sandbox!.salesforce, { seed: 1, speed: 0 })).toThrow(/positive/);
  });
});

describe('leadloop sandbox --simulate-sales', () => {
  it('prints its one JSON line only, and works a lead pushed through the REST API: a worker sees the feedback appear', async () => {
    const root = join(import.meta.dirname, '../../..');
    const child = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'src/cli.ts'), 'sandbox', '--seed', '4', '--simulate-sales', '--sales-speed', '20000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => stdout.push(line));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
      });
      const info = JSON.parse(line);
      const conn = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: '64.0' });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const created = (await conn
          .sobject('Lead')
          .create({ HubSpot_Contact_Id__c: String(9000 + i), LastName: `Pushed ${i}`, Company: 'Pushed Co', Email: `pushed${i}@pushed.example`, Rating: 'Hot', LeadSource: 'Demo Request' })) as {
          id: string;
        };
        ids.push(created.id);
      }
      const inList = ids.map((id) => `'${id}'`).join(', ');
      let worked = 0;
      for (let tries = 0; tries < 40 && worked < 6; tries++) {
        await sleep(250);
        worked = (await conn.query(`SELECT Id FROM Lead WHERE Id IN (${inList}) AND Status != 'Open - Not Contacted'`)).totalSize;
      }
      expect(worked).toBeGreaterThanOrEqual(6);
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(stdout).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
