import { Client } from '@hubspot/api-client';
import type { Command } from 'commander';
import { Connection } from 'jsforce';
import { loadConfigDirOrThrow } from '../config/load.ts';
import { decide } from '../domain/decide.ts';
import { normalizeDomain } from '../domain/domain-name.ts';
import type { AccountMatch } from '../domain/routing/types.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { withDerivedSource } from '../domain/contact-source.ts';
import { propertiesToPull } from '../domain/inputs.ts';
import type { Sandbox } from '../sandbox/server.ts';
import { table } from './table.ts';
import { demoRedis } from './demo-redis.ts';
import { CliError, EXIT } from './errors.ts';

/**
 * `leadloop demo`: the loop as far as it has landed, on the local sandbox. It seeds HubSpot and
 * Salesforce, previews the decisions (score, grade, hand-off, owner) for every contact, then runs
 * the lead sync's own pipeline: hand-offs land in Salesforce with owners and tasks, scores go
 * back to HubSpot, and a live trade show's booth scans are handed off by the next cycle.
 */
export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('demo')
    .description('run the loop on the local sandbox and print what it decided')
    .option('--contacts <n>', 'contacts to seed in the sandbox', '2000')
    .option('--dir <dir>', 'config folder', source.LEADLOOP_CONFIG_DIR ?? './config')
    .option('--seed <n>', 'seed of the generated data', '42')
    .option('--exit', 'exit after the report (otherwise leadloop keeps running and serves its dashboard)')
    .action(async (options: { contacts: string; dir: string; seed: string; exit?: boolean }) => {
      const count = Number(options.contacts);
      if (!Number.isInteger(count) || count < 1 || count > 200_000) throw new CliError('--contacts must be a whole number from 1 to 200000', EXIT.usage);
      const { config, version } = await loadConfigDirOrThrow(options.dir);
      const out = (line = '') => process.stdout.write(`${line}\n`);
      const { startSandbox } = await import('../sandbox/server.ts');
      const started = performance.now();
      // The Copperleaf org tracks Lead Status history, so the feedback dates each status change exactly.
      const sandbox = await startSandbox({ contacts: count, seed: Number(options.seed), salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
      try {
        const info = sandbox.connectionInfo();
        out(`leadloop demo — config ${version}; sandbox at ${sandbox.url} seeded with ${count} HubSpot contacts in ${Math.round(performance.now() - started)} ms`);

        const hubspot = new Client({ accessToken: info.hubspot.accessToken, basePath: info.hubspot.baseUrl, numberOfApiCallRetries: 1 });
        const salesforce = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: info.salesforce.apiVersion });

        const accounts = new Map<string, AccountMatch>();
        const rows = await salesforce.query<{ Id: string; Website: string | null; OwnerId: string; Owner: { Email: string } | null }>('SELECT Id, Website, OwnerId, Owner.Email FROM Account', {
          autoFetch: true,
          maxFetch: 1_000_000,
        });
        for (const a of rows.records) {
          const domain = normalizeDomain(a.Website);
          if (domain) accounts.set(domain, { accountId: a.Id, ownerId: a.OwnerId, ...(a.Owner?.Email ? { ownerEmail: a.Owner.Email } : {}) });
        }

        // A backfill reads the list endpoint (no 10,000-result cap, unlike search), 100 a page,
        // paced under HubSpot's rolling 10-second budget: the sandbox enforces it like HubSpot.
        const contacts: { id: string; properties: Record<string, string | null> }[] = [];
        const sent: number[] = [];
        for (let after: string | undefined; ; ) {
          while (sent.length >= 150 && Date.now() - sent[sent.length - 150]! < 10_000) await new Promise((r) => setTimeout(r, 50));
          sent.push(Date.now());
          const page = await hubspot.crm.contacts.basicApi.getPage(100, after, propertiesToPull(config));
          contacts.push(...page.results.map((r) => ({ id: r.id, properties: r.properties })));
          after = page.paging?.next?.after;
          if (after === undefined) break;
        }

        const now = Date.now();
        const roundRobin: Record<string, number> = {};
        const loadToday: Record<string, number> = {};
        const grades = new Map<string, number>();
        const bySource = new Map<string, { contacts: number; handoffs: number; hot: number }>();
        const owners = new Map<string, number>();
        const rules = new Map<string, number>();
        const vetoes = new Map<string, number>();
        const tasks = new Map<string, number>();
        let handoffs = 0;
        let escalations = 0;
        for (const contact of contacts) {
          const properties = withDerivedSource(contact.properties, config.mapping, now);
          const d = decide({ id: contact.id, properties }, {}, config, { now, roundRobin, loadToday, accountByDomain: (domain) => accounts.get(domain) });
          const source = properties.lead_source ?? 'unknown';
          const row = bySource.get(source) ?? { contacts: 0, handoffs: 0, hot: 0 };
          row.contacts += 1;
          if (d.score.grade === 'hot') row.hot += 1;
          grades.set(d.score.grade, (grades.get(d.score.grade) ?? 0) + 1);
          if (d.score.vetoedBy) vetoes.set(d.score.vetoedBy.rule, (vetoes.get(d.score.vetoedBy.rule) ?? 0) + 1);
          if (d.route) {
            handoffs += 1;
            row.handoffs += 1;
            const a = d.route.assignee;
            const label = a.kind === 'user' ? (a.name ?? a.email ?? a.salesforceUserId ?? '?') : a.kind === 'queue' ? `queue ${a.queue}` : 'assignment rules';
            owners.set(label, (owners.get(label) ?? 0) + 1);
            rules.set(d.route.rule, (rules.get(d.route.rule) ?? 0) + 1);
            if (d.route.roundRobin) roundRobin[d.route.roundRobin.team] = d.route.roundRobin.next;
            if (a.kind === 'user' && a.email) loadToday[a.email.toLowerCase()] = (loadToday[a.email.toLowerCase()] ?? 0) + 1;
            if (d.route.notify.some((n) => n.why.startsWith('escalation'))) escalations += 1;
            for (const t of d.tasks)
              tasks.set(`${t.priority} ${t.type}: ${t.subject.replace(/from .*/, 'from <source>')}`, (tasks.get(`${t.priority} ${t.type}: ${t.subject.replace(/from .*/, 'from <source>')}`) ?? 0) + 1);
          }
          bySource.set(source, row);
        }

        out();
        out(`Pulled ${contacts.length} contacts (HubSpot list endpoint, 100 a page) and ${accounts.size} accounts with a website (Salesforce SOQL).`);
        out(
          `Grades: ${['hot', 'warm', 'cold'].map((g) => `${g} ${grades.get(g) ?? 0}`).join(', ')}. Handed to sales: ${handoffs}. Vetoed: ${[...vetoes].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}.`,
        );
        out();
        table(
          out,
          ['source', 'contacts', 'hot', 'handed off'],
          [...bySource].sort((a, b) => b[1].contacts - a[1].contacts).map(([s, r]) => [s, String(r.contacts), String(r.hot), String(r.handoffs)]),
        );
        out();
        table(
          out,
          ['owner', 'leads', 'share'],
          [...owners].sort((a, b) => b[1] - a[1]).map(([o, n]) => [o, String(n), `${((100 * n) / Math.max(1, handoffs)).toFixed(1)}%`]),
        );
        out();
        table(
          out,
          ['routing rule', 'leads'],
          [...rules].sort((a, b) => b[1] - a[1]).map(([r, n]) => [r, String(n)]),
        );
        out(`Escalated to the brand manager (deals above $2M): ${escalations}.`);
        out();
        table(
          out,
          ['playbook task', 'count'],
          [...tasks].sort((a, b) => b[1] - a[1]).map(([t, n]) => [t, String(n)]),
        );
        out();
        const log = sandbox.requestLog.snapshot();
        out(`API calls for this preview: HubSpot ${JSON.stringify(log.hubspot)}, Salesforce ${JSON.stringify(log.salesforce)}.`);
        out();
        const serve = options.exit ? undefined : { port: Number(source.PORT ?? 3000), ...(source.LEADLOOP_ADMIN_TOKEN ? { adminToken: source.LEADLOOP_ADMIN_TOKEN } : {}) };
        // LEADLOOP_DATA_DIR or DATABASE_URL given: the demo's ledger stays for `explain`, `report` and `config simulate`.
        const ledger = { ...(source.LEADLOOP_DATA_DIR ? { dataDir: source.LEADLOOP_DATA_DIR } : {}), ...(source.DATABASE_URL ? { databaseUrl: source.DATABASE_URL } : {}) };
        await pushWithTheSync(sandbox, config, options.dir, source.REDIS_URL, out, Number(options.seed), serve, ledger);
      } finally {
        await sandbox.close();
      }
    });
}

