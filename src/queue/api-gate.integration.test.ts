import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSalesforce } from '../salesforce/connection.ts';
import { queryAll } from '../salesforce/query.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { budgetConfigFromSync, BudgetGovernor, DEFAULT_BUDGETS } from './budget.ts';
import type { Lane } from './budget-math.ts';
import { decideRetry } from './retry.ts';
import { BudgetSpent } from '../errors/index.ts';
import { governorGate, withLane } from './api-gate.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

// sync.yaml's defaults: leadloop may use 30% of the org's allocation, 20% of that kept for hand-offs.
const budgets = budgetConfigFromSync({
  hubspot: { per_10_seconds: 150, search_per_second: 4, handoff_reserve: 0.2 },
  salesforce: { daily_share: 0.3, handoff_reserve: 0.2 },
});

let sandbox: Sandbox;
let first: Redis;
let second: Redis;
let prefix: string;

beforeEach(async () => {
  first = testConnection();
  second = testConnection();
  prefix = uniqueTestPrefix('sfgate');
  // An org with 100 calls a day: leadloop's cap is 30, of which 6 are kept for hand-offs.
  sandbox = await startSandbox({ salesforce: { dailyApiLimit: 100 } });
});
afterEach(async () => {
  await sandbox.close();
  await deleteKeysWithPrefix(first, prefix);
  first.disconnect();
  second.disconnect();
});

/** A worker's connection: its own Redis client, the shared budget. */
async function worker(redis: Redis) {
  const governor = new BudgetGovernor(redis, prefix, budgets);
  const info = sandbox.connectionInfo().salesforce;
  const conn = await connectSalesforce({
    auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken },
    apiVersion: '64.0',
    gate: governorGate(governor, { registry: new Registry() }),
  });
  return { conn, governor };
}

/** The calls of `work` in `lane` (a worker runs each job in its lane). */
const inLane = <T>(lane: Lane, work: () => Promise<T>) => withLane(lane, work);

async function ungatedCalls(n: number): Promise<void> {
  const info = sandbox.connectionInfo().salesforce;
  const conn = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken }, apiVersion: '64.0' });
  for (let i = 0; i < n; i++) await queryAll(conn, 'SELECT Id FROM User LIMIT 1');
}

async function allowance(governor: BudgetGovernor): Promise<Record<string, string>> {
  return first.hgetall(governor.keys().find((k) => k.endsWith('salesforce-daily'))!);
}

