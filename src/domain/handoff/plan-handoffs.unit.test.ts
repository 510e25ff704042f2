import { describe, expect, it } from 'vitest';
import type { LeadDecision } from '../decide.ts';
import { planHandoffs } from './plan-handoffs.ts';
import type { CampaignRules, FoundPeople, KnownCampaign, KnownLead, OwnerDirectory, RoutedHandoff } from './types.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const RULES: CampaignRules = { name_from: 'lead_source_detail', member_status: 'Responded', create_missing: false };
const DANA = '0055g000000DanaAAA';
const directory: OwnerDirectory = {
  usersByEmail: new Map([['dana@copperleaf.example', { id: DANA, active: true, name: 'Dana' }]]),
  emailsById: new Map([[DANA, 'dana@copperleaf.example']]),
  queuesByName: new Map(),
};

function handoff(contactId: string, show: string | null = 'Data Summit 2026'): RoutedHandoff {
  const decision = {
    score: { score: 80, grade: 'hot', handoff: true },
    lead: { create: { LastName: `Person ${contactId}`, Company: 'Co' }, update: { Company: 'Co' } },
    tasks: [],
  } as unknown as LeadDecision;
  return {
    contactId,
    handoffKey: 'first',
    properties: { email: `p${contactId}@co.example`, lead_source_detail: show },
    decision,
    assignee: { kind: 'user', email: 'dana@copperleaf.example', salesforceUserId: DANA } as RoutedHandoff['assignee'],
    notify: [],
    firstTime: true,
  };
}

const summit: KnownCampaign = {
  id: '7015g000000SummAAA',
  name: 'Data Summit 2026',
  statuses: [
    { label: 'Sent', sortOrder: 1 },
    { label: 'Responded', sortOrder: 2 },
  ],
};
const lead = (id: string, extra: Partial<KnownLead> = {}): KnownLead => ({ id, ownerId: DANA, isConverted: false, convertedContactId: null, externalId: null, ...extra });

function found(extra: Partial<FoundPeople> = {}): FoundPeople {
  return {
    byExternalId: new Map(),
    leadsByEmail: new Map(),
    contactsByEmail: new Map(),
    existingTaskKeys: new Set(),
    campaignsByName: new Map([['data summit 2026', [summit]]]),
    campaignMembers: new Set(),
    ...extra,
  };
}

