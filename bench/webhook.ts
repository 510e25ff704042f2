/**
 * Webhook hand-off latency: a trade-show contact is created in (sandbox) HubSpot, HubSpot's
 * webhook reaches `leadloop start --role all`, and the hand-off job lands the lead in
 * Salesforce, owned, with its task, and writes the owner back. p50/p95 over sequential
 * hand-offs, then the throughput of a burst. The sandbox runs in a child process. JSON last.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { Connection } from 'jsforce';
import { startLeadloop } from '../src/cli/start.ts';
import { freePort } from '../src/cli/demo-redis.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { benchApp, CONFIG_DIR, REDIS_URL, redisAnswers } from './support.ts';

const SEQUENTIAL = Number(process.env.BENCH_WEBHOOK_SEQUENTIAL ?? 60);
const BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 300);
const redisUrl = REDIS_URL;
if (!(await redisAnswers())) {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}

const scan = (i: number) => ({
  email: `bench.scan${i}@northwind-logistics.example`,
  firstname: 'Ana',
  lastname: `Scan ${i}`,
  company: 'Northwind Logistics',
  jobtitle: 'VP of Data',
  country: 'Germany',
  numemployees: '1000+',
  industry: 'COMPUTER_SOFTWARE',
  lead_source: 'trade_show',
  lead_source_detail: 'Bench Summit',
  lead_source_date: new Date().toISOString(),
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const port = await freePort();
// HubSpot gathers events briefly before a delivery; 5 ms here, so the figure is leadloop's own.
const sandbox = await startSandboxChild(['--contacts', '0', '--seed', '7', '--webhook-url', `http://127.0.0.1:${port}/webhooks/hubspot`, '--webhook-batch-ms', '5']);
// The show the scans name is a Campaign of the org, so every hand-off also becomes its member (README, The lead sync).
const sf = sandbox.info.salesforce;
const campaign = await fetch(`${sf.instanceUrl}/services/data/v${sf.apiVersion}/sobjects/Campaign`, {
  method: 'POST',
  headers: { authorization: `Bearer ${sf.accessToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ Name: 'Bench Summit', IsActive: true }),
});
if (!campaign.ok) throw new Error(`creating the Bench Summit campaign: HTTP ${campaign.status}`);
const configDir = mkdtempSync(join(tmpdir(), 'leadloop-bench-config-'));
cpSync(CONFIG_DIR, configDir, { recursive: true });
const syncFile = join(configDir, 'sync.yaml');
writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_leads: { every: 5m }', 'sync_leads: { every: 5m, enabled: false }'));
// Set up HubSpot and take the env from the composition, then run leadloop as `start --role all` does (its own app).
const bench = await benchApp(sandbox.info, { label: 'webhook', configDir });
const { env, prefix } = bench;
const { config } = bench.app;
await bench.app.close();
let running: Awaited<ReturnType<typeof startLeadloop>> | undefined;
try {
  running = await startLeadloop(env, { role: 'all', port });
  const events = new QueueEvents('handoff', { connection: { url: redisUrl } as never, prefix });
  await events.waitUntilReady();
  const completions = new Map<string, (at: number) => void>();
  let lastCompletedAt = 0;
  events.on('completed', ({ jobId }) => {
    lastCompletedAt = performance.now();
    completions.get(jobId)?.(lastCompletedAt);
  });
  const jobIdFor = async (contactId: string) => {
    // The hand-off job is named by its deduplication id: wait until it exists.
    for (;;) {
      const id = await running!.queues.handoff.getDeduplicationJobId(`handoff:${contactId}`);
      if (id) return id;
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  // Booth scans come in through HubSpot itself (a form, an import): they cost leadloop's token nothing.
  const create = async (i: number) => ({ id: (await sandbox.createContacts([scan(i)]))[0]! });

  // Warm-up: the first hand-off loads Salesforce users, queues and accounts.
  const warm = await create(-1);
  await new Promise<void>((resolve) => void jobIdFor(warm.id).then((id) => completions.set(id, () => resolve())));

  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    const contact = await create(i);
    const done = new Promise<number>((resolve) => void jobIdFor(contact.id).then((id) => completions.set(id, resolve)));
    latencies.push((await done) - started);
  }
  latencies.sort((a, b) => a - b);

  await sandbox.resetRequests();
  const burstStarted = performance.now();
  // A booth's scans imported at once; HubSpot sends a webhook per contact.
  const created = await sandbox.createContacts(Array.from({ length: BURST }, (_, n) => scan(10_000 + n)));
  const quoted = created.map((id) => `'${id}'`).join(',');
  const conn = new Connection({ instanceUrl: sandbox.info.salesforce.instanceUrl, accessToken: sandbox.info.salesforce.accessToken, version: sandbox.info.salesforce.apiVersion });
  let landed = 0;
  while (landed < BURST && performance.now() - burstStarted < 120_000) {
    await new Promise((r) => setTimeout(r, 200));
    const counts = await running.queues.handoff.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
    if (Object.values(counts).some((n) => n > 0)) continue;
    landed = (await conn.query(`SELECT COUNT() FROM Lead WHERE ${config.mapping.external_id_field} IN (${quoted})`)).totalSize;
  }
  const burstMs = lastCompletedAt - burstStarted;
  const calls = await sandbox.requests();
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  await events.close();
  console.log(
    JSON.stringify({
      sequential: {
        handoffs: SEQUENTIAL,
        p50Ms: Math.round(percentile(latencies, 50)),
        p95Ms: Math.round(percentile(latencies, 95)),
        maxMs: Math.round(latencies.at(-1)!),
        measured: 'contact created in HubSpot → webhook → hand-off job completed (lead owned, task created, owner written back)',
      },
      burst: {
        contacts: BURST,
        landed,
        contactsPerSecond: Math.round((1000 * landed) / burstMs),
        durationMs: Math.round(burstMs),
        apiCalls: { hubspot: sum(calls.hubspot), salesforce: sum(calls.salesforce), hubspotBatchReads: calls.hubspot['contacts.batch.read'] ?? 0 },
        measured: 'contacts imported into HubSpot at once → every lead owned in Salesforce with its task',
      },
      goals: { p50Ms: 300, p95Ms: 1000 },
    }),
  );
} finally {
  await running?.stop();
  await sandbox.stop();
  await bench.dispose().catch(() => undefined);
  rmSync(configDir, { recursive: true, force: true });
}
