import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';

/** Live opportunities none of whose contacts leadloop handed off (unlinked ones included): the report counts them nowhere else. */
export async function opportunitiesWithoutHandoff(db: Kysely<LedgerSchema>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n
      from opportunities op
     where op.deleted_at is null
       and not exists (select 1 from opportunity_contacts oc join handoffs h on h.hubspot_contact_id = oc.hubspot_contact_id where oc.opportunity_id = op.opportunity_id)`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
