import type { Kysely } from 'kysely';
import type { LedgerSchema, NewHandoff } from './schema.ts';

/** Records a hand-off once: a retried page finds it already there and writes nothing. */
export async function recordHandoff(db: Kysely<LedgerSchema>, handoff: NewHandoff): Promise<void> {
  await db.insertInto('handoffs').values(handoff).onConflict((oc) => oc.columns(['hubspot_contact_id', 'handoff_key']).doNothing()).execute();
}
