import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import type { ContactScore } from '../store/schema.ts';
import { sandboxApp, type SandboxApp } from '../../test/support/pipeline.ts';
import type { PlannedWrite, SyncDeps } from './ports.ts';
import { rescoreLeads } from './rescoreLeads.ts';
import { syncLeads } from './syncLeads.ts';

const DAY = 86_400_000;
const RANK = { cold: 0, warm: 1, hot: 2 } as const;

let sandbox: Sandbox;
let app: SandboxApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  await sandbox?.close();
});

async function deps(contacts: number): Promise<SyncDeps> {
  sandbox = await startSandbox({ contacts, seed: 21 });
  app = await sandboxApp(sandbox, { label: 'rescore' });
  return app.deps;
}

const scores = async () => new Map((await app!.ledger.db.selectFrom('contact_scores').selectAll().execute()).map((r) => [r.hubspot_contact_id, r]));
const dueBy = (rows: Map<string, ContactScore>, t: number) => [...rows.values()].filter((r) => r.review_at !== null && r.review_at.getTime() <= t);
const leadCount = () => sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c).length;

describe('rescoreLeads against the sandbox', () => {
  it('re-grades only the contacts decay has reached, writes the drops back, hands nobody off twice, and a second run changes nothing', async () => {
    const d = await deps(600);
    const t0 = Date.now();
    await syncLeads({ ...d, now: () => t0 }, { indexingLagMs: 0 });
    const before = await scores();
    expect(before.size).toBe(600);
    // Nothing is due yet: every review lies after the sync.
    for (const r of before.values()) if (r.review_at) expect(r.review_at.getTime()).toBeGreaterThan(t0);

    const t1 = t0 + 21 * DAY;
    const due = dueBy(before, t1);
    expect(due.length).toBeGreaterThan(20);
    expect(due.length).toBeLessThan(600);
    const handoffsBefore = await app!.ledger.db.selectFrom('handoffs').selectAll().execute();
    const [leadsBefore, tasksBefore] = [leadCount(), sandbox.salesforce.records('Task').length];
    // Some of the due contacts were handed off already: the rescore must not hand them off again.
    expect(due.filter((r) => handoffsBefore.some((h) => h.hubspot_contact_id === r.hubspot_contact_id)).length).toBeGreaterThan(0);

    sandbox.requestLog.reset();
    const run = await rescoreLeads({ ...d, now: () => t1 });
    expect(run.reviewed).toBe(due.length);
    expect(run.missing).toBe(0);
    // Contacts not due were not read: one batch read per 100 due contacts, and no search or list.
    expect(sandbox.requestLog.counts('hubspot')['contacts.batch.read']).toBe(Math.ceil(due.length / 100));
    expect(Object.keys(sandbox.requestLog.counts('hubspot')).filter((e) => e !== 'contacts.batch.read' && e !== 'contacts.batch.update')).toEqual([]);

    const after = await scores();
    const dropped = due.filter((r) => after.get(r.hubspot_contact_id)!.grade !== r.grade);
    expect(dropped.length).toBeGreaterThan(0);
    expect(run.regraded).toBe(dropped.length);
    for (const r of due) {
      const now = after.get(r.hubspot_contact_id)!;
      // Decay only takes points away: a grade may drop, never rise, and every review moved past now.
      expect(RANK[now.grade]).toBeLessThanOrEqual(RANK[r.grade]);
      expect(now.scored_at.getTime()).toBe(t1);
      if (now.review_at) expect(now.review_at.getTime()).toBeGreaterThan(t1);
    }
    for (const r of dropped) {
      const hubspot = sandbox.hubspot.getContact(r.hubspot_contact_id)!.properties;
      expect(hubspot.leadloop_grade).toBe(after.get(r.hubspot_contact_id)!.grade);
      expect(hubspot.leadloop_score).toBe(String(after.get(r.hubspot_contact_id)!.score));
    }
    expect(run.writtenBack).toBeGreaterThanOrEqual(dropped.length);
    // Contacts not due kept their row untouched.
    for (const [id, r] of before) if (!due.includes(r)) expect(after.get(id)).toEqual(r);

    // Already handed off: no second hand-off, lead or task.
    expect(run.created + run.adopted + run.existingContacts + run.tasks).toBe(0);
    expect(await app!.ledger.db.selectFrom('handoffs').selectAll().execute()).toEqual(handoffsBefore);
    expect([leadCount(), sandbox.salesforce.records('Task').length]).toEqual([leadsBefore, tasksBefore]);

    sandbox.requestLog.reset();
    const again = await rescoreLeads({ ...d, now: () => t1 });
    expect(again).toMatchObject({ reviewed: 0, scored: 0, regraded: 0, writtenBack: 0 });
    expect(sandbox.requestLog.snapshot()).toMatchObject({ hubspot: {}, salesforce: {} });
    expect(await scores()).toEqual(after);

    // The write-back changed the contacts in HubSpot, but not their inputs: the next sync skips them.
    const sync = await syncLeads({ ...d, now: () => t1 }, { indexingLagMs: 0 });
    expect(sync.pulled).toBeGreaterThanOrEqual(dropped.length);
    expect(sync.scored).toBe(0);
  });

  it('a dry run reads the due contacts and plans the writes without making them; a deleted contact loses its row', async () => {
    const d = await deps(300);
    const t0 = Date.now();
    await syncLeads({ ...d, now: () => t0 }, { indexingLagMs: 0 });
    const t1 = t0 + 30 * DAY;
    const before = await scores();
    const due = dueBy(before, t1);
    expect(due.length).toBeGreaterThan(2);
    const deleted = due[0]!.hubspot_contact_id;
    sandbox.hubspot.deleteContact(deleted);
    const hubspotBefore = new Map(due.map((r) => [r.hubspot_contact_id, sandbox.hubspot.getContact(r.hubspot_contact_id)?.properties.leadloop_grade]));

    const planned: PlannedWrite[] = [];
    sandbox.requestLog.reset();
    const dry = await rescoreLeads({ ...d, now: () => t1, plannedWrites: planned });
    expect(dry).toMatchObject({ reviewed: due.length, missing: 1 });
    expect(Object.keys(sandbox.requestLog.counts('hubspot'))).toEqual(['contacts.batch.read']);
    expect(await scores()).toEqual(before);
    for (const [id, grade] of hubspotBefore) expect(sandbox.hubspot.getContact(id)?.properties.leadloop_grade).toBe(grade);
    expect(
      planned
        .filter((w) => w.operation === 'score-record')
        .map((w) => w.key)
        .sort(),
    ).toEqual(
      due
        .map((r) => r.hubspot_contact_id)
        .filter((id) => id !== deleted)
        .sort(),
    );
    expect(planned.filter((w) => w.operation === 'score-forget').map((w) => w.key)).toEqual([deleted]);
    const plannedWriteBacks = planned.filter((w) => w.operation === 'contact-writeback');
    // The dry run's summary counts what it would write, and the real run writes just that.
    expect(dry.writtenBack).toBe(plannedWriteBacks.length);

    const real = await rescoreLeads({ ...d, now: () => t1 });
    expect(real).toMatchObject({ reviewed: due.length, missing: 1, regraded: dry.regraded, mqlChanged: dry.mqlChanged });
    expect(real.writtenBack).toBe(plannedWriteBacks.length);
    const after = await scores();
    expect(after.has(deleted)).toBe(false);
    expect(after.size).toBe(299);
  });
});
