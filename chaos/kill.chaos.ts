import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffEndStates, endState, restrictTo, type EndState } from './support/end-state.ts';
import { killAt, type KillPoint } from './support/kill-points.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { waitFor, World } from './support/world.ts';

const CONTACTS = 20_000;
const SEED = 23;

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

describe('kill -9 (chaos)', () => {
  it('a 20,000-contact backfill killed three times ends as a clean run does, and its saved position never runs ahead of what was written', async () => {
    const started = Date.now();
    // The clean run's ledger is PostgreSQL when one answers (it starts faster); the killed worker
    // keeps the embedded PGlite ledger of a single-process installation, which kill -9 must not harm.
    const pg = await postgresAnswers();
    const [clean, chaos] = await Promise.all([
      World.open({ label: 'kill-clean', redisUrl: redis.url, sandbox: { contacts: CONTACTS, seed: SEED }, postgres: pg }),
      World.open({ label: 'kill', redisUrl: redis.url, sandbox: { contacts: CONTACTS, seed: SEED } }),
    ]);
    try {
      const reference = clean.spawn(['start', '--role', 'worker'], 'clean worker');
      let worker = chaos.spawn(['start', '--role', 'worker'], 'worker #1');
      const list = (entry: { system: string; endpoint: string }) => entry.system === 'hubspot' && entry.endpoint === 'contacts.list';
      const lists = () => chaos.sandbox.requestLog.total('hubspot', 'contacts.list');
      // Three different moments, spread over the run (200 list pages in all, read ahead of the writes):
      const points: KillPoint[] = [
        // reading and routing: decisions being stored, round robin and loads counted
        { name: 'list page 40 requested (routing under way)', request: (e) => list(e) && lists() >= 40 },
        // a Salesforce lead write carried out, its answer never received; nothing recorded yet
        { name: 'lead created in Salesforce, answer lost (after list page 100)', write: (w) => w.sobject === 'Lead' && w.kind === 'create' && lists() >= 100 },
        // the HubSpot write-back carried out, answer lost: fingerprints and position not saved
        { name: 'HubSpot write-back done, answer lost (after list page 160)', request: (e) => e.endpoint === 'contacts.batch.update' && lists() >= 160 },
      ];
      const kills: { point: string; what: string; atMs: number; position: unknown; claimedDone: number; restartToResumeMs?: number }[] = [];
      const snapshots: { point: string; done: Set<string>; state: EndState }[] = [];
      for (const [i, point] of points.entries()) {
        const armed = killAt(chaos, () => worker, point);
        const current = worker;
        // The point, or the worker ending on its own (a crash), or nothing for too long.
        const outcome = await Promise.race([armed.killed, current.exited.then(() => (current.crashed ? undefined : armed.killed)), sleep(240_000).then(() => undefined)]);
        armed.cancel();
        expect(outcome, `kill point "${point.name}" was never reached\n${worker.tail()}`).toBeDefined();
        // The worker is dead: what its saved position claims done must already be written.
        const position = await chaos.backfill();
        const done = doneContacts(position, CONTACTS);
        snapshots.push({ point: point.name, done, state: restrictTo(endState(chaos.sandbox, done), done) });
        kills.push({ point: point.name, what: outcome!.what, atMs: outcome!.at - started, position, claimedDone: done.size });
        const before = lists();
        worker = chaos.spawn(['start', '--role', 'worker'], `worker #${i + 2}`);
        const restarted = Date.now();
        // It resumes once the killed run's lease (15 s) has expired and BullMQ has found the killed job stalled.
        await waitFor(() => lists() > before, 180_000, 200);
        kills.at(-1)!.restartToResumeMs = Date.now() - restarted;
        console.log(JSON.stringify({ kill: kills.at(-1) }));
      }
      expect(await waitFor(() => chaos.backfillDone(), 240_000, 250), `the backfill did not complete after the kills\n${worker.tail()}`).toBe(true);
      expect(await waitFor(() => clean.backfillDone(), 240_000, 250), `the clean run did not complete\n${reference.tail()}`).toBe(true);
      const stops = await Promise.all([worker.stop(), reference.stop()]);
      const cleanState = endState(clean.sandbox);
      const after = endState(chaos.sandbox);
      expect(diffEndStates(cleanState, after)).toEqual([]);
      for (const s of snapshots) expect(diffEndStates(restrictTo(cleanState, s.done), s.state), `after the kill at "${s.point}"`).toEqual([]);
      expect(chaos.tap.repeated(chaos.tap.leadCreates)).toEqual([]);
      expect(chaos.tap.refusedTaskCreates).toBe(0);
      expect(chaos.unhandledErrors()).toEqual([]);
      for (const s of stops) expect(s.code).toBe(0);
      console.log(
        JSON.stringify({
          scenario: 'kill-backfill',
          contacts: CONTACTS,
          runs: chaos.processes.length + clean.processes.length,
          kills: kills.length,
          killPoints: kills,
          leads: after.leads.size,
          tasks: after.tasks.size,
          writebacks: after.writebacks.size,
          duplicates: after.duplicateLeads.length + after.duplicateTasks.length,
          lost: diffEndStates(cleanState, after).length,
          leadCreates: chaos.tap.total(chaos.tap.leadCreates),
          cleanLeadCreates: clean.tap.total(clean.tap.leadCreates),
          peakRssMb: { killedWorkers: chaos.processes.map((p) => Math.round(p.peakRssKb / 1024)), clean: clean.peakRssMb() },
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), chaos.close()]);
    }
  });
});

/** The contacts a backfill position claims handled: every id up to its `after` (the list goes by id), or all once done. */
function doneContacts(position: { after?: string; done?: boolean } | undefined, contacts: number): Set<string> {
  const done = new Set<string>();
  if (!position) return done;
  const last = position.done ? 1000 + contacts : position.after ? Number(position.after) : 0;
  for (let id = 1001; id <= last; id++) done.add(String(id));
  return done;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
