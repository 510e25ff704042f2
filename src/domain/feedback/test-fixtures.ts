// Shared by this folder's unit tests only.
import type { OpportunitySnapshot } from './types.ts';

/** An opportunity snapshot for tests: open, no contacts, no campaign. */
export function opportunity(overrides: Partial<OpportunitySnapshot> = {}): OpportunitySnapshot {
  return {
    opportunityId: '006000000000001AAA',
    name: 'Globex — platform',
    accountId: '001000000000001AAA',
    accountWebsite: 'https://www.globex.example/',
    stage: 'Prospecting',
    isClosed: false,
    isWon: false,
    amount: 120_000,
    currency: null,
    closeDate: '2026-12-31',
    lossReason: null,
    competitorField: null,
    competitors: [],
    campaignId: null,
    contactRoles: [],
    isDeleted: false,
    systemModstamp: Date.parse('2026-11-20T10:00:00Z'),
    createdDate: Date.parse('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}