describe('the budget gate on Salesforce calls (real Redis + sandbox)', () => {
  it('reads the org usage from Sforce-Limit-Info into the shared allowance', async () => {
    await ungatedCalls(10);
    const a = await worker(first);
    await queryAll(a.conn, 'SELECT Id FROM User LIMIT 1');
    // The 11th call of the org's day: 30 − 11 left of leadloop's cap, 6 of them reserved.
    expect(await allowance(a.governor)).toMatchObject({ remaining: '19', reserved: '6' });
    expect(a.conn.limitInfo.apiUsage).toEqual({ used: 11, limit: 100 });
    // Another worker's call moves the same allowance.
    const b = await worker(second);
    await queryAll(b.conn, 'SELECT Id FROM User LIMIT 1');
    expect(await allowance(a.governor)).toMatchObject({ remaining: '18' });
    expect((await a.governor.spent()).salesforce).toBe(2);
  });

  it('once the bulk share is spent, bulk calls are refused and the bulk job waits while hand-offs use the reserve; then Salesforce work pauses', async () => {
    await ungatedCalls(20);
    const bulk = await worker(first);
    let bulkCalls = 0;
    let refusal: unknown;
    for (let i = 0; i < 20 && !refusal; i++) {
      try {
        await queryAll(bulk.conn, 'SELECT Id FROM User LIMIT 1');
        bulkCalls += 1;
      } catch (error) {
        refusal = error;
      }
    }
    // Bulk stops when the org's usage reaches 30 − 6 = 24: four calls after the other 20.
    expect(bulkCalls).toBe(4);
    expect(sandbox.salesforce.apiUsage().used).toBe(24);
    expect(refusal).toBeInstanceOf(BudgetSpent);
    expect(refusal).toMatchObject({ lane: 'bulk', handoffReserveLeft: true });
    const now = Date.now();
    // The bulk job waits (until the reading goes stale and a fresh one is taken); Salesforce
    // work as a whole is not paused, so the hand-off worker goes on.
    const bulkDecision = decideRetry(refusal, { now, hubspotDailyResetAt: () => now, random: () => 0 });
    expect(bulkDecision).toMatchObject({ action: 'delay', reason: 'salesforce-bulk-share-spent' });
    const delayMs = (bulkDecision as { delayMs: number }).delayMs;
    expect(delayMs).toBeGreaterThan(0);
    expect(delayMs).toBeLessThanOrEqual(DEFAULT_BUDGETS.salesforce.staleAfterMs);

    // The refused call never reached Salesforce.
    expect(sandbox.salesforce.apiUsage().used).toBe(24);
    // A hand-off worker (another process) still gets the six reserved calls, then stops too.
    const handoff = await worker(second);
    let handoffCalls = 0;
    let handoffRefusal: unknown;
    for (let i = 0; i < 20 && !handoffRefusal; i++) {
      try {
        await inLane('handoff', () => queryAll(handoff.conn, 'SELECT Id FROM User LIMIT 1'));
        handoffCalls += 1;
      } catch (error) {
        handoffRefusal = error;
      }
    }
    expect(handoffCalls).toBe(6);
    expect(sandbox.salesforce.apiUsage().used).toBe(30);
    // The whole share is spent: Salesforce work pauses, as on a daily REQUEST_LIMIT_EXCEEDED.
    expect(handoffRefusal).toBeInstanceOf(BudgetSpent);
    // And a bulk call now finds no reserve left either: it pauses too.
    const bulkAgain = await queryAll(bulk.conn, 'SELECT Id FROM User LIMIT 1').catch((e: unknown) => e);
    expect(bulkAgain).toMatchObject({ code: 'BUDGET_SPENT', lane: 'bulk', handoffReserveLeft: false });
    expect(decideRetry(bulkAgain, { now, hubspotDailyResetAt: () => now })).toMatchObject({ action: 'pause-system', system: 'salesforce' });
    const handoffDecision = decideRetry(handoffRefusal, { now, hubspotDailyResetAt: () => now });
    expect(handoffDecision).toMatchObject({ action: 'pause-system', system: 'salesforce', reason: 'salesforce-daily-limit' });
    const untilMs = (handoffDecision as { untilMs: number }).untilMs;
    expect(untilMs).toBeGreaterThan(now);
    expect(untilMs).toBeLessThanOrEqual(now + DEFAULT_BUDGETS.salesforce.staleAfterMs);
    // Salesforce itself never refused a call.
    expect(sandbox.requestLog.statuses('salesforce')[403]).toBeUndefined();
  });

  it('one connection serves both lanes: work run in the hand-off lane uses the reserve', async () => {
    await ungatedCalls(24);
    const shared = await worker(first);
    // The first reading arrives with this call: the org is at 25 of 100, past the bulk share.
    await queryAll(shared.conn, 'SELECT Id FROM User LIMIT 1');
    await expect(queryAll(shared.conn, 'SELECT Id FROM User LIMIT 1')).rejects.toMatchObject({ code: 'BUDGET_SPENT', lane: 'bulk' });
    // Concurrently: the hand-off passes, the bulk call beside it is still refused.
    const [handoff, bulk] = await Promise.allSettled([inLane('handoff', () => queryAll(shared.conn, 'SELECT Id FROM User LIMIT 1')), queryAll(shared.conn, 'SELECT Id FROM User LIMIT 1')]);
    expect(handoff.status).toBe('fulfilled');
    expect(bulk).toMatchObject({ status: 'rejected', reason: { code: 'BUDGET_SPENT', lane: 'bulk' } });
  });
});
