import type { Env } from '../config/env.ts';
import type { CampaignFigureRole, StoredCampaign } from '../domain/feedback/campaigns.ts';
import type { Sandbox } from '../sandbox/server.ts';
import { table } from './table.ts';

const DAY = 86_400_000;
// Past the feedback's commit lag (it reads Salesforce only up to a minute ago).
const AFTER_THE_QUARTER_MS = 2 * 60_000;

/**
 * The demo's closed loop: the sandbox's seeded sales team works every lead leadloop handed off
 * for a simulated quarter (the sandbox clock moves 90 days on), then leadloop's feedback job runs
 * once — as a worker or `sync feedback --once` runs it — and the demo prints what the simulated
 * team did, what Salesforce's campaigns now carry, and the closed-loop report (`leadloop report`).
 */
export async function closedLoop(sandbox: Sandbox, env: Env, out: (line?: string) => void, options: { seed: number }): Promise<void> {
  const [{ quarterWithSlaClock }, { compose }, { runJob, isSkipped }, { syncFeedbackJob }] = await Promise.all([
    import('./demo-sla.ts'),
    import('../app.ts'),
    import('../queue/job.ts'),
    import('../../jobs/sync-feedback.ts'),
  ]);
  // leadloop lives in the sandbox's time: the quarter passes for it too.
  const app = await compose(env, { now: () => sandbox.clock.now() });
  const started = performance.now();
  const quarter = await quarterWithSlaClock(sandbox, app, { seed: options.seed, days: 90 });
  const { truth } = quarter;
  const touched = truth.leads.filter((l) => l.touched).length;
  const won = truth.opportunities.filter((o) => o.state === 'won' && !o.deleted).length;
  const lost = truth.opportunities.filter((o) => o.state === 'lost' && !o.deleted).length;
  out(
    `A simulated sales quarter (${Math.round(performance.now() - started)} ms): the team touched ${touched} of ${truth.leads.length} leads, accepted ${truth.leads.filter((l) => l.accepted).length}, disqualified ${truth.leads.filter((l) => l.disqualified).length}, recycled ${truth.leads.filter((l) => l.recycled).length}, converted ${truth.leads.filter((l) => l.converted).length}; ${truth.opportunities.length} opportunities (${won} won, ${lost} lost, some never handed off by leadloop).`,
  );
  out(
    `The SLA clock, woken ${quarter.checks} times in the first three weeks: ${quarter.clocks} hot and warm hand-offs on the clock, ${quarter.met} touched in time; ${quarter.reminded} reminders, ${quarter.breached} breaches (${quarter.escalated} escalated: ${quarter.reassigned} leads reassigned to the next rep), ${quarter.tasks} tasks.`,
  );
  sandbox.clock.advance(AFTER_THE_QUARTER_MS);

  try {
    sandbox.requestLog.reset();
    const runStarted = performance.now();
    const summary = await runJob(syncFeedbackJob, {}, app);
    if (isSkipped(summary)) {
      out(`The feedback did not run: ${summary.skipped}.`);
      return;
    }
    const calls = sandbox.requestLog.snapshot();
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    out(
      `Feedback (${Math.round(performance.now() - runStarted)} ms, from ${summary.from.opportunities.slice(0, 10)}): ${summary.leads} leads read, status changes ${summary.statusChanges.accepted} accepted / ${summary.statusChanges.disqualified} disqualified / ${summary.statusChanges.recycled} recycled; ${summary.opportunities.pulled} opportunities (${summary.opportunities.won} won, ${summary.opportunities.lost} lost, ${summary.opportunities.open} open, ${summary.opportunities.deleted} deleted, ${summary.opportunities.unlinked} linked to no HubSpot contact); HubSpot deals created ${summary.deals.created}, updated ${summary.deals.updated}; contacts updated ${summary.contactsUpdated}; dead-lettered ${summary.deadLettered}.`,
    );
    out(`  API calls: HubSpot ${total(calls.hubspot)} ${JSON.stringify(calls.hubspot)}, Salesforce ${total(calls.salesforce)} ${JSON.stringify(calls.salesforce)}.`);
    out();
    out(
      `What Salesforce's campaigns now carry (${summary.campaigns.updated} updated, ${summary.primaryCampaignsSet} opportunities given their Primary Campaign Source): leadloop's figure fields, Salesforce's own won roll-up, and the cost:`,
    );
    campaignTable(out, sandbox, await app.ledger.storedCampaigns(), app.deps.config.mapping.campaign.figures);
    const lateWinner = truth.opportunities.find((o) => o.state === 'won' && !o.deleted && o.link === 'converted-lead');
    if (lateWinner) {
      const contact = sandbox.hubspot.getContact(lateWinner.contactIds[0] ?? '');
      out(
        `For example HubSpot contact ${lateWinner.contactIds[0]}: lifecycle stage ${contact?.properties.lifecyclestage ?? '-'}, outcome ${contact?.properties.leadloop_outcome ?? '-'} (${contact?.properties.leadloop_outcome_amount ?? '-'}), with a deal in closed won.`,
      );
    }
    out(`(The simulated quarter ended ${new Date(truth.endedAt).toISOString().slice(0, 10)}, ${Math.round((truth.endedAt - Date.now()) / DAY)} days ahead of today: the sandbox's clock.)`);
    // What came back, as `leadloop report` prints it (the same code): per source and per show with their return, win/loss, SLA, calibration.
    const { closedLoopReport, renderReportTable } = await import('./report.ts');
    out();
    renderReportTable(out, await closedLoopReport(app.ledger.db, app.deps.config, { since: null, until: null, dimensions: ['source', 'show'], now: sandbox.clock.now() }));
  } finally {
    await app.close();
  }
}

