import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import { openLedger } from '../../src/store/ledger.ts';
import type { World } from './world.ts';

/** A routing decision as the ledger keeps it (the columns the chaos suite reads). */
export interface DecisionRow {
  id: number;
  hubspot_contact_id: string;
  handoff_key: string;
  decided_at: Date;
  owner_kind: string | null;
  owner_email: string | null;
  rule: string | null;
}

/**
 * Every routing decision in a world's ledger, in the order they were stored. On PostgreSQL it is
 * read beside the running processes; the embedded ledger admits one opener, so every process of
 * the world must have ended before its folder is opened here.
 */
export async function ledgerDecisions(world: World): Promise<DecisionRow[]> {
  const columns = 'id, hubspot_contact_id, handoff_key, decided_at, owner_kind, owner_email, rule';
  if (world.database) {
    const rows = await world.database.query<DecisionRow>(`select ${columns} from decisions order by id`);
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }
  const alive = world.processes.filter((p) => p.alive).map((p) => p.label);
  if (alive.length > 0) throw new Error(`ledgerDecisions: the embedded ledger is still held (${alive.join(', ')} running)`);
  const ledger = await openLedger({ dataDir: world.dataDir, role: 'chaos suite (reading decisions)' });
  try {
    const rows = await ledger.db.selectFrom('decisions').select(['id', 'hubspot_contact_id', 'handoff_key', 'decided_at', 'owner_kind', 'owner_email', 'rule']).orderBy('id').execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), decided_at: new Date(r.decided_at as unknown as string) }));
  } finally {
    await ledger.close();
  }
}

/**
 * Capacity as routing applies it: a person's load is every lead a decision gave them that (UTC)
 * day — account owners' leads included — and a rule that assigns to a person or a team may give
 * someone a lead only while their load is under their daily_capacity (account owners keep their
 * accounts' leads whatever their load; the fallback here is a queue). Replays the decisions in the
 * order they were stored and names every decision that gave a capacity-bound lead to someone
 * already full: a lost load count (Redis restarted empty, two processes counting apart) shows here.
 *
 * Why not the end state's overCapacity(): it counts every lead an owner holds, and with the
 * shipped routing.yaml a clean run already gives the SMB and mid-market reps more than their
 * capacity through the existing-account rule (capacity does not apply to account owners).
 */
export async function capacityOverruns(decisions: readonly DecisionRow[], configDir: string): Promise<string[]> {
  const { config } = await loadConfigDirOrThrow(configDir);
  const capacity = new Map(config.routing.owners.filter((o) => o.daily_capacity !== undefined).map((o) => [o.email.toLowerCase(), o.daily_capacity!]));
  const bound = new Set(config.routing.rules.filter((r) => r.assign === 'owner' || r.assign === 'team').map((r) => r.id));
  const load = new Map<string, number>();
  const out: string[] = [];
  for (const d of decisions) {
    if (d.owner_kind !== 'user' || !d.owner_email) continue;
    const key = `${d.decided_at.toISOString().slice(0, 10)} ${d.owner_email.toLowerCase()}`;
    const before = load.get(key) ?? 0;
    const cap = capacity.get(d.owner_email.toLowerCase());
    if (cap !== undefined && d.rule !== null && bound.has(d.rule) && before >= cap) out.push(`contact ${d.hubspot_contact_id}: rule ${d.rule} gave ${d.owner_email} a lead at load ${before}/${cap}`);
    load.set(key, before + 1);
  }
  return out;
}
