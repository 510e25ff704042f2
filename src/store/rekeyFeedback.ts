import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/**
 * The feedback side of a HubSpot merge: the merged-away contact's lead status changes and
 * opportunity links move to the survivor (a link the survivor has already stays once), and its
 * contact keys go (the survivor's own keys are the ones to match; a survivor without any is listed
 * by `contactsMissingKeys` once its hand-offs are its own). So a later privacy deletion of the
 * survivor reaches all of it. One transaction; a second call finds nothing left to move.
 */
export async function rekeyFeedback(db: Kysely<LedgerSchema>, fromContactId: string, toContactId: string): Promise<{ moved: boolean }> {
  if (fromContactId === toContactId) return { moved: false };
  return db.transaction().execute(async (tx) => {
    const statuses = await tx.updateTable('lead_status_changes').set({ hubspot_contact_id: toContactId }).where('hubspot_contact_id', '=', fromContactId).executeTakeFirst();
    const duplicates = await tx
      .deleteFrom('opportunity_contacts')
      .where('hubspot_contact_id', '=', fromContactId)
      .where('opportunity_id', 'in', (eb) => eb.selectFrom('opportunity_contacts').select('opportunity_id').where('hubspot_contact_id', '=', toContactId))
      .executeTakeFirst();
    const links = await tx.updateTable('opportunity_contacts').set({ hubspot_contact_id: toContactId }).where('hubspot_contact_id', '=', fromContactId).executeTakeFirst();
    const keys = await tx.deleteFrom('contact_keys').where('hubspot_contact_id', '=', fromContactId).executeTakeFirst();
    const moved = Number(statuses.numUpdatedRows) + Number(duplicates.numDeletedRows) + Number(links.numUpdatedRows) + Number(keys.numDeletedRows);
    return { moved: moved > 0 };
  });
}
