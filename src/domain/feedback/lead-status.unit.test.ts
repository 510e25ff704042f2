import { describe, expect, it } from 'vitest';
import { classifyLeadStatus, leadStatusChanges } from './lead-status.ts';
import type { LeadSnapshot } from './types.ts';

const mapping = {
  accepted: ['Working - Contacted', 'Qualified'],
  disqualified: ['Closed - Not Converted'],
  recycled: ['Recycled'],
  disqualified_reason_field: 'Disqualified_Reason__c',
};
const t = (iso: string) => Date.parse(iso);

describe('classifyLeadStatus', () => {
  it('reads mapping.yaml: accepted (SQL), disqualified, recycled, anything else open', () => {
    expect(classifyLeadStatus('Working - Contacted', mapping)).toBe('accepted');
    expect(classifyLeadStatus('Qualified', mapping)).toBe('accepted');
    expect(classifyLeadStatus('Closed - Not Converted', mapping)).toBe('disqualified');
    expect(classifyLeadStatus('Recycled', mapping)).toBe('recycled');
    expect(classifyLeadStatus('Open - Not Contacted', mapping)).toBe('open');
    expect(classifyLeadStatus('Closed - Converted', mapping)).toBe('open');
    expect(classifyLeadStatus(null, mapping)).toBe('open');
    expect(classifyLeadStatus('', mapping)).toBe('open');
  });

  it('compares trimmed and case-insensitively', () => {
    expect(classifyLeadStatus('  working - contacted ', mapping)).toBe('accepted');
    expect(classifyLeadStatus('RECYCLED', mapping)).toBe('recycled');
  });

  it('has no recycled class when mapping.yaml lists none', () => {
    expect(classifyLeadStatus('Recycled', { accepted: ['Qualified'], disqualified: ['Closed - Not Converted'] })).toBe('open');
  });
});

describe('leadStatusChanges', () => {
  const lead: LeadSnapshot = {
    leadId: '00Q000000000001AAA',
    contactId: '5101',
    status: 'Closed - Not Converted',
    systemModstamp: t('2026-11-20T09:30:00Z'),
    disqualifiedReason: 'No budget',
  };

  it('takes each change at its own time where Status history is tracked, the reason on the latest disqualification', () => {
    const history = [
      { leadId: lead.leadId, oldValue: 'Working - Contacted', newValue: 'Closed - Not Converted', createdDate: t('2026-11-18T12:00:00Z') },
      { leadId: lead.leadId, oldValue: null, newValue: 'Open - Not Contacted', createdDate: t('2026-11-10T08:00:00Z') },
      { leadId: lead.leadId, oldValue: 'Open - Not Contacted', newValue: 'Working - Contacted', createdDate: t('2026-11-11T08:00:00Z') },
      { leadId: 'other-lead', oldValue: null, newValue: 'Qualified', createdDate: t('2026-11-11T08:00:00Z') },
    ];
    expect(leadStatusChanges(lead, history, mapping)).toEqual([
      { leadId: lead.leadId, contactId: '5101', status: 'Open - Not Contacted', class: 'open', changedAt: t('2026-11-10T08:00:00Z'), approximated: false, reason: null },
      { leadId: lead.leadId, contactId: '5101', status: 'Working - Contacted', class: 'accepted', changedAt: t('2026-11-11T08:00:00Z'), approximated: false, reason: null },
      { leadId: lead.leadId, contactId: '5101', status: 'Closed - Not Converted', class: 'disqualified', changedAt: t('2026-11-18T12:00:00Z'), approximated: false, reason: 'No budget' },
    ]);
  });

  it('approximates the time from SystemModstamp and flags it where history is not tracked', () => {
    expect(leadStatusChanges(lead, undefined, mapping)).toEqual([
      { leadId: lead.leadId, contactId: '5101', status: 'Closed - Not Converted', class: 'disqualified', changedAt: t('2026-11-20T09:30:00Z'), approximated: true, reason: 'No budget' },
    ]);
  });

  it('gives no reason to a status that is not a disqualification, nor to an earlier disqualification', () => {
    const recycled = { ...lead, status: 'Recycled' };
    expect(leadStatusChanges(recycled, undefined, mapping)[0]).toMatchObject({ class: 'recycled', reason: null });
    const history = [
      { leadId: lead.leadId, oldValue: null, newValue: 'Closed - Not Converted', createdDate: t('2026-11-10T08:00:00Z') },
      { leadId: lead.leadId, oldValue: 'Closed - Not Converted', newValue: 'Recycled', createdDate: t('2026-11-12T08:00:00Z') },
    ];
    expect(leadStatusChanges(recycled, history, mapping).map((c) => c.reason)).toEqual([null, null]);
  });

  it('counts a converted lead as accepted whatever its converted status is called, unless mapping.yaml lists that status', () => {
    const convertedLead = { ...lead, status: 'Closed - Converted', isConverted: true, disqualifiedReason: null };
    expect(leadStatusChanges(convertedLead, undefined, mapping)[0]).toMatchObject({ status: 'Closed - Converted', class: 'accepted' });
    const history = [
      { leadId: lead.leadId, oldValue: null, newValue: 'Open - Not Contacted', createdDate: t('2026-11-10T08:00:00Z') },
      { leadId: lead.leadId, oldValue: 'Open - Not Contacted', newValue: 'Closed - Converted', createdDate: t('2026-11-12T08:00:00Z') },
    ];
    expect(leadStatusChanges(convertedLead, history, mapping).map((c) => c.class)).toEqual(['open', 'accepted']);
    expect(leadStatusChanges({ ...convertedLead, status: 'Recycled' }, undefined, mapping)[0]!.class).toBe('recycled');
  });

  it('takes the whole mapping config as well as its lead_status section', () => {
    expect(classifyLeadStatus('Recycled', { lead_status: mapping })).toBe('recycled');
    expect(leadStatusChanges(lead, undefined, { lead_status: mapping })[0]!.class).toBe('disqualified');
  });

  it('fills the gaps of tracked history: the status before the first row, and a current status no row leads to, approximated', () => {
    // Accepted before tracking began, recycled since: accepted still counts.
    const recycled = { ...lead, status: 'Recycled', disqualifiedReason: null };
    const history = [{ leadId: lead.leadId, oldValue: 'Working - Contacted', newValue: 'Recycled', createdDate: t('2026-11-12T08:00:00Z') }];
    expect(leadStatusChanges(recycled, history, mapping)).toEqual([
      { leadId: lead.leadId, contactId: '5101', status: 'Working - Contacted', class: 'accepted', changedAt: t('2026-11-12T08:00:00Z') - 1, approximated: true, reason: null },
      { leadId: lead.leadId, contactId: '5101', status: 'Recycled', class: 'recycled', changedAt: t('2026-11-12T08:00:00Z'), approximated: false, reason: null },
    ]);
    // No row for the lead at all: its current status, approximated.
    expect(leadStatusChanges(lead, [], mapping)).toEqual(leadStatusChanges(lead, undefined, mapping));
    // Changed since the last row (tracking turned off meanwhile): the current status is added.
    const since = [{ leadId: lead.leadId, oldValue: null, newValue: 'Working - Contacted', createdDate: t('2026-11-11T08:00:00Z') }];
    expect(leadStatusChanges(lead, since, mapping).map((c) => [c.status, c.approximated])).toEqual([
      ['Working - Contacted', false],
      ['Closed - Not Converted', true],
    ]);
  });
});
