import type { Kysely } from 'kysely';
import type { LedgerSchema } from '../../src/store/schema.ts';

/**
 * A small closed loop, every number of whose report is worked out by hand in
 * src/store/report/report.integration.test.ts (read that file beside this one).
 *
 * Six hand-offs (H1…H6) of five contacts — c1 twice (H1, and H5 after sales gave it back);
 * eight scored contacts (c6, c7, c8 never handed off); status changes; nine opportunities (O7
 * deleted, O8 unlinked, O9 on a contact never handed off); three campaigns (Webinar X is two
 * Salesforce campaigns of one name); four SLA clocks (H6's restarted to U3).
 */
export const REPORT_FIXTURE_NOW = new Date('2026-10-01T00:00:00Z');

const at = (iso: string) => new Date(`2026-${iso}Z`);

interface FixtureHandoff {
  name: string;
  contact: string;
  key: string;
  handedOffAt: string;
  source: string | null;
  campaign: string | null;
  owner: string | null;
  grade: 'hot' | 'warm' | 'cold';
  score: number;
  configVersion: string;
  mql: boolean;
  team: string | null;
}

const HANDOFFS: FixtureHandoff[] = [
  {
    name: 'H1',
    contact: 'c1',
    key: 'first',
    handedOffAt: '07-01T10:00:00',
    source: 'trade_show',
    campaign: 'Expo A',
    owner: 'U1',
    grade: 'warm',
    score: 65,
    configVersion: 'v1',
    mql: true,
    team: 'East',
  },
  {
    name: 'H2',
    contact: 'c2',
    key: 'first',
    handedOffAt: '07-02T10:00:00',
    source: 'trade_show',
    campaign: 'Expo A',
    owner: 'U2',
    grade: 'warm',
    score: 55,
    configVersion: 'v1',
    mql: true,
    team: 'West',
  },
  {
    name: 'H3',
    contact: 'c3',
    key: 'first',
    handedOffAt: '07-03T10:00:00',
    source: 'webinar',
    campaign: 'Webinar X',
    owner: 'U1',
    grade: 'cold',
    score: 25,
    configVersion: 'v1',
    mql: false,
    team: 'East',
  },
  { name: 'H4', contact: 'c4', key: 'first', handedOffAt: '07-04T10:00:00', source: 'web_form', campaign: null, owner: 'U2', grade: 'hot', score: 75, configVersion: 'v1', mql: true, team: 'West' },
  {
    name: 'H5',
    contact: 'c1',
    key: 'again:2026-07-20T00:00:00.000Z',
    handedOffAt: '08-15T10:00:00',
    source: 'web_form',
    campaign: null,
    owner: 'U1',
    grade: 'warm',
    score: 60,
    configVersion: 'v2',
    mql: true,
    team: 'East',
  },
  {
    name: 'H6',
    contact: 'c5',
    key: 'first',
    handedOffAt: '09-20T10:00:00',
    source: 'trade_show',
    campaign: 'Expo B',
    owner: 'U2',
    grade: 'warm',
    score: 45,
    configVersion: 'v2',
    mql: false,
    team: null,
  },
];

