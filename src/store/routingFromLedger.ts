import { sql, type Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * Round-robin positions and a day's loads rebuilt from the ledger's decisions, for when Redis
 * (a cache here) has lost them: each team's position is the one its latest decision left, and an
 * owner's load is the number of decisions that gave them a lead that (UTC) day.
 */
export async function routingFromLedger(db: Kysely<LedgerSchema>, day: string): Promise<{ roundRobin: Record<string, number>; loadToday: Record<string, number> }> {
  const start = new Date(`${day}T00:00:00.000Z`);
  const end = new Date(start.getTime() + 86_400_000);
  const loads = await db
    .selectFrom('decisions')
    .select([sql<string>`lower(owner_email)`.as('email'), sql<string>`count(*)`.as('leads')])
    .where('owner_kind', '=', 'user')
    .where('owner_email', 'is not', null)
    .where('decided_at', '>=', start)
    .where('decided_at', '<', end)
    .groupBy(sql`lower(owner_email)`)
    .execute();
  const rotations = await db
    .selectFrom('decisions')
    .distinctOn('rotation_team')
    .select(['rotation_team', 'rotation_next'])
    .where('rotation_team', 'is not', null)
    .orderBy('rotation_team')
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return {
    roundRobin: Object.fromEntries(rotations.map((r) => [r.rotation_team!, r.rotation_next ?? 0])),
    loadToday: Object.fromEntries(loads.map((l) => [l.email, Number(l.leads)])),
  };
}
