import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLeadloop, type LeadloopContext, until } from '../support/leadloop.ts';

const boothScan = {
  email: 'mika.scan@northwind-logistics.example',
  firstname: 'Mika',
  lastname: 'Scan',
  company: 'Northwind Logistics',
  jobtitle: 'VP of Data',
  country: 'Germany',
  numemployees: '1000+',
  industry: 'COMPUTER_SOFTWARE',
  lead_source: 'trade_show',
  lead_source_detail: 'Data Summit 2026',
  lead_source_date: new Date().toISOString(),
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
};

/** The samples of one metric in Prometheus' text format: labels (as written) → value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const labels = Object.fromEntries([...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) };
    });
}

describe('GET /metrics after a sync and a webhook hand-off', () => {
  let ctx: LeadloopContext & { close(): Promise<void> };
  let text: string;
  beforeAll(async () => {
    ctx = await openLeadloop({ sandbox: { contacts: 40, seed: 11, hubspot: { webhooks: { targetUrl: 'http://127.0.0.1:9/unset', batchDelayMs: 5 } } } });
    await ctx.running.queues.sync.add('sync-leads', {});
    await until(
      async () => (await ctx.running.queues.sync.getJobs(['completed'], 0, -1)).filter((job) => job.name === 'sync-leads'),
      (jobs) => jobs.length > 0,
      30_000,
    );
    const contact = ctx.sandbox.hubspot.createContact(boothScan);
    await until(
      async () => (await ctx.running.queues.handoff.getJobs(['completed'], 0, -1)).filter((job) => (job.data as { contactId: string }).contactId === contact.id),
      (jobs) => jobs.length > 0,
      20_000,
    );
    const response = await fetch(`${ctx.running.url}/metrics`);
    expect(response.status).toBe(200);
    text = await response.text();
  }, 120_000);
  afterAll(() => ctx?.close());

  it('counts jobs by queue, job and outcome, with their durations', () => {
    expect(samples(text, 'leadloop_jobs_total')).toEqual(
      expect.arrayContaining([
        { labels: { queue: 'sync', job: 'sync-leads', outcome: 'completed' }, value: 1 },
        { labels: { queue: 'handoff', job: 'handoff-lead', outcome: 'completed' }, value: expect.any(Number) },
      ]),
    );
    const durations = samples(text, 'leadloop_job_duration_seconds_count');
    expect(durations).toContainEqual({ labels: { queue: 'sync', job: 'sync-leads', outcome: 'completed' }, value: 1 });
    expect(samples(text, 'leadloop_job_duration_seconds_bucket').some((s) => s.labels.queue === 'handoff' && s.labels.le === '+Inf' && s.value >= 1)).toBe(true);
  });

  it('has the hand-off latency histogram, from the webhook to the lead', () => {
    const count = samples(text, 'leadloop_handoff_latency_seconds_count');
    expect(count).toContainEqual({ labels: { outcome: 'handled' }, value: expect.any(Number) });
    expect(count.find((s) => s.labels.outcome === 'handled')!.value).toBeGreaterThanOrEqual(1);
  });

  it('counts API calls by system, kind, endpoint (ids replaced) and status class', () => {
    const calls = samples(text, 'leadloop_api_calls_total');
    expect(calls.some((s) => s.labels.system === 'hubspot' && s.labels.kind === 'search' && s.labels.endpoint === '/crm/v3/objects/contacts/search' && s.labels.status === '2xx')).toBe(true);
    expect(calls.some((s) => s.labels.system === 'salesforce' && s.labels.status === '2xx' && s.labels.endpoint!.startsWith('/services/data/'))).toBe(true);
    // Bounded labels: no record id, no email anywhere in an endpoint.
    for (const s of calls) expect(s.labels.endpoint).not.toMatch(/\d{3,}|@|00Q|003/);
  });

  it('shows budget use against each rolling limit, and the lead sync lag', () => {
    expect(samples(text, 'leadloop_api_budget_limit').map((s) => s.labels.budget)).toEqual(expect.arrayContaining(['hubspot-10s', 'hubspot-search-1s']));
    expect(samples(text, 'leadloop_api_budget_used').map((s) => s.labels.budget)).toEqual(expect.arrayContaining(['hubspot-10s', 'hubspot-search-1s']));
    const lag = samples(text, 'leadloop_sync_lag_seconds');
    expect(lag.map((s) => s.labels.flow)).toContain('leads');
    expect(lag.every((s) => s.value >= 0)).toBe(true);
  });

  it('declares the counters that are zero so far, the webhook events, and process metrics', () => {
    for (const name of ['leadloop_api_rate_limited_total', 'leadloop_dead_letters_total', 'leadloop_sla_breaches_total']) expect(text).toContain(`# TYPE ${name} counter`);
    expect(samples(text, 'leadloop_webhook_events_total')).toContainEqual({ labels: { type: 'all', result: 'received' }, value: expect.any(Number) });
    expect(text).toContain('# TYPE leadloop_process_cpu_seconds_total counter');
  });
});
