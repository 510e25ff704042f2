import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/app.ts';
import { loadEnv } from '../src/config/env.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { contactPropertiesRead } from '../src/domain/feedback/index.ts';
import { syncLeads } from '../src/pipeline/syncLeads.ts';
import type { SandboxClock } from '../src/sandbox/clock.ts';
import type { LoggedRequest } from '../src/sandbox/request-log.ts';
import { simulateSales } from '../src/sandbox/sales/runner.ts';
import type { SalesTruth } from '../src/sandbox/sales/truth.ts';
import { openLedger } from '../src/store/ledger.ts';
import { killAt, type KillPoint } from './support/kill-points.ts';
import type { LeadloopProcess } from './support/process.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { waitFor, World } from './support/world.ts';

const CONTACTS = 1_200;
const SEED = 43;
const SALES_SEED = 17;
const DAY = 86_400_000;
/** The quarter is simulated from this far back, so that it ends two days before real now: a leadloop process lives in real time. */
const BACK = 92 * DAY;
/** Salesforce query pages of 200 rows (the emulator's smallest batch): the feedback reads its opportunities in several pages. */
const QUERY_BATCH = 200;
const OPPORTUNITY_ID = 'leadloop_salesforce_opportunity_id';
const FEEDBACK = ['sync', 'feedback', '--once'] as const;
/** A run after a kill is started when the killed run's lease has less than this to live. */
const LEASE_OVERLAP_MS = 4_000;

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * The sandbox's clock, held still while the world is made — the hand-off (leadloop in-process,
 * living in the sandbox's time), the simulated quarter and the extra opportunities — so that two
 * worlds made from the same seeds carry the same record times to the millisecond; then `run()`
 * makes it a wall clock on real time, the time a leadloop process lives in.
 */
function heldClock(start: number): SandboxClock & { run(): void } {
  let at = start;
  let offset: number | undefined;
  return {
    now: () => (offset === undefined ? at : Date.now() + offset),
    advance: (ms) => {
      if (offset === undefined) at += ms;
      else offset += ms;
    },
    set: (ms) => {
      if (offset === undefined) at = ms;
      else offset = ms - Date.now();
    },
    run: () => {
      offset = 0;
    },
  };
}

/**
 * One world as the feedback finds it: its contacts handed off by leadloop (in-process, on the
 * sandbox's held clock, 92 days ago), a simulated sales quarter over its leads, then one more
 * opportunity per handed-off lead made by hand (won, lost or open; its contact role on a
 * Salesforce Contact carrying the lead's HubSpot contact id) so that the deals take several
 * Salesforce pages and HubSpot batches; the clock then runs on real time.
 */
