/**
 * Redis restarted empty mid-sync: a worker (`start --role worker`, embedded PGlite ledger) runs the
 * first backfill of 5,000 contacts against a redis-server of the scenario's own; once it has read
 * 20 of the 50 list pages (and created leads), that redis-server is killed and started again on the
 * same port with nothing in it — the job, its lock, the run's lease, the backfill position, the
 * schedulers, budgets and routing loads all gone. Nobody touches the worker: it must reconnect by
 * itself, the run in flight stop on its lost lease (the README's "fails cleanly"), and the next
 * scheduled cycle start the backfill over and finish it.
 *
 * Holds: the end state equals a clean run's (a twin world seeded alike, its Redis left alone): same
 * leads, owners, tasks and write-backs; no lead or task created twice (counted from the sandbox
 * org's own writes); one routing decision per contact, for the same contacts as the clean run; no
 * lead routing had to hold back for capacity (the ledger's decisions replayed, see capacityOverruns);
 * no uncaught error, and the worker stops with code 0 on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffEndStates, endState, overCapacity } from './support/end-state.ts';
import { capacityOverruns, ledgerDecisions } from './support/ledger.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { waitFor, World } from './support/world.ts';

const CONTACTS = 5_000;
const SEED = 29;
/** 50 list pages in all: Redis goes once the worker has read this many. */
const RESTART_AFTER_LIST_PAGES = 20;

let cleanRedis: RedisServer;
let chaosRedis: RedisServer;
beforeAll(async () => {
  [cleanRedis, chaosRedis] = await Promise.all([RedisServer.start(), RedisServer.start()]);
});
afterAll(async () => {
  await Promise.all([cleanRedis?.stop(), chaosRedis?.stop()]);
});

describe('Redis restarted empty (chaos)', () => {
  it('a backfill whose Redis restarts empty mid-sync goes on by itself and ends as a clean run does', async () => {
    const started = Date.now();
    const pg = await postgresAnswers();
    const [clean, chaos] = await Promise.all([
      World.open({ label: 'redis-restart-clean', redisUrl: cleanRedis.url, sandbox: { contacts: CONTACTS, seed: SEED }, postgres: pg }),
      World.open({ label: 'redis-restart', redisUrl: chaosRedis.url, sandbox: { contacts: CONTACTS, seed: SEED } }),
    ]);
    // The world's own client reads the backfill's position: refusals while Redis is down are expected.
    chaos.redis.on('error', () => undefined);
    try {
      const reference = clean.spawn(['start', '--role', 'worker'], 'clean worker');
      const worker = chaos.spawn(['start', '--role', 'worker'], 'worker');
      const lists = () => chaos.sandbox.requestLog.total('hubspot', 'contacts.list');
      expect(await waitFor(() => lists() >= RESTART_AFTER_LIST_PAGES || !worker.alive, 180_000, 50), `the backfill never got under way\n${worker.tail()}`).toBe(true);
      expect(worker.alive, worker.tail()).toBe(true);
      const before = { lists: lists(), leadCreates: chaos.tap.total(chaos.tap.leadCreates), position: await chaos.backfill() };
      const restartedAt = Date.now();
      await chaosRedis.restart(500);
      // Nobody restarts the worker: it reconnects, puts its schedules back, and the next cycle starts
      // the backfill over (its saved position went with Redis).
      const done = await waitFor(async () => !worker.alive || (await chaos.backfillDone().catch(() => false)), 240_000, 250);
      const recoveredMs = Date.now() - restartedAt;
      expect(worker.alive, `the worker ended after the Redis restart\n${worker.tail()}`).toBe(true);
      expect(done, `the sync did not complete after the Redis restart\n${worker.tail()}`).toBe(true);
      expect(await waitFor(() => clean.backfillDone(), 240_000, 250), `the clean run did not complete\n${reference.tail()}`).toBe(true);
      const stops = await Promise.all([worker.stop(), reference.stop()]);
      const cleanState = endState(clean.sandbox);
      const after = endState(chaos.sandbox);
      const routing = (world: World) => readFileSync(join(world.configDir, 'routing.yaml'), 'utf8');
      const [cleanDecisions, decisions] = await Promise.all([ledgerDecisions(clean), ledgerDecisions(chaos)]);
      const lost = diffEndStates(cleanState, after);
      expect(lost).toEqual([]);
      expect(chaos.tap.repeated(chaos.tap.leadCreates)).toEqual([]);
      expect(chaos.tap.refusedLeadCreates).toBe(0);
      expect(chaos.tap.repeated(chaos.tap.taskCreates)).toEqual([]);
      expect(chaos.tap.refusedTaskCreates).toBe(0);
      // One decision per contact, for the same contacts as the clean run.
      expect(new Set(decisions.map((d) => d.hubspot_contact_id)).size).toBe(decisions.length);
      expect(decisions.map((d) => d.hubspot_contact_id).sort()).toEqual(cleanDecisions.map((d) => d.hubspot_contact_id).sort());
      // Nobody got a lead routing had to hold back for capacity (loads lost with Redis are rebuilt from the ledger)...
      expect(await capacityOverruns(decisions, chaos.configDir)).toEqual([]);
      expect(await capacityOverruns(cleanDecisions, clean.configDir)).toEqual([]);
      // ...and nobody holds more leads than in the clean run (where account owners already hold more than their daily_capacity).
      expect([...overCapacity(chaos.sandbox, after, routing(chaos))]).toEqual([...overCapacity(clean.sandbox, cleanState, routing(clean))]);
      expect(chaos.unhandledErrors()).toEqual([]);
      for (const s of stops) expect(s.code).toBe(0);
      console.log(
        JSON.stringify({
          scenario: 'redis-restart',
          contacts: CONTACTS,
          processes: chaos.processes.length + clean.processes.length,
          faults: 1,
          restart: { atMs: restartedAt - started, listPagesBefore: before.lists, leadCreatesBefore: before.leadCreates, recoveredMs },
          listPages: lists(),
          // What the worker said of it (warnings and errors, by message): the lost lease, the schedules put back, the refused reconnects.
          workerLog: countBy(worker.logLines(40).map((l) => `${l.msg}${l.error ? ` (${String(l.error)})` : ''}`)),
          duplicates: after.duplicateLeads.length + after.duplicateTasks.length + chaos.tap.repeated(chaos.tap.leadCreates).length + chaos.tap.repeated(chaos.tap.taskCreates).length,
          lost: lost.length,
          leads: after.leads.size,
          tasks: after.tasks.size,
          peakRssMb: { worker: chaos.peakRssMb(), clean: clean.peakRssMb() },
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), chaos.close()]);
    }
  });
});

function countBy(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}
