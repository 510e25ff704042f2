import type { Lane } from './budget-math.ts';
import type { BudgetGovernor } from './budget.ts';

/**
 * Gates each HubSpot call on the shared Redis budgets: search calls on the per-second search
 * budget, the others on the rolling 10-second one. Scheduled work uses the `bulk` lane and
 * leaves the reserved share to webhook hand-offs.
 */
export function hubspotBudgetGate(governor: BudgetGovernor, lane: Lane, options: { signal?: AbortSignal } = {}) {
  return (kind: 'search' | 'standard'): Promise<void> => governor.acquire(kind === 'search' ? 'hubspot-search' : 'hubspot', 1, lane, options.signal ? { signal: options.signal } : {});
}
