/**
 * Hostile webhooks: `leadloop start --role all` in a child process (so the memory sampled is its
 * own) against the sandbox, and 10,000 requests to POST /webhooks/hubspot over 16 keep-alive
 * connections: bad, missing and old-scheme signatures, stale and future timestamps, garbage,
 * truncated and wrongly shaped JSON, 2 MB bodies, empty bodies, no or wrong Content-Type, other
 * methods and paths, 100-event batches of subscription types leadloop ignores — and, among them,
 * valid signed batches for contacts created in the sandbox's HubSpot.
 *
 * Holds: no answer is a 5xx (every kind gets exactly the status the README promises); every
 * answer is short JSON in leadloop's words (no stack, no internal error name or message, nothing
 * the request sent); every contact of a valid batch becomes exactly one Salesforce lead; and the
 * child's memory after a forced GC is flat between the end of a 1,000-request warm-up and the end
 * of the 10,000 (bounds below). Replay a mix with CHAOS_HOSTILE_SEED.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_GATE } from '../src/api-gate.ts';
import { hubspotAdapters } from '../src/app.ts';
import { freePort } from '../src/cli/demo-redis.ts';
import { loadEnv } from '../src/config/env.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { setupHubSpot } from '../src/pipeline/setup.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/server.ts';
import { deleteKeysWithPrefix, TEST_REDIS_URL, testConnection, uniqueTestPrefix } from '../test/support/redis.ts';
import { type ChildMemory, type LeadloopChild, startLeadloopChild } from './hostile/child.ts';
import { boothScan, type HostileRequest, hostileMix, KINDS, type Kind } from './hostile/requests.ts';

const TOTAL = 10_000;
const WARM_UP = 1_000;
const IN_FLIGHT = 16;
const SEED = Number(process.env.CHAOS_HOSTILE_SEED ?? 20_261_203);
const MB = 1024 * 1024;

// Memory bounds, between the warm-up's end and the run's end, both sampled after a forced full GC
// with the hand-off queue idle. 9,000 requests pass between the two, about 420 of them 2 MB bodies,
// and about 800 contacts are handed off.
// - Heap: a leak of one small object graph per request (≥ 1 KB) would add ≥ 9 MB. Measured: +0.6
//   to +2.5 MB, the latter over 24,000 hand-offs in a row (code and caches of paths taken late).
// - RSS: hostile requests alone leave it flat (10,000 of them, 2 MB bodies and bad signatures
//   only: -0.3 MB). Hand-offs do not: glibc and V8 keep pages they freed, about 17 KB per hand-off
//   at first, levelling off after ~10,000 (+122 MB over 7,200 hand-offs, +159 MB over 24,000;
//   about the same with the ledger on PostgreSQL instead of PGlite, so not the embedded database),
//   while the heap stays flat. Measured in this mix: +17 to +32 MB on a quiet machine, +68 MB once
//   with the machine's load average at 9 on 2 cores (heap +0.9 MB, external flat). 96 MB still
//   catches keeping one in nine of the 2 MB bodies, or ~120 KB per hand-off.
const HEAP_GROWTH_LIMIT = 8 * MB;
const RSS_GROWTH_LIMIT = 96 * MB;

interface Outcome {
  status: number;
  kind: Kind;
  problems: string[];
}

/** What a refusal may say: short JSON in leadloop's words. Anything else in a body is a finding. */
const INTERNAL = [
  /\bat\s+\S+\s+\(/, // a stack frame
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules|node:internal|\/work\/|\/src\//,
  /\b[A-Z][A-Za-z]*(Error|Exception)\b/, // SyntaxError, TypeError, ZodError, LeadloopError, ...
  /FST_ERR|ERR_[A-Z_]+|E(CONN|PIPE|ADDR)[A-Z]*/,
  /Unexpected (token|end|non-whitespace)|at position \d|\.\.\." is not valid JSON/, // V8's JSON.parse messages
  /redis|pglite|postgres|bullmq|ioredis|fastify|kysely/i,
  /canary-\d+/, // what the request sent
];

function checkAnswer(request: HostileRequest, status: number, contentType: string | undefined, text: string): string[] {
  const problems: string[] = [];
  if (status !== request.expected) problems.push(`status ${status}, expected ${request.expected}`);
  if (text.length > 300) problems.push(`answer of ${text.length} characters`);
  for (const pattern of INTERNAL) if (pattern.test(text)) problems.push(`answer matches ${pattern}: ${text.slice(0, 200)}`);
  if (!String(contentType).startsWith('application/json')) problems.push(`content-type ${contentType}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    problems.push(`answer is not JSON: ${text.slice(0, 100)}`);
    return problems;
  }
  if (status >= 400) {
    const keys = Object.keys(body as object);
    if (!keys.includes('error') || keys.some((k) => k !== 'error' && k !== 'reason')) problems.push(`refusal with keys ${keys.join(',')}`);
  } else if ((body as { ok?: unknown }).ok !== true) problems.push(`2xx without ok: ${text.slice(0, 100)}`);
  return problems;
}

describe('hostile webhooks against leadloop start --role all (child process)', () => {
  let sandbox: Sandbox;
  let child: LeadloopChild | undefined;
  let prefix: string;
  const dirs: string[] = [];
  const redis = testConnection();
  let handoffQueue: Queue;

  beforeAll(async () => {
    sandbox = await startSandbox({ contacts: 0, seed: 11 });
    const configDir = mkdtempSync(join(tmpdir(), 'leadloop-chaos-hostile-config-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-chaos-hostile-data-'));
    dirs.push(configDir, dataDir);
    cpSync(join(import.meta.dirname, '../config'), configDir, { recursive: true });
    // No scheduled sync: every lead must come from a webhook hand-off.
    const syncFile = join(configDir, 'sync.yaml');
    writeFileSync(syncFile, readFileSync(syncFile, 'utf8').replace('sync_leads: { every: 5m }', 'sync_leads: { every: 5m, enabled: false }'));
    prefix = uniqueTestPrefix('hostile');
    const env: Record<string, string> = {
      ...sandbox.connectionInfo().env,
      REDIS_URL: TEST_REDIS_URL,
      LEADLOOP_PREFIX: prefix,
      LEADLOOP_CONFIG_DIR: configDir,
      LEADLOOP_DATA_DIR: dataDir,
      // Refusals log at info and warn: only failures (a 5xx logs at error) are kept.
      LOG_LEVEL: 'error',
    };
    const { config } = await loadConfigDirOrThrow(configDir);
    const portal = hubspotAdapters(loadEnv(env, { needs: ['hubspot'] }), config, OPEN_GATE);
    await setupHubSpot(portal.hubspot, portal.deals, config.mapping);
    child = await startLeadloopChild(env, await freePort());
    handoffQueue = new Queue('handoff', { connection: redis, prefix });
  }, 120_000);

  afterAll(async () => {
    await child?.stop().catch(() => undefined);
    await handoffQueue?.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    await sandbox?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${TOTAL.toLocaleString('en')} hostile requests without a 5xx or an internal word, hands off every valid contact once, and keeps its memory flat`, async () => {
    const running = child!;
    const webhookUrl = `${running.url}/webhooks/hubspot`;
    const clientSecret = sandbox.connectionInfo().hubspot.clientSecret;
    const created: string[] = [];
    const mix = hostileMix({
      seed: SEED,
      webhookUrl,
      clientSecret,
      createContact: (i) => {
        const contact = sandbox.hubspot.createContact(boothScan(i));
        created.push(contact.id);
        return contact.id;
      },
    });
    const pool = new Pool(running.url, { connections: IN_FLIGHT, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const outcomes: Outcome[] = [];
    const announced = new Set<string>();
    let clientErrors = 0;
    const clientErrorSamples: string[] = [];
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, running.procStatus().rss);
    }, 100);

    const send = async (index: number) => {
      const request = mix.next(index);
      try {
        const answer = await pool.request({ method: request.method, path: request.path, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
        const text = await answer.body.text();
        const contentType = answer.headers['content-type'];
        const problems = checkAnswer(request, answer.statusCode, Array.isArray(contentType) ? contentType[0] : contentType, text);
        outcomes.push({ status: answer.statusCode, kind: request.kind, problems });
        if (answer.statusCode === 200) for (const id of request.contactIds ?? []) announced.add(id);
      } catch (error) {
        clientErrors += 1;
        if (clientErrorSamples.length < 10) clientErrorSamples.push(`${request.kind}: ${String((error as Error).message)}`);
        outcomes.push({ status: 0, kind: request.kind, problems: ['no answer'] });
      }
    };
    let nextIndex = 0;
    const sendUpTo = async (end: number) => {
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let i = nextIndex++; i < end; i = nextIndex++) await send(i);
        }),
      );
      nextIndex = end;
    };
    const leadsByContact = () => {
      const counts = new Map<string, number>();
      for (const lead of sandbox.salesforce.records('Lead')) {
        const id = lead.HubSpot_Contact_Id__c;
        if (id) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
      }
      return counts;
    };
    /** Waits until every announced contact has a lead and the hand-off queue is idle. */
    const settle = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await handoffQueue.getJobCounts('active', 'waiting', 'prioritized', 'delayed', 'waiting-children');
        const leads = leadsByContact();
        const missing = [...announced].filter((id) => !leads.has(id));
        if ((missing.length === 0 && Object.values(counts).every((n) => n === 0)) || Date.now() > deadline) return { missing, counts };
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const started = performance.now();
    try {
      const before = await running.memory();
      // The kernel's high-water mark so far: reached while leadloop started (the embedded ledger's start).
      const startupHighWater = running.procStatus().peakRss;
      await sendUpTo(WARM_UP);
      const warmSettle = await settle(60_000);
      const warm = await running.memory();
      await sendUpTo(TOTAL);
      const sendMs = performance.now() - started;
      const endSettle = await settle(120_000);
      const settledMs = performance.now() - started;
      const after = await running.memory();
      clearInterval(sampler);
      // A high-water mark above the startup one was set during the run: then it is the run's peak.
      const endHighWater = running.procStatus().peakRss;
      if (endHighWater > startupHighWater) peakRss = Math.max(peakRss, endHighWater);
      await pool.close();

      // Figures first, so a failure still shows them.
      const byStatus: Record<number, number> = {};
      const byKind: Partial<Record<Kind, Record<number, number>>> = {};
      for (const o of outcomes) {
        byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
        const k = byKind[o.kind] ?? {};
        k[o.status] = (k[o.status] ?? 0) + 1;
        byKind[o.kind] = k;
      }
      const leads = leadsByContact();
      const failed = await handoffQueue.getJobCounts('failed', 'completed');
      const mb = (n: number) => Math.round((n / MB) * 10) / 10;
      const memory = (m: ChildMemory) => ({ rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) });
      console.log(
        JSON.stringify(
          {
            seed: SEED,
            requests: outcomes.length,
            inFlight: IN_FLIGHT,
            byStatus,
            byKind,
            clientErrors,
            clientErrorSamples,
            sendSeconds: Math.round(sendMs) / 1000,
            untilHandedOffSeconds: Math.round(settledMs) / 1000,
            contactsCreated: created.length,
            contactsAnnounced: announced.size,
            leadsForAnnounced: [...announced].filter((id) => leads.has(id)).length,
            handoffJobs: failed,
            memory: {
              before: memory(before),
              afterWarmUp: memory(warm),
              after: memory(after),
              runPeakRssMB: mb(peakRss),
              startupHighWaterRssMB: mb(startupHighWater),
              endHighWaterRssMB: mb(endHighWater),
            },
            growthAfterWarmUp: { rssMB: mb(after.rss - warm.rss), heapUsedMB: mb(after.heapUsed - warm.heapUsed) },
            warmSettle,
            childErrors: running.errorLines().slice(0, 5),
          },
          null,
          1,
        ),
      );

      // No 5xx, and every kind got exactly what the README says.
      expect(Object.keys(byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
      expect(clientErrors, clientErrorSamples.join('\n')).toBe(0);
      const problems = outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.kind}: ${o.problems.join('; ')}`);
      expect([...new Set(problems)].slice(0, 20)).toEqual([]);
      expect(outcomes).toHaveLength(TOTAL);
      for (const kind of Object.keys(KINDS) as Kind[]) expect(byKind[kind], `the mix sent no ${kind}`).toBeDefined();
      expect(running.errorLines()).toEqual([]);

      // Every valid contact handed off: exactly one lead each, and no lead for anyone else.
      expect(endSettle.missing).toEqual([]);
      expect(announced.size).toBeGreaterThan(300);
      expect(new Set(announced)).toEqual(new Set(created));
      for (const id of announced) expect(leads.get(id), `leads of contact ${id}`).toBe(1);
      expect([...leads.keys()].filter((id) => !announced.has(id))).toEqual([]);
      expect(failed.failed).toBe(0);

      // Memory flat after the warm-up.
      expect(after.heapUsed - warm.heapUsed).toBeLessThan(HEAP_GROWTH_LIMIT);
      expect(after.rss - warm.rss).toBeLessThan(RSS_GROWTH_LIMIT);

      // And it still stops cleanly within its shutdown budget.
      const stopped = await running.stop();
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms).toBeLessThan(10_000);
    } finally {
      clearInterval(sampler);
      await pool.close().catch(() => undefined);
    }
  });
});
