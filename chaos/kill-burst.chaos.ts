import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/cli/demo-redis.ts';
import { signedHeaders } from '../src/sandbox/webhook-sender.ts';
import { boothScan } from './hostile/requests.ts';
import { diffEndStates, type EndState, endState, overCapacity } from './support/end-state.ts';
import { killAt } from './support/kill-points.ts';
import { postgresAnswers } from './support/postgres.ts';
import { RedisServer } from './support/redis-server.ts';
import { waitFor, type World, World as Worlds } from './support/world.ts';

const SEEDED = 100;
const BURST = 300;
const PER_DELIVERY = 10;
const SEED = 31;

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * HubSpot's side of a burst: the contacts are created, then announced in deliveries of ten
 * `contact.creation` events, each delivery retried (every second, as HubSpot retries a refused or
 * unanswered delivery) until leadloop answers 2xx.
 */
async function deliverBurst(world: World, url: () => string, contactIds: string[]): Promise<{ deliveries: number; retries: number }> {
  const secret = world.sandbox.connectionInfo().hubspot.clientSecret;
  let retries = 0;
  const batches: string[][] = [];
  for (let i = 0; i < contactIds.length; i += PER_DELIVERY) batches.push(contactIds.slice(i, i + PER_DELIVERY));
  for (const [n, batch] of batches.entries()) {
    const body = JSON.stringify(
      batch.map((id, k) => ({
        eventId: n * 100 + k,
        subscriptionId: 1,
        portalId: 62515,
        appId: 54321,
        occurredAt: Date.now(),
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: Number(id),
        changeSource: 'CRM',
      })),
    );
    for (;;) {
      const target = `${url()}/webhooks/hubspot`;
      const answer = await fetch(target, { method: 'POST', headers: signedHeaders(secret, target, body), body, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (answer && answer.status >= 200 && answer.status < 300) break;
      retries += 1;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  return { deliveries: batches.length, retries };
}

/** The end state without who got each lead: leads, write-backs and linked contacts per contact. */
function ownerBlind(state: EndState): EndState {
  const without = <V extends Record<string, unknown>>(m: Map<string, V>, key: string) => new Map([...m].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([f]) => f !== key)) as V]));
  return { ...state, leads: without(state.leads, 'OwnerId'), writebacks: without(state.writebacks, 'leadloop_owner'), tasks: new Map(), leadsPerOwner: new Map() };
}

/**
 * Each contact's assignment as a whole — its lead's owner, the owner written back to HubSpot, and
 * its tasks (subject and owner) — counted over all contacts: the same multiset in both runs means
 * the same number of leads per owner, each with the tasks and write-back its owner calls for.
 */
function assignments(state: EndState): Record<string, number> {
  const tasksOf = new Map<string, string[]>();
  for (const [key, task] of state.tasks) {
    const contact = key.split(':')[0]!;
    tasksOf.set(contact, [...(tasksOf.get(contact) ?? []), `${task.Subject} → ${task.OwnerId}`]);
  }
  const counted: Record<string, number> = {};
  for (const [contact, lead] of state.leads) {
    const signature = JSON.stringify([lead.OwnerId, state.writebacks.get(contact)?.leadloop_owner, (tasksOf.get(contact) ?? []).sort()]);
    counted[signature] = (counted[signature] ?? 0) + 1;
  }
  return counted;
}