/**
 * The scheduled sync's own pipeline against the sandbox: set up the write-back properties, run a
 * cycle (owners, tasks, write-back), then a live trade show whose booth scans arrive and are
 * handed off by the next cycle.
 */
async function pushWithTheSync(
  sandbox: Sandbox,
  config: LeadloopConfig,
  configDir: string,
  redisUrl: string | undefined,
  out: (line?: string) => void,
  seed: number,
  serve?: { port: number; adminToken?: string },
  ledger: { dataDir?: string; databaseUrl?: string } = {},
): Promise<void> {
  const redis = await demoRedis(redisUrl);
  if ('missing' in redis) {
    out(`Skipping the push into Salesforce: ${redis.missing}.`);
    return;
  }
  const [{ compose }, { loadEnv }, { setupHubSpot }, { syncLeads }] = await Promise.all([
    import('../app.ts'),
    import('../config/env.ts'),
    import('../pipeline/setup.ts'),
    import('../pipeline/syncLeads.ts'),
  ]);
  const info = sandbox.connectionInfo();
  const prefix = `leadloop-demo-${Date.now()}`;
  const dataDir = ledger.dataDir ?? mkdtempSync(join(tmpdir(), 'leadloop-demo-'));
  const env = loadEnv(
    {
      ...info.env,
      REDIS_URL: redis.url,
      LEADLOOP_PREFIX: prefix,
      LEADLOOP_CONFIG_DIR: configDir,
      LEADLOOP_DATA_DIR: dataDir,
      ...(ledger.databaseUrl ? { DATABASE_URL: ledger.databaseUrl } : {}),
      LOG_LEVEL: 'warn',
    },
    { needs: ['hubspot', 'salesforce', 'webhooks', 'server'] },
  );
  let app: Awaited<ReturnType<typeof compose>> | undefined = await compose(env);
  try {
    const created = await setupHubSpot(app.hubspot, app.deals, config.mapping);
    out(`Setup: created ${created.length} HubSpot properties for the write-back (${created.join(', ')}).`);
    const deps = app.deps;
    sandbox.requestLog.reset();
    const started = performance.now();
    // The first cycle is the backfill (no cursor yet): its progress goes to stderr.
    const progress = (await import('./progress.ts')).progressReporter();
    const first = await syncLeads(deps, { indexingLagMs: 0, onProgress: (p) => progress.update(p) }).finally(() => progress.stop());
    out(
      `Sync cycle 1 (${Math.round(performance.now() - started)} ms): pulled ${first.pulled}, qualified ${first.qualified} (another ${first.qualifiedBeforeInstall} qualified over ${config.sync.backfill.handoff_within} before install: scored and written back, left with marketing); leads created ${first.created}, open leads adopted ${first.adopted}, existing contacts ${first.existingContacts}, converted left alone ${first.convertedSkipped}; tasks ${first.tasks}; written back to HubSpot ${first.writtenBack}; dead-lettered ${first.deadLettered}.`,
    );
    const calls = sandbox.requestLog.snapshot();
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    out(
      `  API calls: HubSpot ${total(calls.hubspot)} ${JSON.stringify(calls.hubspot)}, Salesforce ${total(calls.salesforce)} ${JSON.stringify(calls.salesforce)} — ${((1000 * (total(calls.hubspot) + total(calls.salesforce))) / Math.max(1, first.pulled)).toFixed(1)} per 1,000 contacts.`,
    );

    // A live trade show: booth scans arrive in HubSpot during the run.
    const show = 'Copperleaf Live Demo Day 2026';
    for (let i = 0; i < 12; i++) {
      sandbox.hubspot.createContact({
        email: `booth.visitor${i}@${['northwind-logistics', 'fabrikam-bank', 'initech-retail'][i % 3]}.example`,
        firstname: ['Ana', 'Ben', 'Chloé', 'Dev'][i % 4]!,
        lastname: `Visitor ${i}`,
        jobtitle: i % 3 === 0 ? 'VP of Data' : 'Analytics Manager',
        company: ['Northwind Logistics', 'Fabrikam Bank', 'Initech Retail'][i % 3]!,
        country: i % 2 ? 'Germany' : 'United States',
        numemployees: i % 4 === 0 ? '1000+' : '100-500',
        industry: 'COMPUTER_SOFTWARE',
        lead_source: 'trade_show',
        lead_source_detail: show,
        lead_source_date: new Date().toISOString(),
        bant_budget: i % 2 ? 'approved' : 'planned',
        bant_authority: i % 3 === 0 ? 'decision_maker' : 'influencer',
        bant_need: 'urgent',
        bant_timeline: 'within_3_months',
      });
    }
    sandbox.requestLog.reset();
    const second = await syncLeads(deps, { indexingLagMs: 0 });
    out(
      `Sync cycle 2 (12 booth scans from "${show}" arrived): qualified ${second.qualified}, leads created ${second.created}, tasks ${second.tasks}, dead-lettered ${second.deadLettered}; other contacts unchanged: ${second.unchanged}.`,
    );
    if (second.tasks === 0 && second.created > 0) out("  (the backfill filled the owners' daily capacity, so routing sent the booth scans to the fallback queue; tasks go to people, not queues)");

    const leads = sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c);
    const names = new Map(sandbox.salesforce.records('User').map((u) => [u.Id as string, u.Name as string]));
    const queues = new Map(sandbox.salesforce.records('Group').map((g) => [g.Id as string, `queue ${g.DeveloperName as string}`]));
    const share = new Map<string, number>();
    for (const l of leads) {
      const owner = names.get(l.OwnerId as string) ?? queues.get(l.OwnerId as string) ?? String(l.OwnerId);
      share.set(owner, (share.get(owner) ?? 0) + 1);
    }
    out();
    table(
      out,
      ['Salesforce lead owner', 'leads', 'share'],
      [...share].sort((a, b) => b[1] - a[1]).map(([o, n]) => [o, String(n), `${((100 * n) / Math.max(1, leads.length)).toFixed(1)}%`]),
    );
    const tasks = sandbox.salesforce.records('Task');
    out(`Salesforce now holds ${leads.length} leads from leadloop and ${tasks.length} tasks (${tasks.filter((t) => t.Priority === 'High').length} "call now").`);
    out();
    // The worker and server open the same ledger folder: one embedded database, one owner at a time.
    await app.close();
    app = undefined;
    const { liveHandoff } = await import('./demo-live.ts');
    await liveHandoff(sandbox, env, out);
    out();
    const { closedLoop } = await import('./demo-feedback.ts');
    await closedLoop(sandbox, env, out, { seed });
    if (serve) {
      out();
      const { serveDashboard } = await import('./demo-serve.ts');
      await serveDashboard(env, out, serve);
    }
  } finally {
    await app?.close();
    await dropDemoKeys(redis.url, prefix);
    redis.stop();
    // A ledger folder the user named is theirs to keep.
    if (!ledger.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Removes the demo's own keys (its unique prefix) from the Redis it used, which may be the user's. */
async function dropDemoKeys(url: string, prefix: string): Promise<void> {
  const [{ createRedisConnection }, { deleteKeysUnder }] = await Promise.all([import('../queue/connection.ts'), import('../redis-keys.ts')]);
  const redis = createRedisConnection({ url }, 'client');
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