async function prepare(world: World, clock: SandboxClock & { run(): void }): Promise<{ truth: SalesTruth; extras: string[]; handedOff: number }> {
  const app = await compose(loadEnv(world.env, { needs: ['hubspot', 'salesforce'] }), { now: () => clock.now() });
  let handedOff: number;
  try {
    const summary = await syncLeads(app.deps, { indexingLagMs: 0 });
    handedOff = summary.created + summary.adopted;
  } finally {
    await app.close();
  }
  const sf = world.sandbox.salesforce;
  const truth = simulateSales(sf, { seed: SALES_SEED, days: 90 });
  const leads = sf
    .records('Lead')
    .filter((l) => l.HubSpot_Contact_Id__c && !l.IsDeleted)
    .map((l) => ({ id: String(l.Id), contactId: String(l.HubSpot_Contact_Id__c) }))
    .toSorted((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const extras: string[] = [];
  for (const [i, lead] of leads.entries()) {
    clock.advance(60_000);
    const account = sf.create('Account', { Name: `Renewal ${i}`, Website: `renewal-${i}.example` });
    const contact =
      sf.records('Contact').find((c) => c.HubSpot_Contact_Id__c === lead.contactId)?.Id ?? sf.create('Contact', { LastName: `Buyer ${i}`, AccountId: account, HubSpot_Contact_Id__c: lead.contactId });
    const opportunity = sf.createOpportunity({ Name: `Renewal ${i}`, AccountId: account, Amount: 1_000 + 10 * i });
    sf.create('OpportunityContactRole', { OpportunityId: opportunity, ContactId: String(contact), IsPrimary: true });
    if (i % 3 === 0) sf.closeOpportunity(opportunity, true);
    else if (i % 3 === 1) sf.closeOpportunity(opportunity, false, { fields: { Loss_Reason__c: 'Price', Competitor__c: 'Tableau' } });
    extras.push(opportunity);
  }
  clock.run();
  return { truth, extras, handedOff };
}

/** What the feedback leaves behind, in terms that compare across two sandboxes seeded alike (the ledger's times of writing and HubSpot's record ids and stamps left out). */
interface FeedbackState {
  opportunities: Map<string, string>;
  opportunityContacts: Map<string, string>;
  stageHistory: Map<string, string>;
  statusChanges: Map<string, string>;
  contactKeys: Map<string, string>;
  /** Live deals by the opportunity id they carry: properties and associations. */
  deals: Map<string, string>;
  /** Opportunity ids more than one live deal carries. */
  duplicateDeals: string[];
  archivedDeals: number;
  contacts: Map<string, string>;
  /** Contacts per outcome property value (figures only). */
  outcomes: Record<string, number>;
}

const LEDGER_QUERIES = {
  opportunities: `select opportunity_id as key, name, account_id, stage, is_closed, is_won, outcome, reopened, times_closed, (extract(epoch from closed_at) * 1000)::bigint::text as closed_at,
    amount::text as amount, currency, close_date::text as close_date, loss_reason, competitor, competitors_met::text as competitors_met, campaign_id, attributed_source, attributed_campaign,
    link_path, deleted_at is not null as deleted, deal_fingerprint, (extract(epoch from system_modstamp) * 1000)::bigint::text as system_modstamp from opportunities`,
  opportunityContacts: `select opportunity_id || ' ' || hubspot_contact_id as key, link_path from opportunity_contacts`,
  stageHistory: `select opportunity_id as key, (extract(epoch from changed_at) * 1000)::bigint::text as changed_at, stage, is_closed, is_won, amount::text as amount, close_date::text as close_date
    from opportunity_stage_history order by opportunity_id, changed_at, stage`,
  statusChanges: `select lead_id as key, hubspot_contact_id, status, status_class, (extract(epoch from changed_at) * 1000)::bigint::text as changed_at, approximated, reason
    from lead_status_changes order by lead_id, changed_at, status`,
  contactKeys: 'select hubspot_contact_id as key, email_key, email_domain, website_domain from contact_keys',
} as const;

/** Rows by key; several rows of one key (a lead's status changes, an opportunity's stages) become a list, in the query's order. */
function keyed(rows: readonly Record<string, unknown>[]): Map<string, string> {
  const lists = new Map<string, unknown[]>();
  for (const { key, ...rest } of rows) lists.set(String(key), [...(lists.get(String(key)) ?? []), rest]);
  return new Map([...lists].map(([k, v]) => [k, JSON.stringify(v.length === 1 ? v[0] : v)]));
}

async function ledgerTables(world: World): Promise<Record<keyof typeof LEDGER_QUERIES, Map<string, string>>> {
  const out = {} as Record<keyof typeof LEDGER_QUERIES, Map<string, string>>;
  const names = Object.keys(LEDGER_QUERIES) as (keyof typeof LEDGER_QUERIES)[];
  if (world.database) {
    for (const name of names) out[name] = keyed(await world.database.query(LEDGER_QUERIES[name]));
    return out;
  }
  // The embedded ledger admits one opener: every process of the world has ended by now.
  const ledger = await openLedger({ dataDir: world.dataDir, role: 'chaos suite (reading the feedback)' });
  try {
    for (const name of names) out[name] = keyed((await sql.raw<Record<string, unknown>>(LEDGER_QUERIES[name]).execute(ledger.db)).rows);
  } finally {
    await ledger.close();
  }
  return out;
}

/** The deal properties the sandbox stamps itself (ids and times differ between two sandboxes). */
const STAMPED = new Set(['hs_object_id', 'createdate', 'hs_lastmodifieddate']);

async function feedbackState(world: World): Promise<FeedbackState> {
  const hs = world.sandbox.hubspot;
  const deals = new Map<string, string>();
  const carriers = new Map<string, number>();
  let archivedDeals = 0;
  for (const deal of hs.deals()) {
    if (deal.archived) {
      archivedDeals++;
      continue;
    }
    const opportunityId = deal.properties[OPPORTUNITY_ID] ?? `(none: deal ${deal.id})`;
    carriers.set(opportunityId, (carriers.get(opportunityId) ?? 0) + 1);
    const properties = Object.fromEntries(Object.entries(deal.properties).filter(([k]) => !STAMPED.has(k)));
    const linked = (to: 'contacts' | 'companies') =>
      hs
        .associations('deals', deal.id, to)
        .map((a) => a.id)
        .sort();
    deals.set(opportunityId, JSON.stringify({ properties, contacts: linked('contacts'), companies: linked('companies') }));
  }
  const { config } = await loadConfigDirOrThrow(world.configDir);
  const read = contactPropertiesRead(config.mapping);
  const contacts = new Map<string, string>();
  const outcomes: string[] = [];
  for (let id = 1001; id <= 1000 + CONTACTS; id++) {
    const p = hs.getContact(String(id))?.properties;
    if (!p) continue;
    contacts.set(String(id), JSON.stringify(Object.fromEntries(read.map((k) => [k, p[k] ?? null]))));
    outcomes.push(p[config.mapping.hubspot_writeback.outcome] || 'none');
  }
  return {
    ...(await ledgerTables(world)),
    deals,
    duplicateDeals: [...carriers].filter(([, n]) => n > 1).map(([id]) => id),
    archivedDeals,
    contacts,
    outcomes: tally(outcomes),
  };
}

/** How two feedback states differ, as readable lines (at most `limit`); empty when they are equal. */
function diffStates(expected: FeedbackState, actual: FeedbackState, limit = 25): string[] {
  const out: string[] = [];
  const maps = ['opportunities', 'opportunityContacts', 'stageHistory', 'statusChanges', 'contactKeys', 'deals', 'contacts'] as const;
  for (const what of maps) {
    const [a, b] = [expected[what], actual[what]];
    let differ = 0;
    for (const [key, value] of a) {
      if (b.get(key) === value) continue;
      differ++;
      if (out.length < limit) out.push(`${what} ${key}: ${b.get(key) ?? 'missing'} where the clean run has ${value}`);
    }
    for (const [key, value] of b)
      if (!a.has(key)) {
        differ++;
        if (out.length < limit) out.push(`${what} ${key}: not in the clean run (${value})`);
      }
    if (differ > 0) out.push(`${what}: ${differ} differ (clean run ${a.size}, this run ${b.size})`);
  }
  if (actual.duplicateDeals.length > 0) out.push(`opportunities with more than one live deal: ${actual.duplicateDeals.slice(0, 10).join(', ')} (${actual.duplicateDeals.length})`);
  if (actual.archivedDeals !== expected.archivedDeals) out.push(`archived deals: ${actual.archivedDeals} where the clean run has ${expected.archivedDeals}`);
  return out;
}

/** HubSpot write calls the sandbox answered so far (creates, updates, archives, upserts, associations). */
const hubspotWrites = (world: World) =>
  Object.entries(world.sandbox.requestLog.counts('hubspot'))
    .filter(([endpoint]) => /create|update|archive|upsert|associations\.v4\.batch\.(create|associate)/.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);

/** Salesforce write calls the sandbox answered so far (composite calls left out: the feedback reads through them). */
const salesforceWrites = (world: World) =>
  Object.entries(world.sandbox.requestLog.counts('salesforce'))
    .filter(([endpoint]) => /^sobjects?\.(collections\.)?(create|update|upsert|delete)$/.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);

/** The first Salesforce request after `after` matched (a fresh state per run). */
function salesforceReadAfter(after: (entry: LoggedRequest) => boolean): (entry: LoggedRequest) => boolean {
  let seen = false;
  return (entry) => {
    if (after(entry)) {
      seen = true;
      return false;
    }
    return seen && entry.system === 'salesforce';
  };
}

describe('kill -9 during the won/lost feedback (chaos)', () => {
  it('a `sync feedback --once` killed three times — reading Salesforce twice, inside the HubSpot deal writes once — then run again ends as a clean run does, and a rerun writes nothing', async () => {
    const started = Date.now();
    const pg = await postgresAnswers();
    // Both sandboxes' clocks start at the same instant and stand still until the world is made.
    const start = Math.floor((Date.now() - BACK) / 1_000) * 1_000;
    const [cleanClock, chaosClock] = [heldClock(start), heldClock(start)];
    const sandbox = (clock: SandboxClock) => ({ contacts: CONTACTS, seed: SEED, clock, salesforce: { fieldHistoryTracking: ['Lead.Status'], queryBatchSize: QUERY_BATCH } });
    // The clean run's ledger is PostgreSQL when one answers; the killed runs keep the embedded
    // PGlite ledger of a single-process installation, which kill -9 must not harm.
    const [clean, chaos] = await Promise.all([
      World.open({ label: 'feedback-clean', redisUrl: redis.url, sandbox: sandbox(cleanClock), postgres: pg }),
      World.open({ label: 'feedback-kill', redisUrl: redis.url, sandbox: sandbox(chaosClock) }),
    ]);
    try {
      const [cleanWorld, chaosWorld] = await Promise.all([prepare(clean, cleanClock), prepare(chaos, chaosClock)]);
      const preparedMs = Date.now() - started;
      // The two worlds are the same world: the same hand-offs, the same quarter, the same opportunity ids.
      expect(chaosWorld.truth.opportunities).toEqual(cleanWorld.truth.opportunities);
      expect(chaosWorld.extras).toEqual(cleanWorld.extras);
      const opportunities = cleanWorld.truth.opportunities.length + cleanWorld.extras.length;

      const cleanWritesBefore = hubspotWrites(clean);
      const reference = clean.spawn(FEEDBACK, 'clean feedback');
      const cleanDone = reference.finished(120_000).then((exit) => ({ exit, ms: Date.now() - reference.startedAt }));

      const dealCreate = (e: LoggedRequest) => e.system === 'hubspot' && e.endpoint === 'deals.batch.create';
      const contactWrite = (e: LoggedRequest) => e.system === 'hubspot' && e.endpoint === 'contacts.batch.update';
      const contactRead = (e: LoggedRequest) => e.system === 'hubspot' && e.endpoint === 'contacts.batch.read';
      const points: (() => KillPoint)[] = [
        // The Lead Status pull: page 1 recorded, its accepted contacts' lifecycle written, its cursor
        // saved; killed as page 2 is read.
        () => ({ name: 'reading Salesforce: Lead Status page 2, after page 1 was written', request: salesforceReadAfter(contactWrite) }),
        // The first 100 deals of opportunity page 1 created in HubSpot, the answer never received:
        // no fingerprint stored, no cursor moved.
        () => ({ name: 'HubSpot deal batch create done, answer lost (opportunity page 1, first 100)', request: dealCreate }),
        // Opportunity page 1 done again (its first 100 deals found by the unique property and
        // updated, the rest created), its contacts read and written, its cursor saved; killed as
        // page 2 is read.
        () => {
          let dealsWritten = false;
          return {
            name: 'reading Salesforce: opportunity page 2, after page 1 was written',
            request: salesforceReadAfter((e) => {
              if (dealCreate(e)) dealsWritten = true;
              return dealsWritten && contactRead(e);
            }),
          };
        },
      ];
      const chaosWritesBefore = hubspotWrites(chaos);
      const kills: { point: string; what: string; afterMs: number; hubspotWrites: number; restartAfterMs?: number }[] = [];
      const leaseKey = chaos.keys.lease('sync-feedback');
      let steppedAside = 0;
      let killedAt: number | undefined;
      // A killed run's lease (15 s, renewed every 5 s) outlives it. A run takes its lease a few
      // seconds after it starts (Node, the ledger, the connections): one started in the lease's last
      // seconds finds it expired, and one that still finds it held steps aside (exit 75, nothing
      // done) and is started again once the lease is gone, as a person told so would.
      const startRun = async (label: string) => {
        await waitFor(async () => (await chaos.redis.pttl(leaseKey)) < LEASE_OVERLAP_MS, 30_000, 100);
        const run = chaos.spawn(FEEDBACK, label);
        if (killedAt !== undefined && kills.at(-1)!.restartAfterMs === undefined) kills.at(-1)!.restartAfterMs = Date.now() - killedAt;
        return run;
      };
      const stoodAside = async (run: LeadloopProcess) => {
        const exit = await run.exited;
        if (exit.code !== 75 || run.summary()?.reason !== 'lease-held') return false;
        steppedAside++;
        await waitFor(async () => (await chaos.redis.exists(leaseKey)) === 0, 30_000, 100);
        return true;
      };
      for (const [i, makePoint] of points.entries()) {
        const point = makePoint();
        const writesBefore = hubspotWrites(chaos);
        for (;;) {
          const run = await startRun(`feedback #${chaos.processes.length + 1}`);
          const armed = killAt(chaos, () => run, point);
          // The point, or the run ending on its own (finished, stepped aside or crashed), or nothing for too long.
          const outcome = await Promise.race([armed.killed, run.exited.then(() => (run.crashed ? undefined : armed.killed)), sleep(90_000).then(() => undefined)]);
          armed.cancel();
          if (outcome === undefined && !run.alive && (await stoodAside(run))) continue;
          expect(
            outcome,
            `kill point ${i + 1} "${point.name}" was never reached (exit ${JSON.stringify(run.alive ? 'running' : await run.exited)}); its requests:\n${compactLog(chaos.sandbox.requestLog.recent().filter((e) => e.at >= run.startedAt))}\n${run.stdout.slice(-2_000)}\n${run.tail()}`,
          ).toBeDefined();
          killedAt = Date.now();
          kills.push({ point: point.name, what: outcome!.what, afterMs: outcome!.at - run.startedAt, hubspotWrites: hubspotWrites(chaos) - writesBefore });
          console.log(JSON.stringify({ kill: kills.at(-1) }));
          break;
        }
      }
      /** A run to its end (started again if it stood aside for the killed run's lease). */
      const toTheEnd = async (label: string) => {
        for (;;) {
          const run = await startRun(label);
          await run.finished(120_000);
          if (await stoodAside(run)) continue;
          return { run, exit: await run.exited, ms: Date.now() - run.startedAt };
        }
      };

      const { run: last, exit: lastExit, ms: lastMs } = await toTheEnd('feedback to completion');
      expect(lastExit.code, `${last.stdout.slice(-2_000)}\n${last.tail()}`).toBe(0);
      const finalSummary = last.summary() as { ok: boolean; deals: Record<string, number>; deadLettered: number; opportunities: Record<string, number> };
      expect(finalSummary).toMatchObject({ ok: true, deadLettered: 0 });

      const { exit: cleanExit, ms: cleanMs } = await cleanDone;
      expect(cleanExit.code, `${reference.stdout.slice(-2_000)}\n${reference.tail()}`).toBe(0);
      const cleanSummary = reference.summary() as { deals: Record<string, number>; deadLettered: number; opportunities: Record<string, number>; pages: number };
      expect(cleanSummary.deadLettered).toBe(0);

      // A further run finds nothing to write.
      const writesBeforeRerun = hubspotWrites(chaos);
      const salesforceWritesBeforeRerun = salesforceWrites(chaos);
      const { run: rerun, exit: rerunExit } = await toTheEnd('rerun');
      expect(rerunExit.code, rerun.tail()).toBe(0);
      const rerunWrites = hubspotWrites(chaos) - writesBeforeRerun;
      const rerunSalesforceWrites = salesforceWrites(chaos) - salesforceWritesBeforeRerun;
      expect(rerunWrites).toBe(0);
      expect((rerun.summary() as { deals: Record<string, number>; contactsUpdated: number }).deals).toMatchObject({ created: 0, updated: 0, archived: 0 });
      expect((rerun.summary() as { contactsUpdated: number }).contactsUpdated).toBe(0);

      const [expected, after] = [await feedbackState(clean), await feedbackState(chaos)];
      // The clean run did the whole job: several HubSpot batches of deals over several pages.
      expect(cleanSummary.deals.created).toBe(expected.deals.size);
      expect(cleanSummary.deals.created).toBeGreaterThan(300);
      // Every opportunity of the quarter and every one added by hand is in the ledger (beside the org's seeded ones).
      const recorded = [...cleanWorld.truth.opportunities.map((o) => o.opportunityId), ...cleanWorld.extras].filter((id) => expected.opportunities.has(id));
      expect(recorded.length).toBe(opportunities);
      const differences = diffStates(expected, after);
      expect(differences).toEqual([]);
      expect(after.duplicateDeals).toEqual([]);
      expect(chaos.unhandledErrors()).toEqual([]);
      expect(clean.unhandledErrors()).toEqual([]);
      console.log(
        JSON.stringify({
          scenario: 'kill-feedback',
          contacts: CONTACTS,
          handedOff: cleanWorld.handedOff,
          opportunities: { quarter: cleanWorld.truth.opportunities.length, added: cleanWorld.extras.length, recorded: expected.opportunities.size },
          statusChanges: expected.statusChanges.size,
          runs: chaos.processes.length + clean.processes.length,
          kills: kills.length,
          steppedAside,
          killPoints: kills,
          deals: after.deals.size,
          cleanDealCreates: clean.sandbox.requestLog.total('hubspot', 'deals.batch.create'),
          killedDealCreates: chaos.sandbox.requestLog.total('hubspot', 'deals.batch.create'),
          duplicates: after.duplicateDeals.length,
          lost: differences.length,
          contactOutcomes: after.outcomes,
          hubspotWrites: { clean: hubspotWrites(clean) - cleanWritesBefore, killedRuns: writesBeforeRerun - chaosWritesBefore, rerun: rerunWrites },
          salesforceWritesOnRerun: rerunSalesforceWrites,
          finalRun: { deals: finalSummary.deals, durationMs: lastMs },
          cleanRunMs: cleanMs,
          preparedMs,
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), chaos.close()]);
    }
  });
});

function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function compactLog(entries: readonly LoggedRequest[]): string {
  const out: string[] = [];
  let n = 0;
  for (const [i, e] of entries.entries()) {
    n++;
    const line = `${e.system} ${e.endpoint} ${e.status}`;
    const next = entries[i + 1];
    if (next && `${next.system} ${next.endpoint} ${next.status}` === line) continue;
    out.push(n > 1 ? `${line} x${n}` : line);
    n = 0;
  }
  return out.join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