describe('planHandoffs: campaign members', () => {
  it('a new lead becomes a member by its contact id (the executor learns the lead id), with the configured status', () => {
    const plan = planHandoffs([handoff('1')], found(), directory, NOW, RULES);
    expect(plan.campaignMembers).toEqual([{ contactId: '1', campaignId: summit.id, campaignName: 'Data Summit 2026', status: 'Responded' }]);
    expect(plan.campaignCreates).toEqual([]);
    expect(plan.memberStatusCreates).toEqual([]);
  });

  it('an adopted lead and an updated lead are members by their lead id; a campaign name matches whatever its case', () => {
    const f = found({
      byExternalId: new Map([['2', lead('00Q5g000000OursAAA', { externalId: '2' })]]),
      leadsByEmail: new Map([['p3@co.example', [lead('00Q5g000000OpenAAA')]]]),
    });
    const plan = planHandoffs([handoff('2', 'data summit 2026 '), handoff('3')], f, directory, NOW, RULES);
    expect(plan.landings.map((l) => l.outcome)).toEqual(['update', 'adopt']);
    expect(plan.campaignMembers).toEqual([
      { contactId: '2', campaignId: summit.id, campaignName: 'Data Summit 2026', leadId: '00Q5g000000OursAAA', status: 'Responded' },
      { contactId: '3', campaignId: summit.id, campaignName: 'Data Summit 2026', leadId: '00Q5g000000OpenAAA', status: 'Responded' },
    ]);
  });

  it('an existing Contact, or a converted lead’s contact, is a member by ContactId', () => {
    const f = found({
      contactsByEmail: new Map([['p4@co.example', [{ id: '0035g000000ExisAAA', ownerId: DANA }]]]),
      leadsByEmail: new Map([['p5@co.example', [lead('00Q5g000000ConvAAA', { isConverted: true, convertedContactId: '0035g000000ConvAAA' })]]]),
    });
    const plan = planHandoffs([handoff('4'), handoff('5')], f, directory, NOW, RULES);
    expect(plan.campaignMembers.map((m) => [m.contactId, m.salesforceContactId, m.leadId])).toEqual([
      ['4', '0035g000000ExisAAA', undefined],
      ['5', '0035g000000ConvAAA', undefined],
    ]);
  });

  it('no campaign of that name: skipped as campaign-missing; no property: nothing', () => {
    const plan = planHandoffs([handoff('6', 'Unknown Expo'), handoff('7', null)], found(), directory, NOW, RULES);
    expect(plan.campaignMembers).toEqual([]);
    expect(plan.campaignCreates).toEqual([]);
    expect(plan.skipped).toEqual([{ contactId: '6', reason: 'campaign-missing', campaign: 'Unknown Expo' }]);
  });

  it('two campaigns of one name: refused with both ids, never guessed', () => {
    const twin: KnownCampaign = { ...summit, id: '7015g000000TwinAAA', name: 'DATA SUMMIT 2026' };
    const plan = planHandoffs([handoff('8')], found({ campaignsByName: new Map([['data summit 2026', [summit, twin]]]) }), directory, NOW, RULES);
    expect(plan.campaignMembers).toEqual([]);
    expect(plan.skipped).toEqual([{ contactId: '8', reason: 'campaign-ambiguous', campaign: 'Data Summit 2026', campaignIds: [summit.id, twin.id] }]);
  });

  it('create_missing: the campaign is created once for the batch, with the status when a new campaign lacks it', () => {
    const rules = { ...RULES, create_missing: true };
    const plan = planHandoffs([handoff('9', 'Cloud Expo'), handoff('10', 'cloud expo')], found(), directory, NOW, rules);
    expect(plan.campaignCreates).toEqual([{ name: 'Cloud Expo' }]);
    expect(plan.memberStatusCreates).toEqual([]);
    expect(plan.campaignMembers).toEqual([
      { contactId: '9', campaignId: null, campaignName: 'Cloud Expo', status: 'Responded' },
      { contactId: '10', campaignId: null, campaignName: 'Cloud Expo', status: 'Responded' },
    ]);
    const attended = planHandoffs([handoff('9', 'Cloud Expo')], found(), directory, NOW, { ...rules, member_status: 'Attended' });
    expect(attended.memberStatusCreates).toEqual([{ campaignId: null, campaignName: 'Cloud Expo', label: 'Attended', sortOrder: 3 }]);
  });

  it('a member status the campaign lacks is created first, once per campaign', () => {
    const plan = planHandoffs([handoff('11'), handoff('12')], found(), directory, NOW, { ...RULES, member_status: 'Attended' });
    expect(plan.memberStatusCreates).toEqual([{ campaignId: summit.id, campaignName: 'Data Summit 2026', label: 'Attended', sortOrder: 3 }]);
    expect(plan.campaignMembers.map((m) => m.status)).toEqual(['Attended', 'Attended']);
  });

  it('a lead or contact already a member is skipped as already-member (a rerun, or a hand-off made before this feature that has one)', () => {
    const f = found({
      byExternalId: new Map([['13', lead('00Q5g000000MembAAA', { externalId: '13' })]]),
      contactsByEmail: new Map([['p14@co.example', [{ id: '0035g000000MembAAA', ownerId: DANA }]]]),
      campaignMembers: new Set([`${summit.id}:00Q5g000000MembAAA`, `${summit.id}:0035g000000MembAAA`]),
    });
    const plan = planHandoffs([handoff('13'), handoff('14')], f, directory, NOW, RULES);
    expect(plan.campaignMembers).toEqual([]);
    expect(plan.skipped.map((s) => [s.contactId, s.reason])).toEqual([
      ['13', 'already-member'],
      ['14', 'already-member'],
    ]);
  });

  it('a converted lead of ours gets nothing; without campaign rules nothing is planned', () => {
    const f = found({ byExternalId: new Map([['15', lead('00Q5g000000GoneAAA', { externalId: '15', isConverted: true })]]) });
    expect(planHandoffs([handoff('15')], f, directory, NOW, RULES).campaignMembers).toEqual([]);
    expect(planHandoffs([handoff('1')], found(), directory, NOW).campaignMembers).toEqual([]);
  });
});

