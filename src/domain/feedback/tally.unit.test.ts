import { describe, expect, it } from 'vitest';
import { tallyOutcomes } from './tally.ts';

const row = (id: string, state: 'open' | 'won' | 'lost', source: string | null, campaign: string | null, extra: { amount?: number | null; currency?: string | null; deleted?: boolean } = {}) => ({
  opportunityId: id,
  outcome: { state, amount: extra.amount ?? null, currency: extra.currency ?? null, deleted: extra.deleted ?? false },
  attribution: { source, campaign },
});

describe('tallyOutcomes', () => {
  it('counts per source and per campaign, amounts per currency, deleted opportunities nowhere', () => {
    const { bySource, byCampaign } = tallyOutcomes([
      row('1', 'won', 'trade_show', 'Summit', { amount: 100, currency: 'USD' }),
      row('2', 'won', 'trade_show', 'Summit', { amount: 80, currency: 'EUR' }),
      row('3', 'won', 'trade_show', null, { amount: 20 }),
      row('4', 'lost', 'webinar', 'Summit'),
      row('5', 'open', null, null),
      row('6', 'won', 'trade_show', 'Summit', { amount: 1_000, currency: 'USD', deleted: true }),
    ]);
    expect(bySource.get('trade_show')).toEqual({ opportunities: 3, open: 0, won: 3, lost: 0, wonAmount: { USD: 100, EUR: 80, corporate: 20 } });
    expect(bySource.get('webinar')).toEqual({ opportunities: 1, open: 0, won: 0, lost: 1, wonAmount: {} });
    expect(bySource.get('(none)')).toMatchObject({ opportunities: 1, open: 1 });
    expect(byCampaign.get('Summit')).toEqual({ opportunities: 3, open: 0, won: 2, lost: 1, wonAmount: { USD: 100, EUR: 80 } });
    expect(byCampaign.get('(none)')).toMatchObject({ opportunities: 2 });
  });

  it('counts an opportunity given twice once, as its last snapshot says (reopened, then lost)', () => {
    const { bySource } = tallyOutcomes([row('1', 'won', 'webinar', null, { amount: 5 }), row('1', 'lost', 'webinar', null)]);
    expect(bySource.get('webinar')).toEqual({ opportunities: 1, open: 0, won: 0, lost: 1, wonAmount: {} });
  });
});