/** Each campaign the ledger saw, as its Salesforce record reads now: its members, the figures leadloop wrote, the won roll-up and the cost. */
function campaignTable(out: (line?: string) => void, sandbox: Sandbox, seen: readonly StoredCampaign[], fields: Record<CampaignFigureRole, string>): void {
  const records = new Map(sandbox.salesforce.records('Campaign').map((c) => [String(c.Id), c]));
  const members = new Map<string, number>();
  for (const m of sandbox.salesforce.records('CampaignMember')) members.set(String(m.CampaignId), (members.get(String(m.CampaignId)) ?? 0) + 1);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const whole = (v: number | null) => (v === null ? '-' : Math.round(v).toLocaleString('en-US'));
  const rows = seen
    .map((c) => ({ c, r: records.get(c.campaignId) }))
    .filter((x) => x.r !== undefined)
    .map(({ c, r }) => ({
      c,
      members: members.get(c.campaignId) ?? 0,
      handoffs: num(r![fields.handoffs]),
      sql: num(r![fields.sql]),
      won: num(r!.NumberOfWonOpportunities),
      amount: num(r!.AmountWonOpportunities),
      lost: num(r![fields.lost]),
      winRate: num(r![fields.win_rate]),
      cost: num(r!.ActualCost),
    }))
    .toSorted((a, b) => (b.handoffs ?? 0) - (a.handoffs ?? 0) || (a.c.name < b.c.name ? -1 : 1));
  table(
    out,
    ['campaign', 'members', 'hand-offs', 'SQL', 'won (Salesforce)', 'lost', 'win rate', 'cost', 'revenue / cost'],
    rows.map((x) => [
      x.c.name,
      whole(x.members),
      whole(x.handoffs),
      whole(x.sql),
      whole(x.won),
      whole(x.lost),
      x.winRate === null ? '-' : `${Math.round(x.winRate)}%`,
      whole(x.cost),
      x.cost && x.amount !== null ? `${(x.amount / x.cost).toFixed(2)}` : '-',
    ]),
  );
}
