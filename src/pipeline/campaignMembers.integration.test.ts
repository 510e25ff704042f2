import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { SHIPPED_CONFIG_DIR, sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { PlannedWrite, SyncDeps } from './ports.ts';
import { syncLeads } from './syncLeads.ts';

/**
 * Every hand-off becomes a CampaignMember of the Campaign its lead_source_detail names
 * (mapping.yaml campaign), written in the hand-off's own batch: at most one more Salesforce call a
 * batch, never twice, ambiguous names refused with both ids, missing campaigns and statuses
 * created only when mapping.yaml says so.
 */
let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The shipped config with mapping.yaml's campaign section changed. */
function configWith(campaign: { name_from?: string; member_status?: string; create_missing?: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-campaign-config-'));
  dirs.push(dir);
  cpSync(SHIPPED_CONFIG_DIR, dir, { recursive: true });
  let mapping = readFileSync(join(dir, 'mapping.yaml'), 'utf8');
  for (const [key, value] of Object.entries(campaign)) mapping = mapping.replace(new RegExp(`^(  ${key}:)\\s*[^#\\n]*`, 'm'), `$1 ${String(value)} `);
  writeFileSync(join(dir, 'mapping.yaml'), mapping);
  return dir;
}

async function deps(contacts: number, options: { configDir?: string; label?: string; beforeApp?: (s: Sandbox) => void } = {}): Promise<SyncDeps> {
  sandbox = await startSandbox({ contacts, seed: 21 });
  options.beforeApp?.(sandbox);
  app = await sandboxApp(sandbox, { label: options.label ?? 'members', ...(options.configDir ? { configDir: options.configDir } : {}) });
  return app.deps;
}

const salesforceCalls = (s: Sandbox) => Object.values(s.requestLog.snapshot().salesforce).reduce((a, b) => a + b, 0);
const campaignsByName = (s: Sandbox) => new Map(s.salesforce.records('Campaign').map((c) => [String(c.Name).toLowerCase(), String(c.Id)]));
const members = (s: Sandbox) => s.salesforce.records('CampaignMember');

/** Every hand-off in the ledger whose campaign names a campaign: the record it landed on and that campaign. */
async function expectedMembers(s: Sandbox): Promise<Map<string, string>> {
  const campaigns = campaignsByName(s);
  const handoffs = await app!.ledger.db.selectFrom('handoffs').select(['salesforce_id', 'campaign']).execute();
  return new Map(handoffs.filter((h) => h.campaign && campaigns.has(h.campaign.toLowerCase())).map((h) => [h.salesforce_id, campaigns.get(h.campaign!.toLowerCase())!]));
}

describe('campaign members of the hand-offs', () => {
  it('a sync makes each hand-off a member of its campaign once, with one more Salesforce call a batch; a rerun of every contact adds none', async () => {
    // The same contacts with a campaign property that names no campaign: the calls without members.
    const baseline = await deps(600, { configDir: configWith({ name_from: 'jobtitle' }), label: 'members-base' });
    sandbox!.requestLog.reset();
    const base = await syncLeads(baseline, { indexingLagMs: 0 });
    const baseCalls = salesforceCalls(sandbox!);
    const seededMembers = members(sandbox!).length;
    await app!.close();
    await sandbox!.close();

    const plain = await deps(600);
    expect(members(sandbox!).length).toBe(seededMembers);
    // Each batch of hand-offs reads Salesforce once (findPeople): count the batches.
    let batches = 0;
    const d: SyncDeps = {
      ...plain,
      leads: new Proxy(plain.leads, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key !== 'findPeople') return typeof value === 'function' ? value.bind(target) : value;
          return (...args: Parameters<typeof target.findPeople>) => {
            batches += 1;
            return target.findPeople(...args);
          };
        },
      }),
    };
    sandbox!.requestLog.reset();
    const first = await syncLeads(d, { indexingLagMs: 0 });
    expect(first.qualified).toBe(base.qualified);
    const memberCalls = salesforceCalls(sandbox!) - baseCalls;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(memberCalls).toBeGreaterThanOrEqual(1);
    expect(memberCalls).toBeLessThanOrEqual(batches);
    console.log(JSON.stringify({ campaignMemberCalls: { qualified: first.qualified, batches, salesforceCallsWithout: baseCalls, salesforceCallsWith: baseCalls + memberCalls } }));

    const expected = await expectedMembers(sandbox!);
    expect(expected.size).toBeGreaterThan(20);
    const made = members(sandbox!).filter((m) => expected.has(String(m.LeadId ?? m.ContactId)));
    const seen = new Map(made.map((m) => [String(m.ContactId ?? m.LeadId), String(m.CampaignId)]));
    for (const [record, campaign] of expected) expect(seen.get(record), `member ${record}`).toBe(campaign);
    expect(made.every((m) => m.Status === 'Responded' && m.HasResponded === true)).toBe(true);
    // Contacts that already existed in Salesforce are ContactId members.
    const contacts = await app!.ledger.db.selectFrom('handoffs').select(['salesforce_id']).where('outcome', '=', 'existing_contact').execute();
    for (const c of contacts) if (expected.has(c.salesforce_id)) expect(made.some((m) => m.ContactId === c.salesforce_id)).toBe(true);
    // Once each.
    const keys = members(sandbox!).map((m) => `${m.CampaignId}:${m.LeadId ?? m.ContactId}`);
    expect(new Set(keys).size).toBe(keys.length);

    // Every contact taken again (a new config would do this): leads updated, no member added, no create call.
    await d.contactState.forget(sandbox!.hubspot.store.all().map((c) => c.id));
    const before = members(sandbox!).length;
    sandbox!.requestLog.reset();
    const again = await syncLeads(d, { indexingLagMs: 0, backfill: true });
    expect(again.updated + again.existingContacts).toBeGreaterThan(0);
    expect(members(sandbox!).length).toBe(before);
    expect(sandbox!.requestLog.snapshot().salesforce['sobjects.collections.create'] ?? 0).toBe(0);
  }, 300_000);

  it('hand-offs made before campaign membership get theirs at their next sync, once', async () => {
    const d = await deps(300);
    await syncLeads(d, { indexingLagMs: 0 });
    const expected = await expectedMembers(sandbox!);
    // As if these hand-offs had been made before the feature: no memberships.
    for (const m of members(sandbox!)) if (expected.has(String(m.LeadId ?? m.ContactId))) sandbox!.salesforce.org.delete('CampaignMember', String(m.Id));
    await d.contactState.forget(sandbox!.hubspot.store.all().map((c) => c.id));
    await syncLeads(d, { indexingLagMs: 0, backfill: true });
    const made = members(sandbox!).filter((m) => expected.has(String(m.LeadId ?? m.ContactId)));
    expect(made.length).toBe(expected.size);
    await d.contactState.forget(sandbox!.hubspot.store.all().map((c) => c.id));
    await syncLeads(d, { indexingLagMs: 0, backfill: true });
    expect(members(sandbox!).filter((m) => expected.has(String(m.LeadId ?? m.ContactId))).length).toBe(expected.size);
  }, 180_000);

  it('a dry run lists the members it would create and the skips; the real run creates exactly those', async () => {
    const frozen = Date.parse('2026-11-24T15:00:00Z');
    sandbox = await startSandbox({ contacts: 300, seed: 21 });
    app = await sandboxApp(sandbox, { label: 'members-dry', now: () => frozen });
    const planned: PlannedWrite[] = [];
    const before = members(sandbox).length;
    await syncLeads({ ...app.deps, plannedWrites: planned }, { indexingLagMs: 0 });
    expect(members(sandbox).length).toBe(before);
    const lines = planned.filter((w) => w.operation === 'campaign-member-create');
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]!.fields).toMatchObject({ Status: 'Responded' });
    expect(planned.some((w) => w.operation === 'skip' && w.fields?.reason === 'campaign-missing')).toBe(true);

    await syncLeads(app.deps, { indexingLagMs: 0 });
    const handoffs = new Map((await app.ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'salesforce_id']).execute()).map((h) => [h.hubspot_contact_id, h.salesforce_id]));
    const made = members(sandbox).slice(before);
    expect(made.length).toBe(lines.length);
    for (const w of lines) {
      const record = handoffs.get(w.key)!;
      expect(made.some((m) => m.CampaignId === w.fields!.CampaignId && (m.LeadId ?? m.ContactId) === record)).toBe(true);
    }
  });

  it('a campaign name two campaigns share is refused with both ids (dead letter), never guessed', async () => {
    const d = await deps(300, {
      label: 'members-twin',
      beforeApp(s) {
        const [first] = s.salesforce.records('Campaign');
        s.salesforce.create('Campaign', { Name: String(first!.Name).toUpperCase() });
      },
    });
    const twins = sandbox!.salesforce.records('Campaign').slice(0, 1);
    const name = String(twins[0]!.Name);
    const ids = sandbox!.salesforce
      .records('Campaign')
      .filter((c) => String(c.Name).toLowerCase() === name.toLowerCase())
      .map((c) => String(c.Id));
    expect(ids).toHaveLength(2);
    const run = await syncLeads(d, { indexingLagMs: 0 });
    const naming = (await app!.ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'campaign']).execute()).filter((h) => h.campaign === name);
    expect(naming.length).toBeGreaterThan(0);
    expect(members(sandbox!).filter((m) => ids.includes(String(m.CampaignId)))).toEqual([]);
    expect(run.deadLettered).toBeGreaterThanOrEqual(naming.length);
    const letters = await app!.deadLetters.list({ limit: 1000, system: 'salesforce' });
    const ambiguous = letters.filter((l) => l.operation === 'campaign-member-create');
    expect(new Set(ambiguous.map((l) => l.recordKey))).toEqual(new Set(naming.map((h) => h.hubspot_contact_id)));
    for (const l of ambiguous) {
      expect(l.reason).toContain(ids[0]!);
      expect(l.reason).toContain(ids[1]!);
    }
  });

  it('create_missing: a campaign the org lacks is created once, with the member status it lacks; each costs a call only when needed', async () => {
    const d = await deps(300, { configDir: configWith({ create_missing: true, member_status: 'Attended' }), label: 'members-create' });
    const before = new Set(sandbox!.salesforce.records('Campaign').map((c) => c.Id));
    sandbox!.requestLog.reset();
    await syncLeads(d, { indexingLagMs: 0 });
    const created = sandbox!.salesforce.records('Campaign').filter((c) => !before.has(c.Id));
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((c) => String(c.Name).toLowerCase())).size).toBe(created.length);
    const statuses = sandbox!.salesforce.records('CampaignMemberStatus');
    for (const c of sandbox!.salesforce.records('Campaign')) {
      const labels = statuses.filter((s) => s.CampaignId === c.Id).map((s) => s.Label);
      if (members(sandbox!).some((m) => m.CampaignId === c.Id && m.Status === 'Attended')) expect(labels).toContain('Attended');
    }
    const expected = await expectedMembers(sandbox!);
    const made = members(sandbox!).filter((m) => m.Status === 'Attended');
    expect(made.length).toBe(expected.size);
    expect(made.every((m) => m.HasResponded === true)).toBe(true);
  });
});
