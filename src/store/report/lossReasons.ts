import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from '../schema.ts';
import { type ReportScope, reportScope } from './scope.ts';

/** The lost opportunities of the window's hand-offs per loss reason (`(none)`: none given). */
export async function lossReasons(db: Kysely<LedgerSchema>, scope: ReportScope): Promise<{ reason: string; lost: number }[]> {
  const { rows } = await sql<{ reason: string; lost: string }>`
    with ${reportScope(scope)}
    select coalesce(loss_reason, '(none)') as reason, count(*) as lost
      from opps
     where outcome = 'lost'
     group by 1`.execute(db);
  return rows.map((r) => ({ reason: r.reason, lost: Number(r.lost) }));
}
