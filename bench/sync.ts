/**
 * Lead-sync figures on the sandbox (default rate limits on): API calls per 1,000 contacts for
 * leadloop and for a naive per-record baseline (one search, one upsert, one task, one update per
 * contact), the calls of the cycle that re-reads our own write-back and of an idle cycle, 429s
 * caused, and peak RSS. JSON on the last line.
 */
import { Client } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { decide } from '../src/domain/decide.ts';
import { HubSpotContacts } from '../src/hubspot/hubspot-contacts.ts';
import { writebackProperties } from '../src/domain/setup.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/server.ts';
import { benchApp, CONFIG_DIR, redisAnswers } from './support.ts';

const CONTACTS = Number(process.env.BENCH_SYNC_CONTACTS ?? 5_000);
const NAIVE_CONTACTS = Number(process.env.BENCH_NAIVE_CONTACTS ?? 100);
const { config } = await loadConfigDirOrThrow(CONFIG_DIR);
const calls = (s: Sandbox) => {
  const snap = s.requestLog.snapshot();
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  // Per endpoint too, so a change to the sync shows where its calls went.
  const byEndpoint = Object.fromEntries(
    [...Object.entries(snap.hubspot).map(([e, n]) => [`hubspot ${e}`, n]), ...Object.entries(snap.salesforce).map(([e, n]) => [`salesforce ${e}`, n])].sort((a, b) => Number(b[1]) - Number(a[1])),
  );
  return {
    hubspot: sum(snap.hubspot),
    salesforce: sum(snap.salesforce),
    total: sum(snap.hubspot) + sum(snap.salesforce),
    limited: (snap.statuses.hubspot[429] ?? 0) + (snap.statuses.salesforce[403] ?? 0),
    byEndpoint,
  };
};
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

/**
 * One first cycle over CONTACTS new contacts, then the cycle re-reading our write-back, then an idle one.
 * `incremental`: a search cursor is set first, so the first cycle is the scheduled (search) pull
 * rather than the backfill through the list endpoint a first run takes.
 */
async function leadloop(mode: 'backfill' | 'incremental') {
  const sandbox = await startSandbox({ contacts: CONTACTS, seed: 31 });
  const bench = await benchApp(sandbox.connectionInfo(), { label: `sync-${mode}` });
  try {
    const deps = bench.app.deps;
    if (mode === 'incremental') await deps.state.saveCursor({ at: 0, idsAtBoundary: [] });
    sandbox.requestLog.reset();
    const started = performance.now();
    const first = await syncLeads(deps, { indexingLagMs: 0 });
    const firstMs = performance.now() - started;
    const firstCalls = calls(sandbox);
    sandbox.requestLog.reset();
    await syncLeads(deps, { indexingLagMs: 0 });
    const rereadCalls = calls(sandbox);
    sandbox.requestLog.reset();
    await syncLeads(deps, { indexingLagMs: 0 });
    const idleCalls = calls(sandbox);
    return {
      firstCycle: mode === 'backfill' ? 'backfill (list endpoint, no cursor yet)' : 'incremental (search from a cursor)',
      contacts: CONTACTS,
      qualified: first.qualified,
      created: first.created,
      firstCycleMs: Math.round(firstMs),
      callsFirstCycle: firstCalls,
      callsPer1000: Math.round((10_000 * firstCalls.total) / CONTACTS) / 10,
      callsRereadingOwnWriteback: rereadCalls.total,
      callsRereadByEndpoint: rereadCalls.byEndpoint,
      callsIdleCycle: idleCalls.total,
      rateLimitedResponses: firstCalls.limited + rereadCalls.limited + idleCalls.limited,
    };
  } finally {
    await bench.dispose();
    await sandbox.close();
  }
}

/** The per-record integration leadloop replaces: a search, an upsert, a task and an update per contact. */
async function naive() {
  const sandbox = await startSandbox({ contacts: NAIVE_CONTACTS, seed: 31 });
  try {
    const info = sandbox.connectionInfo();
    const hubspot = new Client({ accessToken: info.hubspot.accessToken, basePath: info.hubspot.baseUrl, numberOfApiCallRetries: 1 });
    await new HubSpotContacts(hubspot).ensureProperties({ name: 'leadloop', label: 'leadloop' }, writebackProperties(config.mapping));
    const sf = new Connection({ instanceUrl: info.salesforce.instanceUrl, accessToken: info.salesforce.accessToken, version: '64.0' });
    sandbox.requestLog.reset();
    for (let i = 0; i < NAIVE_CONTACTS; i++) {
      const id = String(1001 + i);
      await new Promise((r) => setTimeout(r, 210)); // stay under 5 searches a second
      const page = await hubspot.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: id }] }],
        sorts: [],
        properties: ['email', 'firstname', 'lastname', 'company', 'lead_source', 'industry', 'numemployees', 'jobtitle', 'country'],
        limit: 1,
        after: '0',
      } as never);
      const contact = page.results[0];
      if (!contact) continue;
      const d = decide({ id, properties: contact.properties }, {}, config, { now: Date.now(), roundRobin: {}, loadToday: {}, accountByDomain: () => undefined });
      const fields = d.lead?.create;
      if (d.score.handoff && fields) {
        const lead = await sf
          .sobject('Lead')
          .upsert({ ...fields, LastName: fields.LastName ?? 'x', Company: fields.Company ?? 'x' }, 'HubSpot_Contact_Id__c')
          .catch(() => undefined);
        if (lead?.id)
          await sf
            .sobject('Task')
            .create({ Subject: 'Follow up', WhoId: lead.id } as never)
            .catch(() => undefined);
      }
      await hubspot.crm.contacts.basicApi.update(id, { properties: { leadloop_score: String(d.score.score) } });
    }
    const c = calls(sandbox);
    return { contacts: NAIVE_CONTACTS, calls: c.total, callsPer1000: Math.round((10_000 * c.total) / NAIVE_CONTACTS) / 10 };
  } finally {
    await sandbox.close();
  }
}

if (!(await redisAnswers())) {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}
const ours = await leadloop('backfill');
const incremental = await leadloop('incremental');
const baseline = await naive();
clearInterval(sampler);
console.log(
  JSON.stringify({
    leadloop: ours,
    leadloopIncremental: incremental,
    naive: baseline,
    ratio: Math.round((10 * baseline.callsPer1000) / ours.callsPer1000) / 10,
    peakRssMb: Math.round(peakRss / 1_048_576),
    goals: { callsPer1000: 30, idleCycleCalls: '1-2', rateLimited: 0 },
  }),
);
