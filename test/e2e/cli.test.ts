import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.ts';
import { runCli, runCliAsync } from '../support/cli.ts';

const NOW = '2026-11-24T15:00:00Z';

type SandboxEnv = { sandbox: Awaited<ReturnType<typeof startSandbox>>; env: Record<string, string> };

/**
 * A sandbox, a data folder, a copy of config/ with `edit` applied to its files, and the env a user
 * would export for them; all removed afterwards, Redis keys included.
 */
async function withSandboxEnv(
  options: { contacts: number; seed: number; edit?: (file: string, text: string) => string; env?: Record<string, string>; faults?: NonNullable<Parameters<typeof startSandbox>[0]>['faults'] },
  test: (ctx: SandboxEnv) => Promise<void>,
): Promise<void> {
  // An org that tracks Lead Status history, as the Copperleaf one does: setup has nothing to warn about.
  const sandbox = await startSandbox({ contacts: options.contacts, seed: options.seed, salesforce: { fieldHistoryTracking: ['Lead.Status'] }, ...(options.faults ? { faults: options.faults } : {}) });
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-cli-data-'));
  const configDir = mkdtempSync(join(tmpdir(), 'leadloop-cli-config-'));
  cpSync('config', configDir, { recursive: true });
  for (const name of ['scoring.yaml', 'routing.yaml', 'mapping.yaml', 'sync.yaml']) {
    const file = join(configDir, name);
    if (options.edit) writeFileSync(file, options.edit(name, readFileSync(file, 'utf8')));
  }
  const env = {
    ...sandbox.connectionInfo().env,
    LEADLOOP_PREFIX: `test-cli-${process.pid}-${Date.now()}`,
    LEADLOOP_DATA_DIR: dataDir,
    LEADLOOP_CONFIG_DIR: configDir,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  try {
    await test({ sandbox, env });
  } finally {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
    const { testConnection, deleteKeysWithPrefix } = await import('../support/redis.ts');
    const redis = testConnection();
    await deleteKeysWithPrefix(redis, env.LEADLOOP_PREFIX!);
    redis.disconnect();
  }
}

describe('leadloop CLI', () => {
  it('sync leads --once with no environment exits 2 naming every missing variable', () => {
    const { code, stderr, stdout } = runCli(['sync', 'leads', '--once']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('HUBSPOT_ACCESS_TOKEN is required');
    expect(stderr).toContain('SALESFORCE_INSTANCE_URL + SALESFORCE_ACCESS_TOKEN');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('config validate: exit 0 with a one-line summary on the defaults, exit 1 with positions on a broken copy', () => {
    const ok = runCli(['config', 'validate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(ok.stdout).toMatch(/^config OK: 4 files in \.\/config, \d+ scoring rules, \d+ routing rules, 13 owners, version [0-9a-f]{12}/);

    const dir = mkdtempSync(join(tmpdir(), 'leadloop-cli-config-'));
    try {
      cpSync('config', dir, { recursive: true });
      const file = join(dir, 'routing.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('queue: partners', 'queue: partnrs').replace('use_salesforce_assignment_rules: false', 'use_salesforce_assignment_rule: false'));
      const bad = runCli(['config', 'validate', '--dir', dir]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(
        'routing.yaml:12:1 use_salesforce_assignment_rule: unknown key "use_salesforce_assignment_rule" in routing.yaml at line 12 (did you mean "use_salesforce_assignment_rules"?); known keys: use_salesforce_assignment_rules, owners,',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['hot-trade-show', ['Score 100 → HOT', 'Hand-off: YES (immediate source)', 'by rule enterprise-na', 'notify victor.hale@copperleaf.example', 'Call now: hot lead from SaaStr Annual 2026']],
    ['warm-web-form', ['→ WARM', 'Hand-off: YES (marketing-qualified)', 'by rule mid-market-emea', 'Follow up: send a meeting or trial invitation']],
    ['cold-subscriber', ['→ COLD', 'Hand-off: no — stays with marketing (nurture)']],
    ['student', ['Hand-off: NO — vetoed by student']],
    ['competitor', ['Hand-off: NO — vetoed by competitor: Works for a competitor']],
    ['personal-email', ['personal-email', 'bounced-email', 'Hand-off: no']],
    ['customer-support-contact', ['Hand-off: NO — vetoed by customer-support-contact']],
  ])('explain --file %s prints a readable breakdown', (name, expected) => {
    const { code, stdout } = runCli(['explain', '--file', `test/fixtures/contacts/${name}.json`, '--now', NOW]);
    expect(code).toBe(0);
    for (const text of expected) expect(stdout).toContain(text);
  });

  it('setup then sync leads --once against the sandbox print JSON summaries as their last line', async () => {
    await withSandboxEnv({ contacts: 300, seed: 8 }, async ({ sandbox, env }) => {
      const setup = await runCliAsync(['setup'], env);
      expect(setup.code).toBe(0);
      expect(JSON.parse(setup.stdout.trim().split('\n').at(-1)!).createdHubSpotProperties).toContain('leadloop_score');
      // The default config against the default sandbox: nothing blocks the sync, nothing to warn about.
      expect(JSON.parse(setup.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, dryRun: false, blocking: [], warnings: [] });
      // sync.yaml's 30 s indexing lag: contacts changed more recently wait for the next cycle.
      const settled = Array.from({ length: 300 }, (_, i) => sandbox.hubspot.getContact(String(1001 + i))!).filter((c) => Date.parse(c.properties.lastmodifieddate!) <= Date.now() - 30_000).length;
      const sync = await runCliAsync(['sync', 'leads', '--once'], env);
      expect(sync.code).toBe(0);
      const summary = JSON.parse(sync.stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ ok: true, deadLettered: 0 });
      expect(summary.pulled).toBeGreaterThanOrEqual(settled);
      expect(summary.pulled).toBeLessThanOrEqual(300);
      expect(summary.scored).toBe(summary.pulled);
      expect(summary.created + summary.adopted + summary.existingContacts + summary.convertedSkipped).toBe(summary.qualified);
      expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toHaveLength(summary.created + summary.adopted);
      const explained = await runCliAsync(['explain', '1001'], env);
      expect(explained.code).toBe(0);
      expect(explained.stdout).toMatch(/^Contact 1001 — as of .*\nScore \d+ → (HOT|WARM|COLD)/);
      expect((await runCliAsync(['explain', '999999'], env)).stderr).toContain('HubSpot has no contact 999999');
    });
  });

  it('sync feedback --once: a dry run lists the deals it would write and writes none, the run writes them, a rerun writes nothing', async () => {
    await withSandboxEnv({ contacts: 300, seed: 8 }, async ({ sandbox, env }) => {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      expect((await runCliAsync(['sync', 'leads', '--once'], env)).code).toBe(0);
      // A lead whose contact's lifecycle stage can still move forward to customer.
      const early = new Set(['', 'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead']);
      const leads = sandbox.salesforce
        .records('Lead')
        .filter((l) => l.HubSpot_Contact_Id__c && !l.IsConverted && early.has(sandbox.hubspot.getContact(String(l.HubSpot_Contact_Id__c))?.properties.lifecyclestage ?? ''));
      // Sales' work of ten minutes ago (the feedback reads Salesforce up to a minute before now).
      sandbox.clock.set(Date.now() - 10 * 60_000);
      const won = sandbox.salesforce.convertLead(String(leads[0]!.Id), { amount: 42_000 }).opportunityId!;
      sandbox.salesforce.closeOpportunity(won, true);
      sandbox.clock.set(Date.now());
      const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

      const dry = await runCliAsync(['sync', 'feedback', '--once', '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      const planned = dry.stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line).wouldWrite);
      expect(planned).toContainEqual(expect.objectContaining({ system: 'hubspot', operation: 'deal-create', key: won }));
      expect(last(dry.stdout)).toMatchObject({ ok: true, dryRun: true });
      expect(sandbox.hubspot.deals()).toEqual([]);

      const run = await runCliAsync(['sync', 'feedback', '--once'], env);
      expect(run.code, run.stderr).toBe(0);
      const summary = last(run.stdout);
      expect(summary).toMatchObject({ ok: true, dryRun: false, deadLettered: 0 });
      expect(summary.deals.created).toBeGreaterThanOrEqual(1);
      expect(sandbox.hubspot.deals().find((d) => d.properties.leadloop_salesforce_opportunity_id === won)?.properties).toMatchObject({ dealstage: 'closedwon', amount: '42000' });
      expect(sandbox.hubspot.getContact(String(leads[0]!.HubSpot_Contact_Id__c))?.properties).toMatchObject({ leadloop_outcome: 'won', lifecyclestage: 'customer' });

      const again = last((await runCliAsync(['sync', 'feedback', '--once'], env)).stdout);
      expect(again.deals).toMatchObject({ created: 0, updated: 0, archived: 0 });
      expect(again.contactsUpdated).toBe(0);
    });
  }, 180_000);

  it('sla check --once starts the clocks of the hand-offs and prints its JSON summary; a dry run writes none', async () => {
    await withSandboxEnv({ contacts: 200, seed: 9 }, async ({ env }) => {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      expect((await runCliAsync(['sync', 'leads', '--once'], env)).code).toBe(0);
      const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
      const dry = await runCliAsync(['sla', 'check', '--once', '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      const planned = last(dry.stdout);
      expect(planned).toMatchObject({ ok: true, dryRun: true });
      expect(planned.started).toBeGreaterThan(0);
      const run = last((await runCliAsync(['sla', 'check', '--once'], env)).stdout);
      expect(run).toMatchObject({ ok: true, dryRun: false, started: planned.started, deadLettered: 0 });
      expect(run.wakeAt.length).toBeGreaterThan(0);
      const again = last((await runCliAsync(['sla', 'check', '--once'], env)).stdout);
      expect(again).toMatchObject({ ok: true, started: 0, running: run.started });
    });
  }, 180_000);

  it('setup reports a mapping field Salesforce lacks as blocking (exit 1); sync leads --once then refuses to write, --dry-run reports it', async () => {
    const edit = (file: string, text: string) =>
      file === 'mapping.yaml'
        ? text.replace('- { salesforce: Lead_Grade__c, from: grade }', '- { salesforce: Lead_Grade__c, from: grade }\n    - { salesforce: Favourite_Colour__c, hubspot: jobtitle, max_length: 40 }')
        : text;
    await withSandboxEnv({ contacts: 50, seed: 10, edit }, async ({ sandbox, env }) => {
      const setup = await runCliAsync(['setup'], env);
      expect(setup.code).toBe(1);
      const report = JSON.parse(setup.stdout.trim().split('\n').at(-1)!);
      expect(report).toMatchObject({ ok: false, blocking: [{ subject: 'Lead.Favourite_Colour__c', problem: expect.stringContaining('no such field on Lead') }] });
      expect(report.createdHubSpotProperties).toContain('leadloop_score');
      expect(setup.stderr).toContain('Lead.Favourite_Colour__c: no such field on Lead');
      // The field the org lacks, as Salesforce DX source an admin can deploy.
      expect(report.missingSalesforceFields).toEqual(['Lead.Favourite_Colour__c']);
      const field = readFileSync(join(report.salesforceMetadataDir, 'force-app/main/default/objects/Lead/fields/Favourite_Colour__c.field-meta.xml'), 'utf8');
      expect(field).toContain('<fullName>Favourite_Colour__c</fullName>');
      expect(field).toContain('<length>40</length>');
      expect(report.salesforceMetadataDir.startsWith(env.LEADLOOP_DATA_DIR!)).toBe(true);

      const sync = await runCliAsync(['sync', 'leads', '--once'], env);
      expect(sync.code).toBe(1);
      expect(sync.stderr).toContain('run `leadloop setup`');
      expect(sync.stderr).toContain('Lead.Favourite_Colour__c');
      expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toHaveLength(0);

      // A dry run writes nothing anyway: it reports the blocking problem as a line and goes on.
      const dry = await runCliAsync(['sync', 'leads', '--once', '--dry-run'], env);
      expect(dry.code).toBe(0);
      const lines = dry.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.find((l) => l.preflight)?.preflight.blocking.map((b: { subject: string }) => b.subject)).toEqual(['Lead.Favourite_Colour__c']);
      expect(lines.at(-1)).toMatchObject({ ok: true, dryRun: true });
    });
  }, 120_000); // four CLI runs: under a loaded machine each start alone takes seconds

  it('sync leads --once rides out 429s and 5xx in-process as the queue would, and ends with exit 0 and every lead once', async () => {
    await withSandboxEnv({ contacts: 300, seed: 10, faults: { hubspot: { rate429: 0.05, rate5xx: 0.05 }, salesforce: { rate5xx: 0.15 } } }, async ({ sandbox, env }) => {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      const sync = await runCliAsync(['sync', 'leads', '--once'], env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stderr).toMatch(/going on in \d+ s/);
      const summary = JSON.parse(sync.stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ ok: true, pulled: 300 });
      const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
      expect(leads.length).toBeGreaterThan(0);
      expect(new Set(leads.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(leads.length);
    });
  }, 180_000);

  it("sync leads --once exits 75 with paused and resumeAt when the org's daily allocation is spent: nothing lost, try later", async () => {
    // Room for setup's Salesforce calls (its preflight, and the describes behind the field metadata it writes): the sync then meets the limit.
    await withSandboxEnv({ contacts: 100, seed: 10, faults: { salesforce: { dailyLimitAfterCalls: 14 } } }, async ({ env }) => {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      const sync = await runCliAsync(['sync', 'leads', '--once'], env);
      expect(sync.code, sync.stderr).toBe(75);
      const summary = JSON.parse(sync.stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ ok: false, paused: true, reason: 'salesforce-daily-limit' });
      expect(Date.parse(summary.resumeAt)).toBeGreaterThan(Date.now());
      expect(sync.stderr).toContain('nothing is lost');
    });
  }, 120_000);

  it('start --role worker runs the scheduled sync and exits within 10 s of SIGTERM', async () => {
    const edit = (file: string, text: string) =>
      file === 'sync.yaml' ? text.replace('sync_leads: { every: 5m }', 'sync_leads: { every: 1s }').replace('indexing_lag: 30s', 'indexing_lag: 0s') : text;
    const { spawn } = await import('node:child_process');
    await withSandboxEnv({ contacts: 400, seed: 9, edit }, async ({ sandbox, env }) => {
      expect((await runCliAsync(['setup'], env)).code).toBe(0);
      const child = spawn(join(process.cwd(), 'node_modules/.bin/node'), ['src/cli.ts', 'start', '--role', 'worker'], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // The first cycle starts once the worker is up: opening the embedded ledger alone takes seconds on a loaded machine.
      const deadline = Date.now() + 60_000;
      while (sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length).toBeGreaterThan(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const signalled = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
    });
  }, 120_000);

  it('start --role all serves webhooks and health, and on SIGTERM stops intake, drains and exits within 10 s with no hand-off lost', async () => {
    const edit = (file: string, text: string) => (file === 'sync.yaml' ? text.replace('sync_leads: { every: 5m }', 'sync_leads: { every: 5m, enabled: false }') : text);
    const { freePort } = await import('../../src/cli/demo-redis.ts');
    const port = await freePort();
    const { spawn } = await import('node:child_process');
    const { Queue } = await import('bullmq');
    const { sendWebhookBatch } = await import('../../src/sandbox/webhook-sender.ts');
    await withSandboxEnv({ contacts: 0, seed: 9, edit, env: { PORT: String(port), LOG_LEVEL: 'warn' } }, async ({ sandbox, env }) => {
      const queue = new Queue('handoff', { connection: { url: env.REDIS_URL } as never, prefix: env.LEADLOOP_PREFIX! });
      try {
        expect((await runCliAsync(['setup'], env)).code).toBe(0);
        const contacts = Array.from({ length: 300 }, (_, i) =>
          sandbox.hubspot.createContact({
            email: `visitor${i}@initech-retail.example`,
            lastname: `Visitor ${i}`,
            company: 'Initech Retail',
            lead_source: 'trade_show',
            lead_source_detail: 'Retail Expo',
          }),
        );
        const child = spawn(join(process.cwd(), 'node_modules/.bin/node'), ['src/cli.ts', 'start', '--role', 'all'], {
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        const base = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + 30_000;
        let health = 0;
        while (health !== 200 && Date.now() < deadline) {
          health = (await fetch(`${base}/healthz`).catch(() => undefined))?.status ?? 0;
          if (health !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(health).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
        const target = { clientSecret: sandbox.connectionInfo().hubspot.clientSecret, targetUrl: `${base}/webhooks/hubspot` };
        const events = contacts.map((c, i) => ({
          eventId: i,
          subscriptionId: 1,
          portalId: 62515,
          appId: 54321,
          occurredAt: Date.now(),
          subscriptionType: 'contact.creation',
          attemptNumber: 0,
          objectId: Number(c.id),
          changeSource: 'IMPORT',
        }));
        const statuses = await Promise.all([0, 100, 200].map((from) => sendWebhookBatch(events.slice(from, from + 100), { ...target, attempts: 1 })));
        expect(statuses).toEqual([200, 200, 200]);
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        const signalled = Date.now();
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(10_000);
        // Nothing accepted is lost: every contact's job either completed or waits for the next start.
        const counts = await queue.getJobCounts('completed', 'waiting', 'delayed', 'prioritized', 'active', 'failed');
        expect(counts.failed).toBe(0);
        expect(
          Object.entries(counts)
            .filter(([state]) => state !== 'failed')
            .reduce((sum, [, n]) => sum + (n ?? 0), 0),
        ).toBe(300);
      } finally {
        await queue.close();
      }
    });
  }, 90_000);

  it('explain refuses a file that is not a contact, clearly', () => {
    const { code, stderr } = runCli(['explain', '--file', 'package.json']);
    expect(code).toBe(2);
    expect(stderr).toContain('package.json is not a contact: id:');
  });
});