describe('kill -9 mid-hand-off burst (chaos)', () => {
  it('a worker killed while a burst of booth scans is handed off ends as a clean run does: every scan one lead, one set of tasks, written back once', async () => {
    const started = Date.now();
    const pg = await postgresAnswers();
    const [clean, chaos] = await Promise.all([
      Worlds.open({ label: 'burst-clean', redisUrl: redis.url, sandbox: { contacts: SEEDED, seed: SEED }, postgres: pg }),
      Worlds.open({ label: 'burst', redisUrl: redis.url, sandbox: { contacts: SEEDED, seed: SEED } }),
    ]);
    try {
      const [cleanPort, chaosPort] = [await freePort(), await freePort()];
      const server = (world: World, port: number, label: string) => world.spawn(['start', '--role', 'all'], label, { HOST: '127.0.0.1', PORT: String(port) });
      const reference = server(clean, cleanPort, 'clean');
      let current = server(chaos, chaosPort, 'all #1');
      // The seeded contacts are backfilled first; the burst comes after, as a show's scans would.
      expect(await waitFor(async () => (await clean.backfillDone()) && (await chaos.backfillDone()), 120_000, 200), `${reference.tail()}\n${current.tail()}`).toBe(true);
      const scans = (world: World) => Array.from({ length: BURST }, (_, i) => world.sandbox.hubspot.createContact(boothScan(i)).id);
      const cleanIds = scans(clean);
      const chaosIds = scans(chaos);
      expect(chaosIds).toEqual(cleanIds);
      const before = chaos.tap.total(chaos.tap.leadCreates);
      // Killed once a third of the burst's leads exist, inside the write of the next one: that lead
      // is created, its answer never arrives, nothing of it is recorded.
      const armed = killAt(chaos, () => current, {
        name: 'lead write mid-burst',
        write: (w) => w.sobject === 'Lead' && w.kind === 'create' && chaos.tap.total(chaos.tap.leadCreates) - before >= BURST / 3,
      });
      const killedThenRestarted = armed.killed.then(async (kill) => {
        current = server(chaos, chaosPort, 'all #2');
        return kill;
      });
      const [cleanDelivery, chaosDelivery] = await Promise.all([
        deliverBurst(clean, () => `http://127.0.0.1:${cleanPort}`, cleanIds),
        deliverBurst(chaos, () => `http://127.0.0.1:${chaosPort}`, chaosIds),
      ]);
      const kill = await Promise.race([killedThenRestarted, new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000).unref())]);
      armed.cancel();
      expect(kill, `the kill point was never reached\n${current.tail()}`).toBeDefined();
      const handedOff = (world: World, ids: string[]) => () => ids.every((id) => world.sandbox.hubspot.getContact(id)?.properties.leadloop_handoff_at);
      expect(await waitFor(handedOff(clean, cleanIds), 180_000, 250), reference.tail()).toBe(true);
      expect(await waitFor(handedOff(chaos, chaosIds), 180_000, 250), current.tail()).toBe(true);
      // The tasks follow the leads in the same batch; give the last batch its moment, then compare.
      await waitFor(() => endState(chaos.sandbox).tasks.size >= endState(clean.sandbox).tasks.size, 60_000, 250);
      const stops = await Promise.all([current.stop(), reference.stop()]);
      const expected = endState(clean.sandbox);
      const after = endState(chaos.sandbox);
      const routingYaml = readFileSync(join(chaos.configDir, 'routing.yaml'), 'utf8');
      expect(Object.fromEntries(overCapacity(clean.sandbox, expected, routingYaml)), 'the clean run').toEqual({});
      expect(Object.fromEntries(overCapacity(chaos.sandbox, after, routingYaml)), 'the killed run').toEqual({});
      // Which of two scans arriving together takes a rep's last free place is up to the order the
      // hand-off jobs run in, in either run; everything else is per contact.
      expect(diffEndStates(ownerBlind(expected), ownerBlind(after))).toEqual([]);
      expect(assignments(after)).toEqual(assignments(expected));
      expect(chaos.tap.repeated(chaos.tap.leadCreates)).toEqual([]);
      expect(chaos.tap.repeated(chaos.tap.taskCreates)).toEqual([]);
      expect(chaos.unhandledErrors()).toEqual([]);
      for (const s of stops) expect(s.code).toBe(0);
      console.log(
        JSON.stringify({
          scenario: 'kill-handoff-burst',
          seeded: SEEDED,
          burst: BURST,
          kills: 1,
          killAfterMs: kill!.at - started,
          deliveries: chaosDelivery.deliveries,
          deliveryRetries: { chaos: chaosDelivery.retries, clean: cleanDelivery.retries },
          leads: after.leads.size,
          tasks: after.tasks.size,
          duplicates: after.duplicateLeads.length + after.duplicateTasks.length,
          lost: diffEndStates(ownerBlind(expected), ownerBlind(after)).length,
          peakRssMb: chaos.peakRssMb(),
          durationMs: Date.now() - started,
        }),
      );
    } finally {
      await Promise.all([clean.close(), chaos.close()]);
    }
  });
});
