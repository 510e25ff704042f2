import { Counter, collectDefaultMetrics, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';

/**
 * Every Prometheus metric leadloop defines, in one place so that names, types and labels can be
 * read (and documented in the README) at a glance. Labels stay bounded: queues, job names,
 * systems, endpoints with their ids replaced, error codes — never a record id, an email or free text.
 * The pause gauges (src/queue/pause.ts) are defined beside the code that owns them; config
 * reloads come with the config loader.
 */
export interface LeadloopMetrics {
  /** `leadloop_jobs_total{queue,job,outcome}`. */
  jobs: Counter<'queue' | 'job' | 'outcome'>;
  /** `leadloop_job_duration_seconds{queue,job,outcome}`. */
  jobDuration: Histogram<'queue' | 'job' | 'outcome'>;
  /** `leadloop_handoff_latency_seconds{outcome}`: webhook received → lead written. */
  handoffLatency: Histogram<'outcome'>;
  /** `leadloop_api_calls_total{system,kind,endpoint,status}`. */
  apiCalls: Counter<'system' | 'kind' | 'endpoint' | 'status'>;
  /** `leadloop_api_rate_limited_total{system,endpoint}`: 429 answers. */
  rateLimited: Counter<'system' | 'endpoint'>;
  /** `leadloop_dead_letters_total{system,operation,reason}`: records quarantined (reason: its error code). */
  deadLetters: Counter<'system' | 'operation' | 'reason'>;
  /** `leadloop_webhook_events_total{type,result}`: HubSpot webhook events and what leadloop did with them. */
  webhookEvents: Counter<'type' | 'result'>;
  /** `leadloop_sla_breaches_total{temperature,escalated}`. */
  slaBreaches: Counter<'temperature' | 'escalated'>;
  /** Gauges read from Redis at each scrape: what they read is set by `watch`. */
  watch(sources: StateSources): void;
}

/** What the scrape-time gauges read (the budgets and cursors in Redis). */
export interface StateSources {
  /** Calls used and limits of the rolling windows, and what is left of the daily allowances. */
  budgets?: () => Promise<BudgetReading[]>;
  /** Each flow's cursor (epoch ms of the newest record taken), undefined before its first run. */
  cursors?: () => Promise<Record<string, number | undefined>>;
  now?: () => number;
}

export interface BudgetReading {
  budget: string;
  used?: number;
  limit?: number;
  remaining?: number;
}

/** What a job's run came to: `completed`, `delayed` (budget, pause: no attempt spent), `retry` (an attempt spent), `failed` (for good). */
export type JobOutcome = 'completed' | 'delayed' | 'retry' | 'failed';

const byRegistry = new WeakMap<Registry, LeadloopMetrics>();
let processMetricsOn = false;

/** prom-client's default registry, where leadloop's metrics live, with Node's process metrics (`leadloop_process_*`, `leadloop_nodejs_*`) added once. */
export function processRegistry(): Registry {
  if (!processMetricsOn) {
    collectDefaultMetrics({ register: defaultRegistry, prefix: 'leadloop_' });
    processMetricsOn = true;
  }
  leadloopMetrics(defaultRegistry);
  return defaultRegistry;
}

/** leadloop's metrics on `registry` (prom-client's default registry unless given), created once per registry. */
export function leadloopMetrics(registry: Registry = defaultRegistry): LeadloopMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  let sources: StateSources = {};
  const metrics: LeadloopMetrics = {
    jobs: new Counter({ name: 'leadloop_jobs_total', help: 'Job runs by queue, job name and outcome', labelNames: ['queue', 'job', 'outcome'], registers }),
    jobDuration: new Histogram({
      name: 'leadloop_job_duration_seconds',
      help: 'How long job runs took, by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    handoffLatency: new Histogram({
      name: 'leadloop_handoff_latency_seconds',
      help: "From the webhook's arrival to the lead written in Salesforce, by the hand-off's outcome",
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    apiCalls: new Counter({
      name: 'leadloop_api_calls_total',
      help: 'HTTP requests to HubSpot and Salesforce, by system, kind, endpoint (ids replaced) and status class',
      labelNames: ['system', 'kind', 'endpoint', 'status'],
      registers,
    }),
    rateLimited: new Counter({ name: 'leadloop_api_rate_limited_total', help: 'HTTP 429 answers from HubSpot and Salesforce', labelNames: ['system', 'endpoint'], registers }),
    deadLetters: new Counter({
      name: 'leadloop_dead_letters_total',
      help: 'Records quarantined in the dead-letter list, by system, operation and error code',
      labelNames: ['system', 'operation', 'reason'],
      registers,
    }),
    webhookEvents: new Counter({
      name: 'leadloop_webhook_events_total',
      help: 'HubSpot webhook events by type and what leadloop did with them',
      labelNames: ['type', 'result'],
      registers,
    }),
    slaBreaches: new Counter({
      name: 'leadloop_sla_breaches_total',
      help: 'Hand-offs not touched within their SLA, by temperature and whether the breach was escalated',
      labelNames: ['temperature', 'escalated'],
      registers,
    }),
    watch(next) {
      sources = next;
    },
  };
  // prom-client collects every metric of a scrape at once: the three budget gauges share one reading of Redis.
  let reading: { at: number; readings: Promise<BudgetReading[]> } | undefined;
  const budgetReadings = (): Promise<BudgetReading[]> => {
    const now = Date.now();
    if (!reading || now - reading.at > 500) {
      // Redis down: no reading rather than a failed scrape (readyz reports the outage).
      reading = { at: now, readings: (sources.budgets?.() ?? Promise.resolve([])).catch(() => []) };
    }
    return reading.readings;
  };
  const budgetGauge = (name: string, help: string, field: 'used' | 'limit' | 'remaining') => {
    const gauge: Gauge<'budget'> = new Gauge({
      name,
      help,
      labelNames: ['budget'],
      registers,
      async collect() {
        gauge.reset();
        for (const r of await budgetReadings()) {
          const value = r[field];
          if (value !== undefined) gauge.set({ budget: r.budget }, value);
        }
      },
    });
  };
  budgetGauge('leadloop_api_budget_used', 'API calls taken in the current window of each rolling budget', 'used');
  budgetGauge('leadloop_api_budget_limit', 'The limit of each rolling budget (calls per window)', 'limit');
  budgetGauge('leadloop_api_budget_remaining', 'Calls left of each daily allowance, as last read from the API (absent without a fresh reading)', 'remaining');
  new Gauge({
    name: 'leadloop_sync_lag_seconds',
    help: "Now minus each flow's cursor (the newest record it has taken); absent before a flow's first run",
    labelNames: ['flow'],
    registers,
    async collect() {
      this.reset();
      const now = (sources.now ?? Date.now)();
      try {
        for (const [flow, at] of Object.entries((await sources.cursors?.()) ?? {})) if (at !== undefined) this.set({ flow }, Math.max(0, (now - at) / 1000));
      } catch {
        // Redis down: no reading rather than a failed scrape (readyz reports the outage).
      }
    },
  });
  byRegistry.set(registry, metrics);
  return metrics;
}

/**
 * An API path as a bounded label: the version, and every segment that carries an id, a number or
 * an address, replaced (`/crm/v3/objects/contacts/123` → `/crm/v3/objects/contacts/:id`), at most
 * six segments deep.
 */
export function endpointLabel(path: string): string {
  const segments = path
    .split('?')[0]!
    .split('/')
    .filter(Boolean)
    .slice(0, 6)
    .map((segment) => (/^v\d+(\.\d+)?$/.test(segment) ? segment.replace(/^v(\d+)\.\d+$/, 'v$1') : /[\d@%.]/.test(segment) ? ':id' : segment));
  return `/${segments.join('/')}`;
}

/** A dead letter's reason as a bounded label: its leading error code (`REQUIRED_FIELD_MISSING: Company` → `REQUIRED_FIELD_MISSING`), else `other`. */
export function reasonLabel(reason: string): string {
  const code = /^[A-Za-z][A-Za-z0-9_-]{1,63}(?=[:\s]|$)/.exec(reason.trim())?.[0];
  return code && /^[A-Z0-9_-]+$/.test(code) ? code : 'other';
}
