import { sql, type Kysely, type Transaction } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * Moves a merged-away contact's decisions (with their traces) and hand-offs to the surviving contact, so the person's
 * whole history is the survivor's: a privacy deletion of the survivor reaches it, and the
 * closed-loop figures keep counting it. The survivor may have rows of its own (both contacts
 * were handed off before HubSpot merged them) with the same hand-off key, which is unique per
 * contact: then the merged contact's row moves under the key `merged:<from>:<key>`, and the
 * survivor's own row stays the one its hand-offs find (routing happens once per key). Rows keep
 * their Salesforce ids (where that hand-off landed, even if that lead has since been merged away).
 * One transaction; a second call finds nothing left to move.
 */
export async function rekeyContact(db: Kysely<LedgerSchema>, fromContactId: string, toContactId: string): Promise<{ moved: boolean }> {
  if (fromContactId === toContactId) return { moved: false };
  return db.transaction().execute(async (tx) => {
    const decisions = await move(tx, 'decisions', fromContactId, toContactId);
    const handoffs = await move(tx, 'handoffs', fromContactId, toContactId);
    // The traces follow their decisions (same keys): the survivor's privacy deletion erases them too.
    await move(tx, 'decision_traces', fromContactId, toContactId);
    // The SLA clocks follow their hand-offs (same rows by id; the key is read from the hand-off).
    await tx.updateTable('sla_clocks').set({ hubspot_contact_id: toContactId }).where('hubspot_contact_id', '=', fromContactId).execute();
    return { moved: decisions + handoffs > 0 };
  });
}

async function move(tx: Transaction<LedgerSchema>, table: 'decisions' | 'handoffs' | 'decision_traces', from: string, to: string): Promise<number> {
  // The subquery reads the table as it was before this statement: only the survivor's own rows.
  const result = await sql`update ${sql.table(table)} as t
    set hubspot_contact_id = ${to},
        handoff_key = case when exists (select 1 from ${sql.table(table)} as s where s.hubspot_contact_id = ${to} and s.handoff_key = t.handoff_key)
                      then ${`merged:${from}:`} || t.handoff_key else t.handoff_key end
    where t.hubspot_contact_id = ${from}`.execute(tx);
  return Number(result.numAffectedRows ?? 0n);
}
