import { sql, type Kysely, type Transaction } from 'kysely';
import type { OpportunityRecord } from '../domain/feedback/types.ts';
import type { LedgerSchema, NewOpportunity } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement (25 an opportunity row).
const ROWS_PER_STATEMENT = 1_000;

/**
 * Upserts pulled opportunities with their stage history and contact links, in one transaction:
 * the row takes the snapshot, its outcome and attribution; stage history rows are added (a row
 * already there stays); the links are replaced by this pull's (an unlinked opportunity keeps no
 * link, and is listed by `link_path = 'unlinked'`). A snapshot flagged deleted sets `deleted_at`
 * (kept from the first time it was seen deleted), one not flagged clears it (restored from the
 * recycle bin). The fingerprint of the deal last written is never touched here. A snapshot older
 * than the stored one (by SystemModstamp) changes nothing: a slow pull never undoes a newer one.
 */
export async function recordOpportunities(db: Kysely<LedgerSchema>, records: readonly OpportunityRecord[], at: number): Promise<void> {
  if (records.length === 0) return;
  // The last snapshot of an id given twice wins.
  const unique = [...new Map(records.map((r) => [r.opportunity.opportunityId, r])).values()];
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
      const page = unique.slice(i, i + ROWS_PER_STATEMENT);
      const written = await upsertRows(tx, page, at);
      const taken = page.filter((r) => written.has(r.opportunity.opportunityId));
      if (taken.length === 0) continue;
      await replaceLinks(tx, taken);
      await addHistory(tx, taken);
    }
  });
}

function row(r: OpportunityRecord, at: number): NewOpportunity {
  const { opportunity: o, outcome, attribution, links } = r;
  return {
    opportunity_id: o.opportunityId,
    name: o.name,
    account_id: o.accountId,
    stage: o.stage,
    is_closed: o.isClosed,
    is_won: o.isWon,
    outcome: outcome.state,
    reopened: outcome.reopened,
    times_closed: outcome.timesClosed,
    closed_at: outcome.closedAt === null ? null : new Date(outcome.closedAt),
    amount: outcome.amount,
    currency: outcome.currency,
    close_date: outcome.closeDate,
    loss_reason: outcome.lossReason,
    competitor: outcome.competitor,
    competitors_met: JSON.stringify(outcome.competitorsMet),
    campaign_id: o.campaignId,
    attributed_source: attribution.source,
    attributed_campaign: attribution.campaign,
    link_path: links.kind === 'linked' ? links.path : 'unlinked',
    deleted_at: o.isDeleted ? new Date(at) : null,
    system_modstamp: new Date(o.systemModstamp),
    updated_at: new Date(at),
  };
}

async function upsertRows(tx: Transaction<LedgerSchema>, page: readonly OpportunityRecord[], at: number): Promise<Set<string>> {
  const rows = await tx
    .insertInto('opportunities')
    .values(page.map((r) => row(r, at)))
    .onConflict((oc) =>
      oc
        .column('opportunity_id')
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          account_id: eb.ref('excluded.account_id'),
          stage: eb.ref('excluded.stage'),
          is_closed: eb.ref('excluded.is_closed'),
          is_won: eb.ref('excluded.is_won'),
          outcome: eb.ref('excluded.outcome'),
          reopened: eb.ref('excluded.reopened'),
          times_closed: eb.ref('excluded.times_closed'),
          closed_at: eb.ref('excluded.closed_at'),
          amount: eb.ref('excluded.amount'),
          currency: eb.ref('excluded.currency'),
          close_date: eb.ref('excluded.close_date'),
          loss_reason: eb.ref('excluded.loss_reason'),
          competitor: eb.ref('excluded.competitor'),
          competitors_met: eb.ref('excluded.competitors_met'),
          campaign_id: eb.ref('excluded.campaign_id'),
          attributed_source: eb.ref('excluded.attributed_source'),
          attributed_campaign: eb.ref('excluded.attributed_campaign'),
          link_path: eb.ref('excluded.link_path'),
          // Seen deleted before: keep when; restored: cleared.
          deleted_at: sql<Date | null>`case when excluded.deleted_at is null then null else coalesce(opportunities.deleted_at, excluded.deleted_at) end`,
          system_modstamp: eb.ref('excluded.system_modstamp'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('opportunities.system_modstamp', '<=', (eb) => eb.ref('excluded.system_modstamp')),
    )
    .returning('opportunity_id')
    .execute();
  return new Set(rows.map((r) => r.opportunity_id));
}

async function replaceLinks(tx: Transaction<LedgerSchema>, page: readonly OpportunityRecord[]): Promise<void> {
  await tx
    .deleteFrom('opportunity_contacts')
    .where(
      'opportunity_id',
      'in',
      page.map((r) => r.opportunity.opportunityId),
    )
    .execute();
  const links = page.flatMap((r) =>
    r.links.kind === 'linked' ? r.links.contacts.map((c) => ({ opportunity_id: r.opportunity.opportunityId, hubspot_contact_id: c.contactId, link_path: c.path })) : [],
  );
  for (let i = 0; i < links.length; i += 20_000) {
    await tx
      .insertInto('opportunity_contacts')
      .values(links.slice(i, i + 20_000))
      .onConflict((oc) => oc.columns(['opportunity_id', 'hubspot_contact_id']).doNothing())
      .execute();
  }
}

async function addHistory(tx: Transaction<LedgerSchema>, page: readonly OpportunityRecord[]): Promise<void> {
  const rows = page.flatMap((r) =>
    r.stageHistory.map((h) => ({
      opportunity_id: r.opportunity.opportunityId,
      changed_at: new Date(h.at),
      stage: h.stage,
      is_closed: h.isClosed,
      is_won: h.isWon,
      amount: h.amount ?? null,
      close_date: h.closeDate ?? null,
    })),
  );
  for (let i = 0; i < rows.length; i += 5_000) {
    await tx
      .insertInto('opportunity_stage_history')
      .values(rows.slice(i, i + 5_000))
      .onConflict((oc) => oc.columns(['opportunity_id', 'changed_at', 'stage']).doNothing())
      .execute();
  }
}
