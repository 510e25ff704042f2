import { describe, expect, it } from 'vitest';
import { type PastHandoff, type PastMemberFacts, planPastMembers } from './past-members.ts';

const SUMMIT = '701000000000001AAA';
const WEBINAR = '701000000000002AAA';
const TWIN = '701000000000003AAA';
const statuses = [
  { label: 'Sent', sortOrder: 1 },
  { label: 'Responded', sortOrder: 2 },
];
const handoff = (handoffId: number, campaign: string, object: 'Lead' | 'Contact', salesforceId: string): PastHandoff => ({ handoffId, contactId: `c${handoffId}`, campaign, object, salesforceId });
const facts = (over: Partial<PastMemberFacts> = {}): PastMemberFacts => ({
  campaignsByName: new Map([
    ['data summit', [{ id: SUMMIT, name: 'Data Summit', statuses }]],
    ['modern bi webinar', [{ id: WEBINAR, name: 'Modern BI webinar', statuses: [{ label: 'Sent', sortOrder: 1 }] }]],
    [
      'twins',
      [
        { id: TWIN, name: 'Twins', statuses },
        { id: '701000000000004AAA', name: 'twins', statuses },
      ],
    ],
  ]),
  leads: new Map([
    ['00Q000000000001AAA', { isConverted: false, convertedContactId: null }],
    ['00Q000000000002AAA', { isConverted: true, convertedContactId: '003000000000009AAA' }],
    ['00Q000000000003AAA', { isConverted: false, convertedContactId: null }],
  ]),
  contacts: new Set(['003000000000001AAA', '003000000000009AAA']),
  members: new Set(),
  ...over,
});

describe('planPastMembers', () => {
  it('makes a Lead hand-off a Lead member, an existing-Contact hand-off a Contact member, a converted lead its Contact, with the configured status', () => {
    const plan = planPastMembers(
      [handoff(1, 'Data Summit', 'Lead', '00Q000000000001AAA'), handoff(2, 'data summit', 'Contact', '003000000000001AAA'), handoff(3, 'Data Summit', 'Lead', '00Q000000000002AAA')],
      facts(),
      'Responded',
    );
    expect(plan.members).toEqual([
      { key: `${SUMMIT}:00Q000000000001AAA`, contactId: 'c1', campaignId: SUMMIT, leadId: '00Q000000000001AAA', status: 'Responded' },
      { key: `${SUMMIT}:003000000000001AAA`, contactId: 'c2', campaignId: SUMMIT, salesforceContactId: '003000000000001AAA', status: 'Responded' },
      { key: `${SUMMIT}:003000000000009AAA`, contactId: 'c3', campaignId: SUMMIT, salesforceContactId: '003000000000009AAA', status: 'Responded' },
    ]);
    expect(plan.statusCreates).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('adds nothing Salesforce holds (a converted lead that was a member by its lead id too), nor one record twice', () => {
    const plan = planPastMembers(
      [
        handoff(1, 'Data Summit', 'Lead', '00Q000000000001AAA'),
        handoff(2, 'Data Summit', 'Lead', '00Q000000000002AAA'),
        handoff(3, 'Data Summit', 'Lead', '00Q000000000003AAA'),
        handoff(4, 'Data Summit', 'Lead', '00Q000000000003AAA'),
      ],
      facts({ members: new Set([`${SUMMIT}:00Q000000000001AAA`, `${SUMMIT}:00Q000000000002AAA`]) }),
      'Responded',
    );
    expect(plan.members.map((m) => m.key)).toEqual([`${SUMMIT}:00Q000000000003AAA`]);
    expect(plan.skipped.map((s) => [s.handoffId, s.reason])).toEqual([
      [1, 'already-member'],
      [2, 'already-member'],
      [4, 'already-member'],
    ]);
  });

  it('skips a campaign Salesforce lacks or two share, and a record it no longer has; creates a status the campaign lacks once', () => {
    const plan = planPastMembers(
      [
        handoff(1, 'Gone Expo', 'Lead', '00Q000000000001AAA'),
        handoff(2, 'Twins', 'Lead', '00Q000000000001AAA'),
        handoff(3, 'Data Summit', 'Lead', '00Q00000000000XAAA'),
        handoff(4, 'Data Summit', 'Contact', '00300000000000XAAA'),
        handoff(5, 'Modern BI webinar', 'Lead', '00Q000000000001AAA'),
        handoff(6, 'Modern BI webinar', 'Lead', '00Q000000000003AAA'),
      ],
      facts(),
      'Responded',
    );
    expect(plan.skipped.map((s) => [s.handoffId, s.reason])).toEqual([
      [1, 'campaign-missing'],
      [2, 'campaign-ambiguous'],
      [3, 'record-gone'],
      [4, 'record-gone'],
    ]);
    expect(plan.statusCreates).toEqual([{ campaignId: WEBINAR, label: 'Responded', sortOrder: 2 }]);
    expect(plan.members.map((m) => m.key)).toEqual([`${WEBINAR}:00Q000000000001AAA`, `${WEBINAR}:00Q000000000003AAA`]);
  });
});
