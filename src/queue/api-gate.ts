import { AsyncLocalStorage } from 'node:async_hooks';
import type { Registry } from 'prom-client';
import type { ApiCall, ApiGate } from '../api-gate.ts';
import { BudgetSpent } from '../errors/index.ts';
import { endpointLabel, leadloopMetrics } from '../metrics.ts';
import type { Lane } from './budget-math.ts';
import type { BudgetGovernor } from './budget.ts';

const laneOfWork = new AsyncLocalStorage<Lane>();

/**
 * Runs `work` with its API calls in `lane`: webhook hand-offs draw on the share the budgets keep
 * for them, scheduled work (the default, `bulk`) stops short of it. One client serves both.
 */
export function withLane<T>(lane: Lane, work: () => T): T {
  return laneOfWork.run(lane, work);
}

/** The lane of the work running now (bulk outside withLane). */
export function currentLane(): Lane {
  return laneOfWork.getStore() ?? 'bulk';
}

/**
 * The budget governor as the API adapters' gate (src/api-gate.ts):
 * - HubSpot calls wait for the shared rolling 10-second budget, search calls for the per-second
 *   search budget (both in Redis, shared by every process), so a healthy run causes no 429;
 * - Salesforce calls take from leadloop's share of the org's daily allocation; a spent share is
 *   not waited for inside the job (it frees only as old calls leave Salesforce's rolling 24 h):
 *   the call is refused with BUDGET_SPENT and the queue delays or pauses the work;
 * - token requests cost no API allocation and pass;
 * - every answer feeds the readings back: HubSpot's `X-HubSpot-RateLimit-Daily(-Remaining)` (at
 *   most every 5 s: the governor counts our own calls in between) and Salesforce's
 *   `Sforce-Limit-Info`, and counts the call (`leadloop_api_calls_total`, 429s in `leadloop_api_rate_limited_total`).
 */
export function governorGate(governor: BudgetGovernor, options: { registry?: Registry; readingEveryMs?: number } = {}): ApiGate {
  const metrics = leadloopMetrics(options.registry);
  const hubspotDaily = everyFewMs((reading: { limit: number; remaining: number }) => governor.observeHubSpotDaily(reading), options.readingEveryMs ?? 5_000);
  return {
    async before(call: ApiCall) {
      if (call.kind === 'auth') return;
      const lane = currentLane();
      if (call.system === 'hubspot') {
        await governor.acquire(call.kind === 'search' ? 'hubspot-search' : 'hubspot', 1, lane);
        return;
      }
      const decision = await governor.take('salesforce', 1, { lane });
      if (decision.granted) return;
      const reserveLeft = lane === 'bulk' ? ((await governor.salesforceAllowance())?.remaining ?? 0) > 0 : false;
      throw new BudgetSpent(lane, decision.waitMs, reserveLeft);
    },
    async after(call, answer) {
      const endpoint = endpointLabel(call.path);
      metrics.apiCalls.inc({ system: call.system, kind: call.kind, endpoint, status: answer.status > 0 ? `${Math.floor(answer.status / 100)}xx` : 'none' });
      if (answer.status === 429) metrics.rateLimited.inc({ system: call.system, endpoint });
      if (call.system === 'hubspot') {
        const limit = Number(answer.headers['x-hubspot-ratelimit-daily']);
        const remaining = Number(answer.headers['x-hubspot-ratelimit-daily-remaining']);
        if (answer.headers['x-hubspot-ratelimit-daily-remaining'] !== undefined && Number.isFinite(limit) && Number.isFinite(remaining)) hubspotDaily({ limit, remaining });
        return;
      }
      const usage = /api-usage=(\d+)\/(\d+)/.exec(answer.headers['sforce-limit-info'] ?? '');
      if (usage) await governor.observeSalesforceUsage({ used: Number(usage[1]), limit: Number(usage[2]) });
    },
  };
}

/** Passes a reading on at most every `intervalMs`; a failed write is retried with the next reading. */
function everyFewMs<T>(observe: (reading: T) => Promise<void>, intervalMs: number): (reading: T) => void {
  let last = 0;
  return (reading) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    observe(reading).catch(() => (last = 0));
  };
}
