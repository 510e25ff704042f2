import { describe, expect, it } from 'vitest';
import { outcomeOf } from './outcome.ts';
import { opportunity } from './test-fixtures.ts';
import type { StageChange } from './types.ts';

const t = (iso: string) => Date.parse(iso);
const stage = (name: string, iso: string, closed: 'open' | 'won' | 'lost' = 'open'): StageChange => ({ stage: name, at: t(iso), isClosed: closed !== 'open', isWon: closed === 'won' });

describe('outcomeOf', () => {
  it('an open opportunity: re-staged, never closed', () => {
    const history = [stage('Prospecting', '2026-11-01T10:00:00Z'), stage('Qualification', '2026-11-05T10:00:00Z'), stage('Proposal/Price Quote', '2026-11-12T10:00:00Z')];
    expect(outcomeOf(opportunity({ stage: 'Proposal/Price Quote' }), history)).toEqual({
      state: 'open',
      reopened: false,
      timesClosed: 0,
      closedAt: null,
      amount: 120_000,
      currency: null,
      closeDate: '2026-12-31',
      lossReason: null,
      competitor: null,
      competitorsMet: [],
      deleted: false,
    });
  });

  it('won, in another currency, with the time it closed', () => {
    const won = opportunity({ stage: 'Closed Won', isClosed: true, isWon: true, amount: 88_500, currency: 'EUR', closeDate: '2026-11-19', competitors: [{ competitorName: 'Initech' }] });
    const history = [stage('Prospecting', '2026-11-01T10:00:00Z'), stage('Closed Won', '2026-11-19T16:00:00Z', 'won')];
    expect(outcomeOf(won, history)).toMatchObject({
      state: 'won',
      amount: 88_500,
      currency: 'EUR',
      closeDate: '2026-11-19',
      closedAt: t('2026-11-19T16:00:00Z'),
      competitor: null,
      competitorsMet: ['Initech'],
      lossReason: null,
    });
  });

  it('lost, with the loss reason and the competitor field', () => {
    const lost = opportunity({ stage: 'Closed Lost', isClosed: true, lossReason: ' Price ', competitorField: 'Initech', competitors: [{ competitorName: 'Hooli' }, { competitorName: 'Initech' }] });
    expect(outcomeOf(lost, [stage('Closed Lost', '2026-11-19T16:00:00Z', 'lost')])).toMatchObject({ state: 'lost', lossReason: 'Price', competitor: 'Initech', competitorsMet: ['Hooli', 'Initech'] });
  });

  it('lost without the competitor field: the only OpportunityCompetitor beat us; with several, nobody knows which', () => {
    const one = opportunity({ isClosed: true, competitors: [{ competitorName: 'Hooli', strengths: 'price' }] });
    expect(outcomeOf(one, []).competitor).toBe('Hooli');
    const two = opportunity({ isClosed: true, competitors: [{ competitorName: 'Hooli' }, { competitorName: 'Initech' }] });
    expect(outcomeOf(two, []).competitor).toBeNull();
    expect(outcomeOf(two, []).competitorsMet).toEqual(['Hooli', 'Initech']);
  });

  it('reopened and closed again: counted twice, the later close stands', () => {
    const history = [
      stage('Closed Won', '2026-11-19T16:00:00Z', 'won'),
      stage('Prospecting', '2026-11-01T10:00:00Z'),
      stage('Negotiation/Review', '2026-11-20T09:00:00Z'),
      stage('Closed Lost', '2026-11-25T09:00:00Z', 'lost'),
    ];
    const again = opportunity({ isClosed: true, isWon: false, lossReason: 'No decision' });
    expect(outcomeOf(again, history)).toMatchObject({ state: 'lost', reopened: true, timesClosed: 2, closedAt: t('2026-11-25T09:00:00Z'), lossReason: 'No decision' });
  });

  it('reopened and still open', () => {
    const history = [stage('Closed Lost', '2026-11-19T16:00:00Z', 'lost'), stage('Qualification', '2026-11-21T09:00:00Z')];
    expect(outcomeOf(opportunity({ lossReason: 'Price' }), history)).toMatchObject({ state: 'open', reopened: true, timesClosed: 1, closedAt: null, lossReason: null });
  });

  it('trusts the snapshot where the history lags or is missing', () => {
    expect(outcomeOf(opportunity({ isClosed: true, isWon: true }), [stage('Prospecting', '2026-11-01T10:00:00Z')])).toMatchObject({ state: 'won', timesClosed: 1, closedAt: null, reopened: false });
    expect(outcomeOf(opportunity(), [stage('Closed Won', '2026-11-19T16:00:00Z', 'won')])).toMatchObject({ state: 'open', reopened: true });
  });

  it('a deleted opportunity keeps its last state, flagged deleted', () => {
    expect(outcomeOf(opportunity({ isDeleted: true, isClosed: true, isWon: true }), [])).toMatchObject({ state: 'won', deleted: true });
  });
});
