import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * Moves a merged-away contact's decisions and hand-offs to the surviving contact, unless the
 * survivor already has its own (then the merged contact's rows stay as history).
 */
export async function rekeyContact(db: Kysely<LedgerSchema>, fromContactId: string, toContactId: string): Promise<{ moved: boolean }> {
  return db.transaction().execute(async (tx) => {
    const survivorHas = await tx.selectFrom('decisions').select('id').where('hubspot_contact_id', '=', toContactId).executeTakeFirst();
    if (survivorHas) return { moved: false };
    await tx.updateTable('decisions').set({ hubspot_contact_id: toContactId }).where('hubspot_contact_id', '=', fromContactId).execute();
    await tx.updateTable('handoffs').set({ hubspot_contact_id: toContactId }).where('hubspot_contact_id', '=', fromContactId).execute();
    return { moved: true };
  });
}
