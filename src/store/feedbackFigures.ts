import { type Kysely, sql } from 'kysely';
import { CORPORATE_CURRENCY } from '../domain/feedback/tally.ts';
import type { SourceFigures } from '../domain/feedback/types.ts';
import type { LedgerSchema } from './schema.ts';

/**
 * The closed-loop figures per source from the ledger: hand-offs and their fate by each contact's
 * earliest hand-off, opportunities by their attribution. Also how many live opportunities link to
 * no HubSpot contact (they count under `(none)` unless a campaign names their source).
 */
export async function feedbackFigures(db: Kysely<LedgerSchema>): Promise<{ bySource: SourceFigures[]; unlinked: number }> {
  const earliest = db.selectFrom('handoffs').select(['hubspot_contact_id', 'source']).distinctOn('hubspot_contact_id').orderBy('hubspot_contact_id').orderBy('handed_off_at').orderBy('id').as('e');
  const contacts = await db
    .selectFrom(earliest)
    .leftJoin(
      db
        .selectFrom('lead_status_changes')
        .select('hubspot_contact_id')
        .select([
          sql<boolean>`bool_or(status_class = 'accepted')`.as('accepted'),
          sql<boolean>`bool_or(status_class = 'disqualified')`.as('disqualified'),
          sql<boolean>`bool_or(status_class = 'recycled')`.as('recycled'),
        ])
        .groupBy('hubspot_contact_id')
        .as('s'),
      's.hubspot_contact_id',
      'e.hubspot_contact_id',
    )
    .select([
      sql<string>`coalesce(e.source, '(none)')`.as('source'),
      sql<string>`count(*)`.as('handoffs'),
      sql<string>`count(*) filter (where s.accepted)`.as('sql'),
      sql<string>`count(*) filter (where s.disqualified)`.as('disqualified'),
      sql<string>`count(*) filter (where s.recycled)`.as('recycled'),
    ])
    .groupBy(sql`coalesce(e.source, '(none)')`)
    .execute();
  const opportunities = await db
    .selectFrom('opportunities')
    .select([
      sql<string>`coalesce(attributed_source, '(none)')`.as('source'),
      'outcome',
      sql<string>`coalesce(currency, ${sql.lit(CORPORATE_CURRENCY)})`.as('currency'),
      sql<string>`count(*)`.as('n'),
      sql<string>`coalesce(sum(amount), 0)`.as('amount'),
    ])
    .where('deleted_at', 'is', null)
    .groupBy([sql`coalesce(attributed_source, '(none)')`, 'outcome', sql`coalesce(currency, ${sql.lit(CORPORATE_CURRENCY)})`])
    .execute();
  const unlinked = await db.selectFrom('opportunities').select(sql<string>`count(*)`.as('n')).where('deleted_at', 'is', null).where('link_path', '=', 'unlinked').executeTakeFirstOrThrow();

  const figures = new Map<string, SourceFigures>();
  const of = (source: string): SourceFigures => {
    let f = figures.get(source);
    if (!f) {
      f = { source, handoffs: 0, sql: 0, disqualified: 0, recycled: 0, opportunities: 0, open: 0, won: 0, lost: 0, wonAmount: {} };
      figures.set(source, f);
    }
    return f;
  };
  for (const c of contacts) Object.assign(of(c.source), { handoffs: Number(c.handoffs), sql: Number(c.sql), disqualified: Number(c.disqualified), recycled: Number(c.recycled) });
  for (const o of opportunities) {
    const f = of(o.source);
    const n = Number(o.n);
    f.opportunities += n;
    f[o.outcome] += n;
    if (o.outcome === 'won') f.wonAmount[o.currency] = (f.wonAmount[o.currency] ?? 0) + Number(o.amount);
  }
  return { bySource: [...figures.values()].toSorted((a, b) => b.handoffs - a.handoffs || (a.source < b.source ? -1 : 1)), unlinked: Number(unlinked.n) };
}
