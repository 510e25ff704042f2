/**
 * Side by side: two `leadloop start --role worker` processes on one Redis and one PostgreSQL ledger
 * (the embedded ledger admits one process only) run the first backfill of 5,000 contacts, and a
 * `leadloop sync leads --once` is started while it runs. The sync queue runs one job at a time across
 * workers and every run takes the lease, so exactly one of them works at any moment; the one-shot
 * command finds the lease held and exits 75 (or 0 had it got the lease), never 1.
 *
 * Holds, counted from the sandbox's own writes: every lead created once (none refused as a
 * duplicate), every task created once, every contact written back to HubSpot as often as in a clean
 * run (once); the ledger holds one routing decision per contact, for the same contacts as a clean
 * run's; the end state equals the clean run's (a twin world seeded alike, one worker); no uncaught
 * error; both workers stop with code 0 on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffEndStates, endState } from './support/end-state.ts';
import { capacityOverruns, ledgerDecisions } from './support/ledger.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { WritebackTap } from './support/writeback-tap.ts';
import { waitFor, World } from './support/world.ts';

const CONTACTS = 5_000;
const SEED = 31;
/** 50 list pages in all: the one-shot run starts once the backfill has read this many. */
const ONCE_AFTER_LIST_PAGES = 15;
/** Scheduled cycles (every 2 s) the workers run after the backfill, side by side still. */
const CYCLES_AFTER = 3;

const pg = await postgresAnswers();
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

describe('two workers and a one-shot run side by side (chaos)', () => {
  it.skipIf(!pg)('a backfill with two workers and a sync leads --once beside it: no contact routed twice, no write made twice, the end state of a clean run', async () => {
    const started = Date.now();
    const [clean, world] = await Promise.all([
      World.open({ label: 'side-by-side-clean', redisUrl: redis.url, sandbox: { contacts: CONTACTS, seed: SEED }, postgres: true }),
      World.open({ label: 'side-by-side', redisUrl: redis.url, sandbox: { contacts: CONTACTS, seed: SEED }, postgres: true }),
    ]);
    try {
      const cleanWritebacks = new WritebackTap(clean.sandbox);
      const writebacks = new WritebackTap(world.sandbox);
      const reference = clean.spawn(['start', '--role', 'worker'], 'clean worker');
      const workers = [world.spawn(['start', '--role', 'worker'], 'worker #1'), world.spawn(['start', '--role', 'worker'], 'worker #2')];
      const tails = () => world.processes.map((p) => p.tail(2_000)).join('\n');
      const lists = () => world.sandbox.requestLog.total('hubspot', 'contacts.list');
      const searches = () => world.sandbox.requestLog.total('hubspot', 'contacts.search');

      expect(await waitFor(() => lists() >= ONCE_AFTER_LIST_PAGES || workers.some((w) => !w.alive), 180_000, 50), `the backfill never got under way\n${tails()}`).toBe(true);
      expect(await world.backfillDone(), 'the backfill was over before the one-shot run could start beside it').toBe(false);
      const listsAtOnce = lists();
      const once = world.spawn(['sync', 'leads', '--once'], 'sync leads --once');
      const onceExit = await once.finished(240_000);
      const onceAt = { listPages: listsAtOnce, backfillDoneWhenItEnded: await world.backfillDone() };
      expect([0, 75], `sync leads --once exited ${onceExit.code ?? onceExit.signal}\n${once.tail()}`).toContain(onceExit.code);

      expect(await waitFor(() => world.backfillDone(), 240_000, 250), `the backfill did not complete\n${tails()}`).toBe(true);
      // A few incremental cycles more, the two workers still side by side: they find nothing new.
      const searchesAfterBackfill = searches();
      expect(await waitFor(() => searches() >= searchesAfterBackfill + CYCLES_AFTER || workers.some((w) => !w.alive), 60_000, 250), `no cycle ran after the backfill\n${tails()}`).toBe(true);
      expect(await waitFor(() => clean.backfillDone(), 240_000, 250), `the clean run did not complete\n${reference.tail()}`).toBe(true);
      for (const w of workers) expect(w.alive, `${w.label} ended by itself\n${w.tail()}`).toBe(true);
      // Which worker did the work (the sync queue runs one job at a time, whichever worker takes it).
      const cpuSeconds = workers.map((w) => cpuSecondsOf(w.pid));
      const stops = await Promise.all([...workers.map((w) => w.stop()), reference.stop()]);

      const cleanState = endState(clean.sandbox);
      const after = endState(world.sandbox);
      const [cleanDecisions, decisions] = await Promise.all([ledgerDecisions(clean), ledgerDecisions(world)]);
      const lost = diffEndStates(cleanState, after);
      expect(lost).toEqual([]);
      // Every write once, as the sandbox counted them.
      expect(world.tap.repeated(world.tap.leadCreates)).toEqual([]);
      expect(world.tap.refusedLeadCreates).toBe(0);
      expect(world.tap.repeated(world.tap.taskCreates)).toEqual([]);
      expect(world.tap.refusedTaskCreates).toBe(0);
      expect(world.tap.total(world.tap.leadCreates)).toBe(clean.tap.total(clean.tap.leadCreates));
      expect(world.tap.total(world.tap.leadUpdates)).toBe(clean.tap.total(clean.tap.leadUpdates));
      expect(writebacks.repeated()).toEqual(cleanWritebacks.repeated());
      expect(writebacks.total()).toBe(cleanWritebacks.total());
      // No contact routed twice: one decision per contact, the clean run's contacts.
      const decided = decisions.map((d) => d.hubspot_contact_id);
      expect(new Set(decided).size).toBe(decided.length);
      expect([...decided].sort()).toEqual(cleanDecisions.map((d) => d.hubspot_contact_id).sort());
      expect(await capacityOverruns(decisions, world.configDir)).toEqual([]);
      expect(world.unhandledErrors()).toEqual([]);
      for (const [i, s] of stops.entries()) expect(s.code, `${[...workers, reference][i]!.label} stopped with ${s.code ?? s.signal} after ${s.tookMs} ms`).toBe(0);

      console.log(
        JSON.stringify({
          scenario: 'side-by-side',
          contacts: CONTACTS,
          processes: world.processes.length + clean.processes.length,
          faults: 0,
          once: { exit: onceExit.code, ...onceAt, summary: once.summary() },
          duplicates:
            after.duplicateLeads.length +
            after.duplicateTasks.length +
            world.tap.repeated(world.tap.leadCreates).length +
            world.tap.repeated(world.tap.taskCreates).length +
            world.tap.refusedLeadCreates +
            world.tap.refusedTaskCreates,
          lost: lost.length,
          leads: after.leads.size,
          tasks: after.tasks.size,
          decisions: decisions.length,
          writebacks: writebacks.total(),
          hubspotCalls: world.sandbox.requestLog.counts('hubspot'),
          cleanHubspotCalls: clean.sandbox.requestLog.counts('hubspot'),
          workerCpuSeconds: cpuSeconds,
          stopsMs: stops.map((s) => s.tookMs),
          peakRssMb: { workers: workers.map((w) => Math.round(w.peakRssKb / 1024)), once: Math.round(once.peakRssKb / 1024), clean: clean.peakRssMb() },
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), world.close()]);
    }
  });
});

/** CPU time (user + system) a live process has used so far, in seconds (Linux /proc; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Math.round(Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
