import { describe, expect, it } from 'vitest';
import { type CampaignState, planCampaignFigures, planPrimaryCampaigns, winRate } from './campaigns.ts';

const FIELDS = { handoffs: 'H__c', sql: 'S__c', lost: 'L__c', win_rate: 'W__c' };
const campaign = (id: string, name: string, figures: Partial<CampaignState['figures']> = {}): CampaignState => ({
  id,
  name,
  type: 'Trade Show',
  actualCost: null,
  budgetedCost: null,
  numberOfWonOpportunities: 0,
  amountWonOpportunities: 0,
  figures: { handoffs: null, sql: null, lost: null, win_rate: null, ...figures },
});
const SUMMIT = '701000000000001AAA';
const WEBINAR = '701000000000002AAA';

describe('planCampaignFigures', () => {
  it('gives each campaign its hand-offs and SQL by name, lost and win rate by id where known else by name', () => {
    const plan = planCampaignFigures({
      campaigns: [campaign(SUMMIT, 'Data Summit'), campaign(WEBINAR, 'Modern BI webinar')],
      ledger: {
        handoffs: [
          { campaign: 'Data Summit', handoffs: 10, sql: 4 },
          { campaign: 'modern bi WEBINAR', handoffs: 3, sql: 0 },
        ],
        opportunities: [
          { campaignId: SUMMIT, campaign: 'Data Summit', won: 2, lost: 1 },
          { campaignId: null, campaign: 'Data Summit', won: 1, lost: 0 },
          { campaignId: WEBINAR, campaign: 'renamed since', won: 0, lost: 0 },
        ],
      },
      fields: FIELDS,
    });
    expect(plan.figures).toEqual([
      { campaignId: SUMMIT, name: 'Data Summit', handoffs: 10, sql: 4, won: 3, lost: 1, winRate: 75 },
      { campaignId: WEBINAR, name: 'Modern BI webinar', handoffs: 3, sql: 0, won: 0, lost: 0, winRate: null },
    ]);
    expect(plan.updates).toEqual([
      { id: SUMMIT, fields: { H__c: 10, S__c: 4, L__c: 1, W__c: 75 } },
      { id: WEBINAR, fields: { H__c: 3, S__c: 0, L__c: 0 } },
    ]);
    expect(plan.unchanged).toBe(0);
  });

  it('writes only the fields that differ, and nothing when Salesforce holds the figures (a rerun)', () => {
    const ledger = { handoffs: [{ campaign: 'Data Summit', handoffs: 3, sql: 1 }], opportunities: [{ campaignId: SUMMIT, campaign: 'Data Summit', won: 1, lost: 2 }] };
    const held = planCampaignFigures({ campaigns: [campaign(SUMMIT, 'Data Summit', { handoffs: 3, sql: 1, lost: 2, win_rate: 33.33 })], ledger, fields: FIELDS });
    expect(held).toMatchObject({ updates: [], unchanged: 1 });
    const partly = planCampaignFigures({ campaigns: [campaign(SUMMIT, 'Data Summit', { handoffs: 3, sql: 0, lost: 2, win_rate: 33.333 })], ledger, fields: FIELDS });
    expect(partly.updates).toEqual([{ id: SUMMIT, fields: { S__c: 1 } }]);
  });

  it('zeroes a campaign whose only opportunity was deleted, clears its win rate', () => {
    const plan = planCampaignFigures({
      campaigns: [campaign(SUMMIT, 'Data Summit', { handoffs: 0, sql: 0, lost: 1, win_rate: 0 })],
      ledger: { handoffs: [], opportunities: [{ campaignId: SUMMIT, campaign: 'Data Summit', won: 0, lost: 0 }] },
      fields: FIELDS,
    });
    expect(plan.updates).toEqual([{ id: SUMMIT, fields: { L__c: 0, W__c: null } }]);
  });

  it('never guesses: a name two campaigns share, or none has, and an id Salesforce lacks are unmatched', () => {
    const plan = planCampaignFigures({
      campaigns: [campaign(SUMMIT, 'Data Summit'), campaign(WEBINAR, 'Data Summit')],
      ledger: {
        handoffs: [
          { campaign: 'Data Summit', handoffs: 2, sql: 1 },
          { campaign: 'Gone Expo', handoffs: 1, sql: 0 },
        ],
        opportunities: [
          { campaignId: '701000000000009AAA', campaign: 'Old', won: 1, lost: 0 },
          { campaignId: null, campaign: null, won: 5, lost: 5 },
        ],
      },
      fields: FIELDS,
    });
    expect(plan).toEqual({ updates: [], unchanged: 0, figures: [], unmatched: ['701000000000009AAA', 'Data Summit', 'Gone Expo'] });
  });

  it('win rate: won out of closed, in percent to two decimals', () => {
    expect([winRate(1, 2), winRate(2, 0), winRate(0, 3), winRate(0, 0)]).toEqual([33.33, 100, 0, null]);
  });
});

describe('planPrimaryCampaigns', () => {
  it('sets the campaign of the earliest hand-off by name, once per opportunity; an unknown or shared name is left', () => {
    const plan = planPrimaryCampaigns({
      lacking: [
        { opportunityId: '006A', campaign: 'data summit' },
        { opportunityId: '006B', campaign: 'Nowhere Expo' },
        { opportunityId: '006C', campaign: 'Twice' },
      ],
      campaigns: [campaign(SUMMIT, 'Data Summit'), campaign(WEBINAR, 'Twice'), campaign('701000000000003AAA', 'Twice')],
    });
    expect(plan).toEqual({ updates: [{ opportunityId: '006A', campaignId: SUMMIT, campaign: 'Data Summit' }], unmatched: ['Nowhere Expo', 'Twice'] });
  });
});
