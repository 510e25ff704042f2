import type { Kysely } from 'kysely';
import { findDecision } from './findDecision.ts';
import type { Decision, LedgerSchema, NewDecision } from './schema.ts';

export type DecisionInput = Omit<NewDecision, 'id' | 'notify' | 'trace' | 'handoff_key'> & {
  handoff_key?: string;
  notify?: unknown[];
  trace?: unknown[];
};

/**
 * Records a decision unless one exists for the same contact and hand-off key, and returns the
 * decision that stands: the first one wins, so a retried page reuses the original routing.
 */
export async function recordDecision(db: Kysely<LedgerSchema>, input: DecisionInput): Promise<Decision> {
  await recordDecisions(db, [input]);
  const stands = await findDecision(db, input.hubspot_contact_id, input.handoff_key ?? 'first');
  if (!stands) throw new Error(`the decision for contact ${input.hubspot_contact_id} was not recorded`);
  return stands;
}

/** Records many decisions in one statement; an existing one for the same contact and key stands. */
export async function recordDecisions(db: Kysely<LedgerSchema>, inputs: readonly DecisionInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await db
    .insertInto('decisions')
    .values(inputs.map(({ notify = [], trace = [], handoff_key = 'first', ...rest }) => ({ ...rest, handoff_key, notify: JSON.stringify(notify), trace: JSON.stringify(trace) })))
    .onConflict((oc) => oc.columns(['hubspot_contact_id', 'handoff_key']).doNothing())
    .execute();
}
