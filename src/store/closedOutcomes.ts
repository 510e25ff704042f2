import type { Kysely } from 'kysely';
import type { ContactOutcome } from '../domain/simulate/compare.ts';
import type { LedgerSchema } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement.
const IDS_PER_STATEMENT = 10_000;

/** The won and lost (not deleted) opportunities linked to these contacts, one row per link. */
export async function closedOutcomes(db: Kysely<LedgerSchema>, contactIds: readonly string[]): Promise<ContactOutcome[]> {
  const out: ContactOutcome[] = [];
  for (let i = 0; i < contactIds.length; i += IDS_PER_STATEMENT) {
    const rows = await db
      .selectFrom('opportunity_contacts as c')
      .innerJoin('opportunities as o', 'o.opportunity_id', 'c.opportunity_id')
      .select(['c.hubspot_contact_id', 'o.opportunity_id', 'o.outcome', 'o.amount', 'o.currency'])
      .where('c.hubspot_contact_id', 'in', contactIds.slice(i, i + IDS_PER_STATEMENT))
      .where('o.outcome', 'in', ['won', 'lost'])
      .where('o.deleted_at', 'is', null)
      .orderBy('o.opportunity_id')
      .execute();
    for (const r of rows) {
      out.push({ contactId: r.hubspot_contact_id, opportunityId: r.opportunity_id, outcome: r.outcome as 'won' | 'lost', amount: r.amount === null ? null : Number(r.amount), currency: r.currency });
    }
  }
  return out;
}
