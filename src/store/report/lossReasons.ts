import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';

/** The lost opportunities of the window's hand-offs per loss reason (`(none)`: none given). */
export async function lossReasons(db: Kysely<LedgerSchema>): Promise<{ reason: string; lost: number }[]> {
  const { rows } = await sql<{ reason: string; lost: string }>`
    select coalesce(loss_reason, '(none)') as reason, count(*) as lost
      from report_opps
     where outcome = 'lost'
     group by 1`.execute(db);
  return rows.map((r) => ({ reason: r.reason, lost: Number(r.lost) }));
}
