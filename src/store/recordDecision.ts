import type { Kysely } from 'kysely';
import type { LedgerSchema, NewDecision } from './schema.ts';

export type DecisionInput = Omit<NewDecision, 'id' | 'notify' | 'trace' | 'handoff_key' | 'rotation_team' | 'rotation_next'> & {
  handoff_key?: string;
  notify?: unknown[];
  trace?: unknown[];
  rotation_team?: string | null;
  rotation_next?: number | null;
};

/**
 * Records many decisions in one statement; one that exists for the same contact and hand-off key
 * stands (the first one wins, so a retried page or a concurrent hand-off reuses the original
 * routing). Returns the contacts whose decision this statement stored (INSERT … RETURNING): only
 * those may count their routing (round robin, load) — the others re-read the stored one.
 */
export async function recordDecisions(db: Kysely<LedgerSchema>, inputs: readonly DecisionInput[]): Promise<Set<string>> {
  if (inputs.length === 0) return new Set();
  const rows = await db
    .insertInto('decisions')
    .values(
      inputs.map(({ notify = [], trace = [], handoff_key = 'first', rotation_team = null, rotation_next = null, ...rest }) => ({
        ...rest,
        handoff_key,
        rotation_team,
        rotation_next,
        notify: JSON.stringify(notify),
        trace: JSON.stringify(trace),
      })),
    )
    .onConflict((oc) => oc.columns(['hubspot_contact_id', 'handoff_key']).doNothing())
    .returning('hubspot_contact_id')
    .execute();
  return new Set(rows.map((r) => r.hubspot_contact_id));
}
