import { afterAll, describe, expect, it } from 'vitest';
import { BudgetWaitTooLong } from '../errors/index.ts';
import { BudgetGovernor, DEFAULT_BUDGETS, type BudgetConfig } from './budget.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

// A {hash-tag} prefix, as on Redis Cluster: every governor key must carry it.
const prefix = `{${uniqueTestPrefix('budget')}}`;
const first = testConnection();
const second = testConnection();

const config: BudgetConfig = {
  hubspot: { per10Seconds: 30, safetyMargin: 0, handoffShare: 0.2 },
  hubspotSearch: { perSecond: 2, handoffShare: 0 },
  hubspotDaily: { safetyMargin: 1_000, handoffShare: 0.05, timeZone: 'UTC' },
  salesforce: { share: 0.5, handoffShare: 0.1, staleAfterMs: 15 * 60_000 },
};

function governorsOn(suffix: string): [BudgetGovernor, BudgetGovernor] {
  return [new BudgetGovernor(first, `${prefix}${suffix}`, config), new BudgetGovernor(second, `${prefix}${suffix}`, config)];
}

afterAll(async () => {
  await deleteKeysWithPrefix(first, prefix);
  first.disconnect();
  second.disconnect();
});

describe('BudgetGovernor (real Redis)', () => {
  it('concurrent takers on two connections never exceed the bulk share of a window', async () => {
    const [a, b] = governorsOn('-window');
    const takes = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).take('hubspot', 1, { lane: 'bulk' }));
    const decisions = await Promise.all(takes);
    // 30 per 10 s, 20 % (6) kept for hand-offs: bulk gets 24.
    expect(decisions.filter((d) => d.granted)).toHaveLength(24);
    for (const d of decisions) if (!d.granted) expect(d.waitMs).toBeGreaterThan(0);
    expect((await a.spent()).hubspot).toBe(24);
  });

  it('hand-offs can use the reserved share that bulk cannot, and no more', async () => {
    const [a, b] = governorsOn('-lanes');
    const bulk = await Promise.all(Array.from({ length: 30 }, () => a.take('hubspot', 1, { lane: 'bulk' })));
    expect(bulk.filter((d) => d.granted)).toHaveLength(24);
    const handoff = await Promise.all(Array.from({ length: 10 }, () => b.take('hubspot', 1, { lane: 'handoff' })));
    expect(handoff.filter((d) => d.granted)).toHaveLength(6);
    const refused = await a.take('hubspot', 1, { lane: 'handoff' });
    expect(refused.granted).toBe(false);
    if (!refused.granted) expect(refused.waitMs).toBeLessThanOrEqual(10_000);
  });

  it('a HubSpot call draws on the daily allowance seeded from X-HubSpot-RateLimit-Daily-Remaining', async () => {
    const [a, b] = governorsOn('-daily');
    // 1,005 remaining minus the 1,000 margin: 5 left, all inside the hand-off reserve (50).
    await a.observeHubSpotDaily({ limit: 1_000, remaining: 1_005 });
    expect((await a.take('hubspot', 1, { lane: 'bulk' })).granted).toBe(false);
    const handoff = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).take('hubspot', 1, { lane: 'handoff' })));
    expect(handoff.filter((d) => d.granted)).toHaveLength(5);
    const refused = await b.take('hubspot-search', 1, { lane: 'handoff' });
    expect(refused.granted).toBe(false);
    // Refused until HubSpot's daily reset (midnight UTC here), not just for a window.
    const untilMidnight = new Date().setUTCHours(24, 0, 0, 0) - Date.now();
    if (!refused.granted) expect(Math.abs(refused.waitMs - untilMidnight)).toBeLessThan(5_000);
    // Nothing of the 10-second window was spent by the refused calls.
    expect((await a.spent()).hubspot).toBe(5);
  });

  it("Salesforce: stops at the configured share of the org's allocation, reserve for hand-offs", async () => {
    const [a, b] = governorsOn('-salesforce');
    // share 0.5 of 200 = 100; the org used 88: 12 left, 10 of them reserved for hand-offs.
    await a.observeSalesforceUsage('api-usage=88/200; api-bursts=1/750');
    const bulk = await Promise.all(Array.from({ length: 5 }, () => b.take('salesforce', 1, { lane: 'bulk' })));
    expect(bulk.filter((d) => d.granted)).toHaveLength(2);
    expect((await a.take('salesforce', 10, { lane: 'handoff' })).granted).toBe(true);
    expect((await a.take('salesforce', 1, { lane: 'handoff' })).granted).toBe(false);
    // A fresh reading replaces the old one.
    await b.observeSalesforceUsage({ used: 10, limit: 200 });
    expect((await a.take('salesforce', 50, { lane: 'bulk' })).granted).toBe(true);
  });

  it('acquire waits for the window to move on, and gives up with BUDGET_WAIT_TOO_LONG past maxWaitMs', async () => {
    const [a] = governorsOn('-acquire');
    await a.acquire('hubspot-search', 2, 'bulk');
    await a.acquire('hubspot-search', 1, 'bulk');
    expect((await a.spent())['hubspot-search']).toBe(3);
    await expect(a.acquire('hubspot-search', 2, 'bulk', { maxWaitMs: 10 })).rejects.toBeInstanceOf(BudgetWaitTooLong);
    const controller = new AbortController();
    const waiting = a.acquire('hubspot-search', 2, 'bulk', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('keys all carry the prefix (one hash slot on Redis Cluster)', () => {
    const governor = new BudgetGovernor(first, prefix, DEFAULT_BUDGETS);
    for (const key of governor.keys()) expect(key.startsWith(`${prefix}:`)).toBe(true);
  });
});