export async function seedReportFixture(db: Kysely<LedgerSchema>): Promise<void> {
  const ids = new Map<string, string>();
  for (const h of HANDOFFS) {
    await db
      .insertInto('decisions')
      .values({
        hubspot_contact_id: h.contact,
        handoff_key: h.key,
        decided_at: at(h.handedOffAt),
        config_version: h.configVersion,
        score: h.score,
        grade: h.grade,
        mql: h.mql,
        handoff: true,
        reason: h.mql ? 'mql' : 'immediate_source',
        owner_kind: 'user',
        owner_id: h.owner,
        // Decisions name their owner by email as routing.yaml does; the report shows that name.
        owner_email: h.owner ? `${h.owner.toLowerCase()}@fixture.example` : null,
        rule: null,
        notify: '[]',
        trace: '[]',
        salesforce_id: null,
        rotation_team: h.team,
        rotation_next: null,
      })
      .execute();
    const row = await db
      .insertInto('handoffs')
      .values({
        hubspot_contact_id: h.contact,
        handoff_key: h.key,
        handed_off_at: at(h.handedOffAt),
        salesforce_object: 'Lead',
        salesforce_id: `00Q${h.name}`,
        outcome: 'created',
        owner_kind: 'user',
        owner_id: h.owner,
        grade: h.grade,
        score: h.score,
        reason: h.mql ? 'mql' : 'immediate_source',
        source: h.source,
        campaign: h.campaign,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(h.name, String(row.id));
  }

  const score = (contact: string, source: string | null, campaign: string | null, mql: boolean, scoredAt: string) => ({
    hubspot_contact_id: contact,
    score: 50,
    grade: 'warm' as const,
    mql,
    scored_at: at(scoredAt),
    config_version: 'v2',
    review_at: null,
    source,
    campaign,
  });
  await db
    .insertInto('contact_scores')
    .values([
      score('c1', 'web_form', null, true, '08-15T10:00:00'),
      score('c2', 'trade_show', 'Expo A', true, '07-02T10:00:00'),
      score('c3', 'webinar', 'Webinar X', false, '07-03T10:00:00'),
      score('c4', 'web_form', null, true, '07-04T10:00:00'),
      score('c5', 'trade_show', 'Expo B', false, '09-20T10:00:00'),
      score('c6', 'trade_show', 'Expo A', false, '07-01T09:00:00'),
      score('c7', 'webinar', 'Webinar X', true, '07-10T10:00:00'),
      score('c8', null, null, false, '06-01T10:00:00'),
    ])
    .execute();

  const status = (contact: string, statusClass: 'accepted' | 'disqualified' | 'recycled', changedAt: string) => ({
    hubspot_contact_id: contact,
    lead_id: `00Q${contact}`,
    status: statusClass,
    status_class: statusClass,
    changed_at: at(changedAt),
    approximated: false,
    reason: null,
  });
  await db
    .insertInto('lead_status_changes')
    .values([
      status('c1', 'accepted', '07-03T10:00:00'),
      status('c1', 'recycled', '07-20T00:00:00'),
      status('c1', 'accepted', '08-20T10:00:00'),
      status('c2', 'disqualified', '07-10T10:00:00'),
      status('c3', 'accepted', '07-05T10:00:00'),
      // Before H4: sales had accepted the lead leadloop later adopted; it is not H4's acceptance.
      status('c4', 'accepted', '07-01T10:00:00'),
      status('c5', 'accepted', '09-25T10:00:00'),
    ])
    .execute();

  const opportunity = (
    id: string,
    outcome: 'open' | 'won' | 'lost',
    extra: { amount?: number; currency?: string; closedAt?: string; lossReason?: string; competitor?: string; met?: string[]; deleted?: boolean; unlinked?: boolean },
  ) => ({
    opportunity_id: id,
    name: id,
    account_id: null,
    stage: outcome,
    is_closed: outcome !== 'open',
    is_won: outcome === 'won',
    outcome,
    reopened: false,
    times_closed: outcome === 'open' ? 0 : 1,
    closed_at: extra.closedAt ? at(extra.closedAt) : null,
    amount: extra.amount ?? null,
    currency: extra.currency ?? null,
    close_date: null,
    loss_reason: extra.lossReason ?? null,
    competitor: extra.competitor ?? null,
    competitors_met: JSON.stringify(extra.met ?? []),
    campaign_id: null,
    attributed_source: null,
    attributed_campaign: null,
    link_path: extra.unlinked ? ('unlinked' as const) : ('converted-lead' as const),
    deleted_at: extra.deleted ? at('09-01T00:00:00') : null,
    system_modstamp: at('09-30T00:00:00'),
    updated_at: at('09-30T00:00:00'),
  });
  await db
    .insertInto('opportunities')
    .values([
      opportunity('O1', 'won', { amount: 10_000, closedAt: '07-21T10:00:00', met: ['Acme'] }),
      opportunity('O2', 'lost', { amount: 5_000, closedAt: '07-12T10:00:00', lossReason: 'Price', competitor: 'Acme', met: ['Acme', 'Globex'] }),
      opportunity('O3', 'lost', { closedAt: '07-08T10:00:00', lossReason: 'No budget' }),
      opportunity('O4', 'won', { amount: 20_000, closedAt: '08-03T10:00:00', met: ['Globex'] }),
      opportunity('O5', 'open', { amount: 3_000 }),
      opportunity('O6', 'lost', { closedAt: '07-24T10:00:00', lossReason: 'Price', competitor: 'Initech', met: ['Initech'] }),
      opportunity('O7', 'won', { amount: 99_000, closedAt: '07-30T10:00:00', deleted: true }),
      opportunity('O8', 'won', { amount: 7_000, closedAt: '07-30T10:00:00', unlinked: true }),
      opportunity('O9', 'lost', { closedAt: '07-30T10:00:00', lossReason: 'Timing' }),
    ])
    .execute();
  const link = (opportunityId: string, contact: string) => ({ opportunity_id: opportunityId, hubspot_contact_id: contact, link_path: 'converted-lead' as const });
  await db
    .insertInto('opportunity_contacts')
    .values([link('O1', 'c1'), link('O2', 'c2'), link('O3', 'c3'), link('O4', 'c4'), link('O4', 'c2'), link('O5', 'c5'), link('O6', 'c4'), link('O7', 'c1'), link('O9', 'c9')])
    .execute();

  const campaign = (id: string, name: string, actualCost: number | null) => ({
    campaign_id: id,
    name,
    type: 'Trade Show',
    actual_cost: actualCost,
    budgeted_cost: null,
    won_opportunities: null,
    won_amount: null,
  });
  await db
    .insertInto('campaigns')
    .values([campaign('701A', 'Expo A', 15_000), campaign('701B', 'Expo B', null), campaign('701X1', 'Webinar X', 1_000), campaign('701X2', 'Webinar X', 2_000)])
    .execute();

  const clock = (handoff: string, owner: string, team: string, started: string, due: string, touched: string | null, breached: string | null) => {
    const h = HANDOFFS.find((x) => x.name === handoff)!;
    return {
      handoff_id: ids.get(handoff)!,
      hubspot_contact_id: h.contact,
      salesforce_object: 'Lead' as const,
      salesforce_id: `00Q${handoff}`,
      owner_id: owner,
      // Clocks name their owners by email (the directory's); reports show that name.
      owner_label: `${owner.toLowerCase()}@fixture.example`,
      team,
      temperature: h.grade,
      policy: `${h.grade}: test`,
      started_at: at(started),
      remind_at: null,
      due_at: at(due),
      assigned_owner_id: owner,
      first_touch_at: touched ? at(touched) : null,
      first_touch_by: touched ? owner : null,
      first_touch_kind: touched ? ('task' as const) : null,
      reminded_at: null,
      breached_at: breached ? at(breached) : null,
      escalation: null,
      restarted_at: null,
      checked_at: null,
    };
  };
  await db
    .insertInto('sla_clocks')
    .values([
      clock('H1', 'U1', 'East', '07-01T10:00:00', '07-01T11:00:00', '07-01T10:30:00', null),
      clock('H2', 'U2', 'West', '07-02T10:00:00', '07-04T10:00:00', '07-05T10:00:00', '07-04T10:00:00'),
      clock('H4', 'U2', 'West', '07-04T10:00:00', '07-04T11:00:00', null, '07-04T11:00:00'),
      // Restarted: a person gave H6's lead to U3, whose clock it now is; due after the report's now.
      clock('H6', 'U3', 'West', '09-20T12:00:00', '10-05T10:00:00', null, null),
    ])
    .execute();
}