describe('planHandoffs: a hand-off again', () => {
  const again = (contactId: string): RoutedHandoff => ({ ...handoff(contactId, null), handoffKey: 'again:2026-10-01T00:00:00.000Z', reopenStatus: 'Open - Not Contacted' });

  it('reopens the same Lead with the reopen status and the newly routed owner (an update that sends Status and OwnerId)', () => {
    const plan = planHandoffs([again('1')], found({ byExternalId: new Map([['1', lead('00Q1', { externalId: '1', ownerId: '0055g000000OtherAA' })]]) }), directory, NOW, RULES);
    expect(plan.upserts).toEqual([{ contactId: '1', isNew: false, fields: { Company: 'Co', Status: 'Open - Not Contacted', OwnerId: DANA } }]);
    // A first hand-off's update never sends them.
    const first = planHandoffs([handoff('1', null)], found({ byExternalId: new Map([['1', lead('00Q1', { externalId: '1' })]]) }), directory, NOW, RULES);
    expect(first.upserts[0]!.fields).toEqual({ Company: 'Co' });
  });

  it("lands on a converted lead's contact (no new lead), where a first hand-off of a converted lead is skipped", () => {
    const converted = found({ byExternalId: new Map([['1', lead('00Q1', { externalId: '1', isConverted: true, convertedContactId: '0035g000000ConAAA' })]]) });
    const plan = planHandoffs([again('1')], converted, directory, NOW, RULES);
    expect(plan.upserts).toEqual([]);
    expect(plan.landings).toEqual([expect.objectContaining({ contactId: '1', object: 'Contact', outcome: 'existing_contact', salesforceContactId: '0035g000000ConAAA' })]);
    expect(planHandoffs([handoff('1', null)], converted, directory, NOW, RULES).skipped).toEqual([{ contactId: '1', reason: 'converted-lead' }]);
  });

  it("gives the task to the converted Contact's owner, not the lead's", () => {
    const contactOwner = '0055g000000CtOwnAA';
    const withTask = (): RoutedHandoff => {
      const h = again('1');
      return { ...h, firstTime: true, decision: { ...h.decision, tasks: [{ subject: 'Call now', priority: 'High', type: 'Call', dueInMs: 3_600_000 }] } as RoutedHandoff['decision'] };
    };
    const converted = found({
      byExternalId: new Map([['1', lead('00Q1', { externalId: '1', isConverted: true, convertedContactId: '0035g000000ConAAA', convertedContactOwnerId: contactOwner })]]),
    });
    const plan = planHandoffs([withTask()], converted, directory, NOW, RULES);
    expect(plan.tasks.map((t) => [t.key, t.ownerId])).toEqual([['1:again:2026-10-01T00:00:00.000Z:step0', contactOwner]]);
    expect(plan.landings).toEqual([expect.objectContaining({ object: 'Contact', ownerId: contactOwner })]);
  });
});

describe('planHandoffs: a lead routed to a queue', () => {
  const queued = (): RoutedHandoff => {
    const h = handoff('9', null);
    const task = { subject: 'Call now', priority: 'High', type: 'Call', dueInMs: 3_600_000 };
    return { ...h, decision: { ...h.decision, tasks: [task] } as RoutedHandoff['decision'], assignee: { kind: 'queue', queue: 'inbound', salesforceQueue: 'Inbound_Lead_Queue' } };
  };
  const withQueue: OwnerDirectory = { ...directory, queuesByName: new Map([['Inbound_Lead_Queue', '00G5g000000InbAAA']]) };

  it("gives the playbook task to the queue's manager, since a queue cannot own a task", () => {
    const plan = planHandoffs([queued()], found(), withQueue, NOW, RULES, new Map([['Inbound_Lead_Queue', 'dana@copperleaf.example']]));
    expect(plan.tasks.map((t) => [t.key, t.ownerId, t.fields.Subject])).toEqual([['9:first:step0', DANA, 'Call now']]);
  });
  it('skips the task, saying why, when the queue names no manager', () => {
    const plan = planHandoffs([queued()], found(), withQueue, NOW, RULES);
    expect(plan.tasks).toEqual([]);
    expect(plan.skipped).toContainEqual({ contactId: '9', reason: 'queue-cannot-own-task', key: '9:first:step0' });
  });
});
