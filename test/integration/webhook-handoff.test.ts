import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.ts';
import { DeadLetterList } from '../../src/queue/dead-letter.ts';
import { sendWebhookBatch, type WebhookEvent } from '../../src/sandbox/webhook-sender.ts';
import { openLeadloop, until, type LeadloopContext } from '../support/leadloop.ts';

/** A booth scan at a trade show: an immediate source, handed to sales at once. */
const boothScan = (i: number, extra: Record<string, string> = {}) => ({
  email: `scan${i}@northwind-logistics.example`,
  firstname: 'Ana',
  lastname: `Scan ${i}`,
  company: 'Northwind Logistics',
  jobtitle: 'VP of Data',
  country: 'Germany',
  numemployees: '1000+',
  industry: 'COMPUTER_SOFTWARE',
  lead_source: 'trade_show',
  lead_source_detail: 'Data Summit 2026',
  lead_source_date: new Date().toISOString(),
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
  ...extra,
});

const leadsOf = (ctx: LeadloopContext, contactId: string) => ctx.sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contactId);
const completedHandoffs = async (ctx: LeadloopContext) => (await ctx.running.queues.handoff.getJobs(['completed'], 0, -1)) as Job<{ contactId: string }>[];

describe('webhook hand-off (sandbox HubSpot webhooks → leadloop start --role all → sandbox Salesforce)', () => {
  // One leadloop for the whole file (each test uses contacts of its own); Salesforce answers in
  // 100 ms, so a job is still running when a test sends the next event.
  let shared: LeadloopContext & { close(): Promise<void> };
  beforeAll(async () => {
    shared = await openLeadloop({ sandbox: { contacts: 20, seed: 5, faults: { salesforce: { latencyMs: 100 } }, hubspot: { webhooks: { targetUrl: 'http://127.0.0.1:9/unset', batchDelayMs: 5 } } } });
  }, 120_000);
  afterAll(() => shared?.close());

  it('turns a booth scan into an owned Salesforce lead with its task and writes the owner back, and the write-back triggers nothing', async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact(boothScan(1));
      const [lead] = await until(
        () => leadsOf(ctx, contact.id),
        (l) => l.length > 0,
        15_000,
      );
      expect(lead, 'a lead for the booth scan').toBeDefined();
      expect(String(lead!.OwnerId)).toMatch(/^005/);
      expect(lead!.LeadSource ?? lead!.Company).toBeTruthy();
      // The lead lands first, its tasks in the next call.
      const tasks = await until(
        () => ctx.sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead!.Id),
        (t) => t.length > 0,
        10_000,
      );
      expect(tasks.length).toBeGreaterThanOrEqual(1);
      expect(tasks.every((t) => String(t.OwnerId).startsWith('005'))).toBe(true);
      const written = await until(
        () => ctx.sandbox.hubspot.getContact(contact.id)!.properties,
        (p) => p.leadloop_salesforce_id === lead!.Id,
        10_000,
      );
      expect(written.leadloop_owner).toBeTruthy();
      // Our write-back comes back as propertyChange webhooks: they are ignored, so no second job runs.
      await ctx.sandbox.hubspot.flushWebhooks();
      await new Promise((r) => setTimeout(r, 300));
      expect((await completedHandoffs(ctx)).filter((j) => j.data.contactId === contact.id)).toHaveLength(1);
      expect(leadsOf(ctx, contact.id)).toHaveLength(1);
    }
  });

  it('leaves a contact that is not qualified with marketing: scored and written back, no lead', async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact({
        email: 'student@gmail.example',
        firstname: 'Sam',
        lastname: 'Student',
        lead_source: 'content_download',
        jobtitle: 'Student',
        numemployees: '1-10',
      });
      const props = await until(
        () => ctx.sandbox.hubspot.getContact(contact.id)!.properties,
        (p) => Boolean(p.leadloop_grade),
        10_000,
      );
      expect(props.leadloop_grade).toBe('cold');
      expect(props.leadloop_salesforce_id ?? '').toBe('');
      expect(leadsOf(ctx, contact.id)).toHaveLength(0);
    }
  });

  it('makes one lead of duplicate deliveries and HubSpot retries of the same batch', async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact(boothScan(2));
      const events: WebhookEvent[] = [
        {
          eventId: 1,
          subscriptionId: 1,
          portalId: 62515,
          appId: 54321,
          occurredAt: Date.now(),
          subscriptionType: 'contact.creation',
          attemptNumber: 0,
          objectId: Number(contact.id),
          changeSource: 'CRM',
        },
        {
          eventId: 2,
          subscriptionId: 2,
          portalId: 62515,
          appId: 54321,
          occurredAt: Date.now(),
          subscriptionType: 'contact.propertyChange',
          propertyName: 'jobtitle',
          propertyValue: 'x',
          attemptNumber: 0,
          objectId: Number(contact.id),
          changeSource: 'CRM',
        },
      ];
      const target = { clientSecret: ctx.env.hubspot.clientSecret!, targetUrl: `${ctx.running.url}/webhooks/hubspot` };
      const statuses = await Promise.all([sendWebhookBatch(events, target), sendWebhookBatch(events, target), sendWebhookBatch([events[0]!], target)]);
      expect(statuses).toEqual([200, 200, 200]);
      await until(
        () => leadsOf(ctx, contact.id),
        (l) => l.length > 0,
        15_000,
      );
      await sendWebhookBatch(events, target); // a retry after the lead landed
      await until(
        async () => await ctx.running.queues.handoff.getJobCounts('active', 'waiting', 'prioritized'),
        (c) => Object.values(c).every((n) => n === 0),
        10_000,
      );
      expect(leadsOf(ctx, contact.id)).toHaveLength(1);
      const lead = leadsOf(ctx, contact.id)[0]!;
      const tasks = ctx.sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead.Id);
      expect(new Set(tasks.map((t) => t.Leadloop_Key__c)).size).toBe(tasks.length);
    }
  });

  it("processes an event that arrives while the same contact's job runs, after that job", async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact(boothScan(3, { jobtitle: 'Head of Data' }));
      await until(
        () => ctx.running.queues.handoff.getActiveCount(),
        (n) => n > 0,
        10_000,
      );
      ctx.sandbox.hubspot.updateContact(contact.id, { jobtitle: 'Chief Data Officer' });
      const lead = await until(
        () => leadsOf(ctx, contact.id)[0],
        (l) => l?.Title === 'Chief Data Officer',
        20_000,
      );
      expect(lead?.Title).toBe('Chief Data Officer');
      const runs = await until(
        async () => (await completedHandoffs(ctx)).filter((j) => j.data.contactId === contact.id),
        (j) => j.length >= 2,
        10_000,
      );
      expect(runs).toHaveLength(2);
      expect(leadsOf(ctx, contact.id)).toHaveLength(1);
    }
  });

  it('re-keys the lead of a merged-away contact to the survivor: no orphan, no duplicate', async () => {
    const ctx = shared;
    {
      const scanned = ctx.sandbox.hubspot.createContact(boothScan(4));
      const [lead] = await until(
        () => leadsOf(ctx, scanned.id),
        (l) => l.length > 0,
        15_000,
      );
      const survivor = ctx.sandbox.hubspot.createContact({ email: 'ana.personal@northwind-logistics.example', firstname: 'Ana', lastname: 'Scan 4', lead_source: 'content_download' });
      await until(
        () => ctx.sandbox.hubspot.getContact(survivor.id)!.properties,
        (p) => Boolean(p.leadloop_grade),
        10_000,
      );
      ctx.sandbox.hubspot.mergeContacts(survivor.id, scanned.id);
      const rekeyed = await until(
        () => leadsOf(ctx, survivor.id),
        (l) => l.length > 0,
        15_000,
      );
      expect(rekeyed.map((l) => l.Id)).toEqual([lead!.Id]);
      expect(leadsOf(ctx, scanned.id)).toHaveLength(0);
      await until(
        async () => await ctx.running.queues.handoff.getJobCounts('active', 'waiting', 'prioritized'),
        (c) => Object.values(c).every((n) => n === 0),
        10_000,
      );
      expect(leadsOf(ctx, survivor.id)).toHaveLength(1);
    }
  });

  it('purges a privacy-deleted contact: the lead leadloop created is anonymised, the ledger and state forget the person', async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact(boothScan(5));
      const [lead] = await until(
        () => leadsOf(ctx, contact.id),
        (l) => l.length > 0,
        15_000,
      );
      await until(
        () => ctx.sandbox.hubspot.getContact(contact.id)!.properties,
        (p) => Boolean(p.leadloop_salesforce_id),
        10_000,
      );
      ctx.sandbox.hubspot.deleteContact(contact.id, { privacy: true });
      const erased = await until(
        () => ctx.sandbox.salesforce.records('Lead').find((l) => l.Id === lead!.Id),
        (l) => l?.LastName === '[erased]',
        20_000,
      );
      expect(erased).toMatchObject({ LastName: '[erased]', FirstName: null, Email: null, Company: '[erased]', HubSpot_Contact_Id__c: null });
      // The tasks leadloop created for the person (their comments named them) are blanked too (after the lead).
      const tasks = await until(
        () => ctx.sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead!.Id),
        (found) => found.length > 0 && found.every((t) => t.Subject === '[erased]'),
        10_000,
      );
      expect(tasks.length).toBeGreaterThan(0);
      for (const t of tasks) expect(t).toMatchObject({ Subject: '[erased]', Description: null });
      // The running process holds the embedded ledger: read it through that process's own handle.
      const ledger = ctx.running.ledger;
      {
        // The ledger forgets the person last, once Salesforce is done.
        const decisions = await until(
          () => ledger.db.selectFrom('decisions').selectAll().where('hubspot_contact_id', '=', contact.id).execute(),
          (rows) => rows.length === 0,
          10_000,
        );
        expect(decisions).toEqual([]);
        expect(await ledger.db.selectFrom('handoffs').selectAll().where('hubspot_contact_id', '=', contact.id).execute()).toEqual([]);
        expect(await ledger.db.selectFrom('contact_scores').selectAll().where('hubspot_contact_id', '=', contact.id).execute()).toEqual([]);
        expect(await ledger.db.selectFrom('contact_state').selectAll().where('hubspot_contact_id', '=', contact.id).execute()).toEqual([]);
        // The hand-off still counts for its source, without a link to the person.
        expect(await ledger.db.selectFrom('handoffs').select('hubspot_contact_id').where('hubspot_contact_id', 'like', 'erased:%').execute()).toHaveLength(1);
      }

      expect((await new DeadLetterList(ctx.redis, ctx.prefix).list()).filter((d) => d.recordKey.startsWith(contact.id))).toEqual([]);
    }
  }, 40_000);

  it('writes nothing for an event about a contact deleted before its job ran', async () => {
    const ctx = shared;
    {
      const contact = ctx.sandbox.hubspot.createContact(boothScan(6));
      ctx.sandbox.hubspot.deleteContact(contact.id);
      const target = { clientSecret: ctx.env.hubspot.clientSecret!, targetUrl: `${ctx.running.url}/webhooks/hubspot` };
      await sendWebhookBatch(
        [
          {
            eventId: 1,
            subscriptionId: 1,
            portalId: 62515,
            appId: 54321,
            occurredAt: Date.now(),
            subscriptionType: 'contact.creation',
            attemptNumber: 0,
            objectId: Number(contact.id),
            changeSource: 'CRM',
          },
        ],
        target,
      );
      const [job] = await until(
        async () => (await completedHandoffs(ctx)).filter((j) => j.data.contactId === contact.id),
        (j) => j.length > 0,
        10_000,
      );
      expect(job!.returnvalue).toMatchObject({ outcome: 'missing' });
      expect(leadsOf(ctx, contact.id)).toHaveLength(0);
    }
  });

  it('reads a burst of 1,000 events for 500 contacts in batches, hands each contact off once, and keeps answering /healthz', async () => {
    const ctx = shared;
    // Created while no webhook target is set: the burst below is the only delivery.
    ctx.sandbox.hubspot.setWebhookTarget(undefined);
    const contacts = Array.from({ length: 500 }, (_, i) => ctx.sandbox.hubspot.createContact(boothScan(1000 + i, { email: `burst${i}@fabrikam-bank.example` })));
    ctx.sandbox.hubspot.setWebhookTarget({ targetUrl: `${ctx.running.url}/webhooks/hubspot` });
    const events: WebhookEvent[] = contacts.flatMap((c, i) => [
      {
        eventId: 2 * i,
        subscriptionId: 1,
        portalId: 62515,
        appId: 54321,
        occurredAt: Date.now(),
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: Number(c.id),
        changeSource: 'IMPORT',
      },
      {
        eventId: 2 * i + 1,
        subscriptionId: 2,
        portalId: 62515,
        appId: 54321,
        occurredAt: Date.now(),
        subscriptionType: 'contact.propertyChange',
        propertyName: 'lead_source',
        propertyValue: 'trade_show',
        attemptNumber: 0,
        objectId: Number(c.id),
        changeSource: 'IMPORT',
      },
    ]);
    events.sort((a, b) => ((a.eventId * 7919) % 1000) - ((b.eventId * 7919) % 1000)); // HubSpot does not order deliveries
    ctx.sandbox.requestLog.reset();
    const target = { clientSecret: ctx.env.hubspot.clientSecret!, targetUrl: `${ctx.running.url}/webhooks/hubspot` };
    let probing = true;
    const health: number[] = [];
    const prober = (async () => {
      while (probing) {
        const res = await fetch(`${ctx.running.url}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
        health.push(res?.status ?? 0);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    // HubSpot sends at most 10 requests at once per account, 100 events each.
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, b) => sendWebhookBatch(events.slice(b * 100, b * 100 + 100), target)));
    expect(statuses).toEqual(Array(10).fill(200));
    const ids = new Set(contacts.map((c) => c.id));
    const landed = await until(
      () => ctx.sandbox.salesforce.records('Lead').filter((l) => ids.has(String(l.HubSpot_Contact_Id__c))),
      (l) => l.length >= 500,
      60_000,
    );
    await until(
      async () => ctx.running.queues.handoff.getJobCounts('active', 'waiting', 'prioritized', 'delayed'),
      (c) => Object.values(c).every((n) => n === 0),
      30_000,
    );
    probing = false;
    await prober;
    expect(new Set(landed.map((l) => l.HubSpot_Contact_Id__c)).size).toBe(500);
    expect(ctx.sandbox.salesforce.records('Lead').filter((l) => ids.has(String(l.HubSpot_Contact_Id__c)))).toHaveLength(500);
    const keys = ctx.sandbox.salesforce
      .records('Task')
      .map((t) => t.Leadloop_Key__c)
      .filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
    const calls = ctx.sandbox.requestLog.snapshot().hubspot;
    expect(calls['contacts.get'] ?? 0).toBe(0);
    expect(calls['contacts.batch.read'] ?? 0).toBeLessThanOrEqual(20);
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((s) => s === 200)).toBe(true);
  }, 120_000);
});

describe('webhook hand-off of a merge where both contacts already have a lead', () => {
  /**
   * A leadloop of its own per test: the ledger (embedded PGlite) is read once it has stopped, as
   * a second PGlite on the same folder would read what the running one has not written out yet.
   */
  const open = () => openLeadloop({ sandbox: { seed: 6, faults: { salesforce: { latencyMs: 20 } }, hubspot: { webhooks: { targetUrl: 'http://127.0.0.1:9/unset', batchDelayMs: 5 } } } });
  const idle = (ctx: LeadloopContext) =>
    until(
      async () => await ctx.running.queues.handoff.getJobCounts('active', 'waiting', 'prioritized'),
      (c) => Object.values(c).every((k) => k === 0),
      10_000,
    );

  /** Two qualified contacts, each handed off to a lead of its own, then merged in HubSpot (`survivor` absorbs `away`). */
  const twoLeadsThenMerge = async (ctx: LeadloopContext, beforeMerge: (leads: { away: Record<string, unknown>; survivor: Record<string, unknown> }) => void = () => {}) => {
    const away = ctx.sandbox.hubspot.createContact(boothScan(7));
    const survivor = ctx.sandbox.hubspot.createContact(boothScan(8));
    const [awayLead] = await until(
      () => leadsOf(ctx, away.id),
      (l) => l.length > 0,
      15_000,
    );
    const [survivorLead] = await until(
      () => leadsOf(ctx, survivor.id),
      (l) => l.length > 0,
      15_000,
    );
    const awayTasks = await until(
      () => ctx.sandbox.salesforce.records('Task').filter((t) => t.WhoId === awayLead!.Id),
      (t) => t.length > 0,
      10_000,
    );
    await idle(ctx);
    beforeMerge({ away: awayLead!, survivor: survivorLead! });
    const mergeCalls = ctx.sandbox.requestLog.total('salesforce', 'soap.merge');
    ctx.sandbox.hubspot.mergeContacts(survivor.id, away.id);
    // The survivor's hand-off applies the merge: the merged-away lead goes, or a dead letter says why not.
    const letters = async () => (await new DeadLetterList(ctx.redis, ctx.prefix).list()).filter((d) => d.recordKey === away.id || d.recordKey === survivor.id);
    await until(
      async () => ({ gone: !ctx.sandbox.salesforce.records('Lead').some((l) => l.Id === awayLead!.Id), letters: await letters() }),
      (r) => r.gone || r.letters.length > 0,
      15_000,
    );
    await idle(ctx);
    return { away, survivor, awayLead: awayLead!, survivorLead: survivorLead!, awayTasks, mergeCalls: ctx.sandbox.requestLog.total('salesforce', 'soap.merge') - mergeCalls, letters: await letters() };
  };

  /** The ledger's decisions and hand-offs of these contacts, as [contact, hand-off key] pairs, once leadloop has stopped. */
  const ledgerRows = async (ctx: LeadloopContext, ids: string[]) => {
    await ctx.running.stop();
    const ledger = await openLedger({ dataDir: ctx.env.dataDir });
    try {
      const pairs = (rows: { hubspot_contact_id: string; handoff_key: string }[]) => rows.map((r) => [r.hubspot_contact_id, r.handoff_key]).sort();
      return {
        decisions: pairs(await ledger.db.selectFrom('decisions').select(['hubspot_contact_id', 'handoff_key']).where('hubspot_contact_id', 'in', ids).execute()),
        handoffs: pairs(await ledger.db.selectFrom('handoffs').select(['hubspot_contact_id', 'handoff_key']).where('hubspot_contact_id', 'in', ids).execute()),
      };
    } finally {
      await ledger.close();
    }
  };

  it("merges the leads: the survivor's lead remains, the other is gone with its tasks moved, no dead letter, the ledger rows go to the survivor", async () => {
    const ctx = await open();
    try {
      const merged = await twoLeadsThenMerge(ctx);
      const { away, survivor, awayLead, survivorLead } = merged;
      expect(merged.letters, 'no dead letter: nothing is left for a person').toEqual([]);
      expect(merged.mergeCalls).toBe(1);
      expect(leadsOf(ctx, survivor.id).map((l) => l.Id)).toEqual([survivorLead.Id]);
      expect(leadsOf(ctx, away.id)).toHaveLength(0);
      expect(ctx.sandbox.salesforce.records('Lead').some((l) => l.Id === awayLead.Id)).toBe(false);
      // In the recycle bin, merged into the survivor's lead, whose own values stand.
      expect(ctx.sandbox.salesforce.org.table('Lead').get(awayLead.Id as string)).toMatchObject({ IsDeleted: true, MasterRecordId: survivorLead.Id });
      expect(leadsOf(ctx, survivor.id)[0]).toMatchObject({ Email: survivorLead.Email, LastName: survivorLead.LastName });
      const tasks = ctx.sandbox.salesforce.records('Task');
      for (const t of merged.awayTasks) expect(tasks.find((x) => x.Id === t.Id)?.WhoId, `task ${String(t.Id)} moved to the survivor's lead`).toBe(survivorLead.Id);
      // Both hand-offs are the survivor's now; the merged-away one keeps its history under a key of its own.
      expect(await ledgerRows(ctx, [away.id, survivor.id])).toEqual({
        decisions: [
          [survivor.id, 'first'],
          [survivor.id, `merged:${away.id}:first`],
        ],
        handoffs: [
          [survivor.id, 'first'],
          [survivor.id, `merged:${away.id}:first`],
        ],
      });
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('leaves both leads when one is converted: a dead letter names both lead ids and what to do', async () => {
    const ctx = await open();
    try {
      const left = await twoLeadsThenMerge(ctx, ({ away }) => void ctx.sandbox.salesforce.convertLead(away.Id as string));
      const { away, survivor, awayLead, survivorLead } = left;
      expect(left.mergeCalls).toBe(0);
      expect(ctx.sandbox.salesforce.records('Lead').filter((l) => l.Id === awayLead.Id || l.Id === survivorLead.Id)).toHaveLength(2);
      expect(left.letters.map((d) => d.id)).toEqual([`leadloop:merge-rekey:${away.id}`]);
      const reason = left.letters[0]!.reason;
      expect(reason).toContain(`HubSpot merged contact ${away.id} into ${survivor.id}`);
      expect(reason).toContain(`${String(awayLead.Id)} of the merged-away contact, ${String(survivorLead.Id)} of the survivor`);
      expect(reason).toMatch(
        new RegExp(
          `${String(awayLead.Id)} is converted, so leadloop did not merge them: convert the open lead ${String(survivorLead.Id)} into the Contact the converted one became, or close it, in Salesforce, then drop this entry$`,
        ),
      );
      // The person is the survivor now, in the ledger too.
      expect((await ledgerRows(ctx, [away.id, survivor.id])).decisions).toEqual([
        [survivor.id, 'first'],
        [survivor.id, `merged:${away.id}:first`],
      ]);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
