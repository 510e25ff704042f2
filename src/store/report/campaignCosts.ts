import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';

/** Each campaign's ActualCost by name, for the names exactly one Salesforce campaign has (a name two share is never guessed). */
export async function campaignCosts(db: Kysely<LedgerSchema>): Promise<{ name: string; cost: number | null }[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select(['name', sql<string | null>`max(actual_cost)`.as('cost')])
    .groupBy('name')
    .having(sql`count(*)`, '=', 1)
    .execute();
  return rows.map((r) => ({ name: r.name, cost: r.cost === null ? null : Number(r.cost) }));
}
