import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import { HAND_OFF_ALL_HISTORY, shippedConfigCopy } from '../../test/support/config.ts';
import { addPastCampaignMembers } from './addPastCampaignMembers.ts';
import type { PlannedWrite } from './ports.ts';
import { emptyFeedbackSummary, syncFeedback } from './syncFeedback.ts';
import { syncLeads } from './syncLeads.ts';

/**
 * Hand-offs the ledger recorded before campaign membership existed get their CampaignMember once,
 * from the feedback job (addPastCampaignMembers): Salesforce is asked which are members already,
 * only the missing ones are created, a finished pass costs nothing, and a pass run again from the
 * start creates nothing.
 */
let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
});

const salesforceCalls = (s: Sandbox) => Object.values(s.requestLog.snapshot().salesforce).reduce((a, b) => a + b, 0);
const members = (s: Sandbox) => s.salesforce.records('CampaignMember');
const memberKeys = (s: Sandbox) => members(s).map((m) => `${m.CampaignId}:${m.ContactId ?? m.LeadId}`);

describe('campaign members for hand-offs made before campaign membership', () => {
  it('adds exactly the missing members once (a converted lead by its Contact), duplicates none, and a rerun writes nothing', async () => {
    sandbox = await startSandbox({ contacts: 600, seed: 21 });
    // Enough hand-offs for an existing-Contact one: the seeded history is handed off whole.
    app = await sandboxApp(sandbox, { label: 'past-members', configDir: shippedConfigCopy(HAND_OFF_ALL_HISTORY) });
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const sf = sandbox.salesforce;
    const campaigns = new Map(sf.records('Campaign').map((c) => [String(c.Name).toLowerCase(), String(c.Id)]));
    // An existing-Contact hand-off whose contact came from a show with a campaign (the seed has few).
    const onContact = await app.ledger.db.selectFrom('handoffs').select('id').where('outcome', '=', 'existing_contact').orderBy('id').executeTakeFirstOrThrow();
    await app.ledger.db
      .updateTable('handoffs')
      .set({ campaign: String(sf.records('Campaign')[0]!.Name) })
      .where('id', '=', onContact.id)
      .execute();
    const handoffs = await app.ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'salesforce_object', 'salesforce_id', 'campaign']).orderBy('id').execute();
    const withCampaign = handoffs.filter((h) => h.campaign && campaigns.has(h.campaign.toLowerCase()));
    expect(withCampaign.length).toBeGreaterThan(20);
    expect(withCampaign.some((h) => h.salesforce_object === 'Contact')).toBe(true);
    const record = new Set(withCampaign.map((h) => h.salesforce_id));

    // As if these hand-offs were made before the feature: their memberships gone — all but one,
    // which Salesforce already holds (a rep added it) and must not be added twice.
    const kept = withCampaign[0]!;
    for (const m of members(sandbox))
      if (record.has(String(m.LeadId ?? m.ContactId)) && m.LeadId !== kept.salesforce_id && m.ContactId !== kept.salesforce_id) sf.org.delete('CampaignMember', String(m.Id));
    // Sales converted one lead meanwhile: its membership is its Contact's.
    const convertedHandoff = withCampaign.find((h) => h.salesforce_object === 'Lead' && h !== kept)!;
    const { contactId: convertedContact } = sf.convertLead(convertedHandoff.salesforce_id, { doNotCreateOpportunity: true });
    const unrelated = members(sandbox).length;

    sandbox.requestLog.reset();
    const summary = emptyFeedbackSummary({ multiCurrency: false, statusHistoryTracked: true, connectorSyncsDeals: false, portalCurrencies: [] } as never, { leadStatus: '', opportunities: '' });
    await addPastCampaignMembers(app.deps, summary);
    const calls = sandbox.requestLog.snapshot().salesforce;
    console.log(JSON.stringify({ pastCampaignMembers: { handoffs: summary.pastHandoffMembers.checked, created: summary.pastHandoffMembers.created, salesforceCalls: calls } }));
    const expectedKeys = new Set(withCampaign.map((h) => `${campaigns.get(h.campaign!.toLowerCase())}:${h === convertedHandoff ? convertedContact : h.salesforce_id}`));
    expect(summary.pastHandoffMembers).toEqual({ checked: handoffs.filter((h) => h.campaign).length, created: expectedKeys.size - 1, existing: 1, skipped: expect.any(Number) });
    // One page: two reads and one create.
    expect(salesforceCalls(sandbox)).toBe(3);
    expect(summary.deadLettered).toBe(0);
    const keys = memberKeys(sandbox);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of expectedKeys) expect(keys, key).toContain(key);
    expect(members(sandbox).length).toBe(unrelated + expectedKeys.size - 1);
    const made = members(sandbox).filter((m) => expectedKeys.has(`${m.CampaignId}:${m.ContactId ?? m.LeadId}`));
    expect(made.every((m) => m.Status === 'Responded')).toBe(true);
    // Contact hand-offs are Contact members, lead hand-offs Lead members.
    for (const h of withCampaign.filter((x) => x.salesforce_object === 'Contact')) expect(made.some((m) => m.ContactId === h.salesforce_id && !m.LeadId)).toBe(true);
    for (const h of withCampaign.filter((x) => x.salesforce_object === 'Lead' && x !== convertedHandoff)) expect(made.some((m) => m.LeadId === h.salesforce_id)).toBe(true);
    expect(made.some((m) => m.ContactId === convertedContact && !m.LeadId)).toBe(true);

    // Done once: the feedback job does not look again.
    const before = members(sandbox).length;
    sandbox.requestLog.reset();
    const feedback = await syncFeedback(app.deps);
    expect(feedback.pastHandoffMembers).toEqual({ checked: 0, created: 0, existing: 0, skipped: 0 });
    expect(members(sandbox).length).toBe(before);
    const again = emptyFeedbackSummary(summary.org, summary.from);

    // Its marker lost (Redis emptied): run again from the start, it finds every member and creates none.
    await app.deps.state.savePastMembersPass({ after: 0, done: false });
    sandbox.requestLog.reset();
    await addPastCampaignMembers(app.deps, again);
    expect(again.pastHandoffMembers.created).toBe(0);
    expect(again.pastHandoffMembers.existing).toBe(expectedKeys.size);
    expect(sandbox.requestLog.snapshot().salesforce['sobjects.collections.create'] ?? 0).toBe(0);
    expect(members(sandbox).length).toBe(before);
  }, 180_000);

  it('runs in the feedback job, resumes after a crash where it stopped, and a dry run lists the members without writing', async () => {
    sandbox = await startSandbox({ contacts: 300, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'past-members-job' });
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const sf = sandbox.salesforce;
    const handoffs = await app.ledger.db.selectFrom('handoffs').select(['id', 'salesforce_id', 'campaign']).where('campaign', 'is not', null).orderBy('id').execute();
    const ids = new Set(handoffs.map((h) => h.salesforce_id));
    for (const m of members(sandbox)) if (ids.has(String(m.LeadId ?? m.ContactId))) sf.org.delete('CampaignMember', String(m.Id));
    const bare = members(sandbox).length;

    const planned: PlannedWrite[] = [];
    const dry = await syncFeedback({ ...app.deps, plannedWrites: planned });
    const lines = planned.filter((w) => w.operation === 'campaign-member-create');
    expect(dry.pastHandoffMembers).toMatchObject({ checked: handoffs.length, created: 0 });
    expect(lines.length).toBeGreaterThan(10);
    expect(members(sandbox).length).toBe(bare);
    expect(await app.deps.state.pastMembersPass()).toBeUndefined();

    // A run that stopped after the hand-offs up to the middle one: the next starts after it.
    const middle = handoffs[Math.floor(handoffs.length / 2)]!;
    await app.deps.state.savePastMembersPass({ after: middle.id, done: false });
    const resumed = await syncFeedback(app.deps);
    expect(resumed.pastHandoffMembers.checked).toBe(handoffs.filter((h) => h.id > middle.id).length);
    expect(resumed.deadLettered).toBe(0);
    expect(await app.deps.state.pastMembersPass()).toEqual({ after: handoffs.at(-1)!.id, done: true });
    const made = members(sandbox).slice(bare);
    expect(made.length).toBe(resumed.pastHandoffMembers.created);
    expect(made.length).toBe(lines.filter((w) => handoffs.some((h) => h.id > middle.id && h.salesforce_id === (w.fields!.LeadId ?? w.fields!.ContactId))).length);
  }, 120_000);

  it('writes no member, in hand-offs or in the pass, while setup finds the integration user cannot create them; the pass waits for the fix', async () => {
    sandbox = await startSandbox({ contacts: 300, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'past-members-blocked' });
    const before = members(sandbox).length;
    const blocked = { ...app.deps, campaignWritesBlocked: true };
    const handed = await syncLeads(blocked, { indexingLagMs: 0 });
    expect(handed.qualified).toBeGreaterThan(10);
    expect(handed.deadLettered).toBe(0);
    expect(members(sandbox).length).toBe(before);
    const summary = await syncFeedback(blocked);
    expect(summary.pastHandoffMembers).toEqual({ checked: 0, created: 0, existing: 0, skipped: 0 });
    expect(await app.deps.state.pastMembersPass()).toBeUndefined();
    // Fixed: the next feedback run adds the members those hand-offs lack.
    const fixed = await syncFeedback(app.deps);
    expect(fixed.pastHandoffMembers.created).toBeGreaterThan(10);
    expect(members(sandbox).length).toBe(before + fixed.pastHandoffMembers.created);
  }, 120_000);
});
