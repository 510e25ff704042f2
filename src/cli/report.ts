import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { loadEnv } from '../config/env.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { buildReport } from '../domain/report/build.ts';
import { showSources } from '../domain/report/shows.ts';
import { type CalibrationRow, type ClosedLoopReport, DIMENSIONS, type Dimension, type FunnelRow, type Money, type ReturnRow, type SlaRow } from '../domain/report/types.ts';
import type { LedgerSchema } from '../store/schema.ts';
import { CliError, EXIT } from './errors.ts';
import { table } from './table.ts';

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const DEFAULT_DIMENSIONS: readonly Dimension[] = ['source', 'campaign', 'show'];
const DAY = 86_400_000;

export interface ReportRequest {
  since: Date | null;
  until: Date | null;
  /** The funnel's groupings. */
  dimensions: readonly Dimension[];
  now: number;
}

/** The closed-loop report of the ledger `db`, with the config's trade-show sources, score scale and costs (the demo prints it too). */
export async function closedLoopReport(db: Kysely<LedgerSchema>, config: LeadloopConfig, request: ReportRequest): Promise<ClosedLoopReport> {
  const { readReport } = await import('../store/report/readReport.ts');
  const leadSource = config.mapping.lead.fields.find((f) => f.salesforce === 'LeadSource' && f.hubspot === 'lead_source');
  const scoreScale = config.scoring.caps.total;
  const raw = await readReport(db, { since: request.since, until: request.until, now: new Date(request.now), showSources: showSources(leadSource?.values ?? {}), scoreScale });
  return buildReport(raw, {
    window: { since: request.since?.toISOString() ?? null, until: request.until?.toISOString() ?? null },
    dimensions: request.dimensions,
    costs: config.sync.report.costs,
    scoreScale,
  });
}

/**
 * `--since 2026-07-01` is that day's start; `--until 2026-09-30` takes that whole day (up to the
 * next day's start). A time given with the date is taken as it is (UTC unless it says otherwise).
 */
export function parseReportDate(value: string, edge: 'since' | 'until'): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  // A time without an offset is UTC (JavaScript would take it as the machine's local time).
  const withOffset = dateOnly ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const parsed = new Date(withOffset);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed.getTime())) throw new CliError(`--${edge} must be an ISO date such as 2026-07-01 (or a date and time), not "${value}"`, EXIT.usage);
  return dateOnly && edge === 'until' ? new Date(parsed.getTime() + DAY) : parsed;
}

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('report')
    .description('the closed-loop report from the ledger: funnel, return on cost, win/loss, SLA, score calibration')
    .option('--since <date>', 'hand-offs from this ISO date on')
    .option('--until <date>', 'hand-offs up to this ISO date (the whole day)')
    .option('--by <grouping>', `group the funnel by ${DIMENSIONS.join(' | ')} (default: source, campaign and show)`)
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .action(async (options: { since?: string; until?: string; by?: string; format: string }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) throw new CliError(`--format must be ${FORMATS.join(', ')}, not "${options.format}"`, EXIT.usage);
      if (options.by !== undefined && !(DIMENSIONS as readonly string[]).includes(options.by)) throw new CliError(`--by must be ${DIMENSIONS.join(', ')}, not "${options.by}"`, EXIT.usage);
      const since = options.since === undefined ? null : parseReportDate(options.since, 'since');
      const until = options.until === undefined ? null : parseReportDate(options.until, 'until');
      if (since && until && since >= until) throw new CliError('--since must come before --until', EXIT.usage);
      const env = loadEnv(source);
      const [{ loadConfigDirOrThrow }, { openLedger }] = await Promise.all([import('../config/load.ts'), import('../store/ledger.ts')]);
      const { config } = await loadConfigDirOrThrow(env.configDir);
      // The ledger alone: no Redis, no API. With the embedded ledger, stop a running worker first (it holds the folder).
      const ledger = await openLedger({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir });
      try {
        const report = await closedLoopReport(ledger.db, config, { since, until, dimensions: options.by ? [options.by as Dimension] : DEFAULT_DIMENSIONS, now: Date.now() });
        const out = (line = '') => process.stdout.write(`${line}\n`);
        printReport(out, report, options.format as Format);
      } finally {
        await ledger.close();
      }
    });
}

export function printReport(out: (line?: string) => void, report: ClosedLoopReport, format: Format): void {
  if (format === 'json') out(JSON.stringify(report, null, 2));
  else if (format === 'csv') for (const [i, block] of blocks(report).entries()) csvBlock(out, block, i > 0);
  else renderReportTable(out, report);
}

/** One block of the report as rows of cells: a title, a header, the rows (shared by the table and the CSV). */
interface Block {
  title: string;
  header: string[];
  rows: string[][];
  /** What a reader needs beside the rows (the table prints it under them). */
  note?: string;
}

const SECTION_TITLES: Record<Dimension, string> = { source: 'source', campaign: 'campaign', show: 'show', owner: 'owner', team: 'team' };

function blocks(report: ClosedLoopReport, text = false): Block[] {
  const rate = (r: number | null) => (r === null ? (text ? '—' : '') : text ? `${Math.round(r * 100)}%` : String(r));
  const num = (n: number | null) => (n === null ? (text ? '—' : '') : text ? n.toLocaleString('en-US') : String(n));
  const money = (m: Money) =>
    Object.entries(m)
      .map(([currency, amount]) => (text ? `${Math.round(amount).toLocaleString('en-US')}${currency === 'corporate' ? '' : ` ${currency}`}` : `${currency}:${amount}`))
      .join(text ? ' + ' : ';') || (text ? '0' : '');
  const out: Block[] = [];
  for (const [dimension, rows] of Object.entries(report.funnel) as [Dimension, FunnelRow[]][]) {
    out.push({
      title: `Funnel by ${SECTION_TITLES[dimension]}`,
      header: [dimension, 'scored', 'MQL', 'handed off', 'SQL', 'opportunities', 'won', 'lost', 'revenue', 'win rate', 'median days to close'],
      rows: rows.map((r) => [
        r.key,
        num(r.scored),
        num(r.mql),
        num(r.handedOff),
        num(r.sql),
        num(r.opportunities),
        num(r.won),
        num(r.lost),
        money(r.revenue),
        rate(r.winRate),
        num(r.medianDaysToClose),
      ]),
    });
  }
  for (const [dimension, rows] of Object.entries(report.return) as [Dimension, ReturnRow[]][]) {
    out.push({
      title: `Return by ${SECTION_TITLES[dimension]}`,
      header: [dimension, 'cost', 'cost from', 'won', 'revenue', 'cost per won', 'revenue / cost'],
      rows: rows.map((r) => [
        r.key,
        num(r.cost === null || !text ? r.cost : Math.round(r.cost)),
        r.costFrom ?? (text ? '—' : ''),
        num(r.won),
        money(r.revenue),
        num(r.costPerWon === null ? null : Math.round(r.costPerWon)),
        r.revenuePerCost === null ? (text ? '—' : '') : text ? r.revenuePerCost.toFixed(2) : String(r.revenuePerCost),
      ]),
    });
  }
  out.push({ title: 'Loss reasons', header: ['reason', 'lost', 'share'], rows: report.winLoss.lossReasons.map((r) => [r.reason, num(r.lost), rate(r.share)]) });
  out.push({
    title: 'Competitors',
    header: ['competitor', 'met', 'won', 'lost', 'our win rate'],
    rows: report.winLoss.competitors.map((c) => [c.competitor, num(c.met), num(c.won), num(c.lost), rate(c.winRate)]),
  });
  const slaRow = (s: SlaRow) => [
    s.key,
    num(s.handoffs),
    num(s.clocks),
    num(s.decided),
    num(s.inTime),
    rate(s.compliance),
    num(s.breached),
    text ? duration(s.medianMinutesToFirstTouch) : num(s.medianMinutesToFirstTouch),
    num(s.mqlHandoffs),
    num(s.sql),
    rate(s.mqlToSql),
  ];
  const slaHeader = (key: string) => [
    key,
    'hand-offs',
    'clocks',
    'decided',
    'in time',
    'compliance',
    'breached',
    text ? 'median to first touch' : 'median minutes to first touch',
    'MQL',
    'SQL',
    'MQL → SQL',
  ];
  out.push({ title: 'SLA by owner', header: slaHeader('owner'), rows: report.sla.byOwner.map(slaRow) });
  out.push({ title: 'SLA by team', header: slaHeader('team'), rows: report.sla.byTeam.map(slaRow) });
  const band = (c: CalibrationRow) => [c.band, num(c.handoffs), num(c.won), num(c.lost), rate(c.winRate), c.outOfOrder ? (text ? 'out of order' : 'true') : text ? '' : 'false'];
  for (const v of report.calibration) {
    out.push({ title: `Calibration, config ${v.configVersion}: win rate per grade`, header: ['grade', 'hand-offs', 'won', 'lost', 'win rate', 'flag'], rows: v.grades.map(band) });
    out.push({ title: `Calibration, config ${v.configVersion}: win rate per score decile`, header: ['score', 'hand-offs', 'won', 'lost', 'win rate', 'flag'], rows: v.deciles.map(band) });
  }
  if (report.calibration.length === 0) out.push({ title: 'Calibration', header: ['band', 'hand-offs', 'won', 'lost', 'win rate', 'flag'], rows: [] });
  return out;
}

function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} d`;
}

/** The report for people: one titled table per block (src/cli/table.ts), rates as percentages, "—" where there is nothing to divide. */
export function renderReportTable(out: (line?: string) => void, report: ClosedLoopReport): void {
  const from = report.window.since ? report.window.since.slice(0, 10) : 'the first hand-off';
  const to = report.window.until ? `before ${report.window.until.slice(0, 16).replace('T', ' ')}` : 'now';
  out(`Closed-loop report: hand-offs from ${from} to ${to}. Win rate = won ÷ (won + lost); "handed off" counts hand-offs (a contact handed off twice counts twice).`);
  for (const block of blocks(report, true)) {
    out();
    out(`${block.title}:`);
    if (block.rows.length === 0) out('  nothing yet');
    else table(out, block.header, block.rows);
  }
  if (report.opportunitiesWithoutHandoff > 0) {
    out();
    out(`${report.opportunitiesWithoutHandoff.toLocaleString('en-US')} live opportunities count nowhere above: none of their contacts was handed off by leadloop.`);
  }
}

function csvBlock(out: (line?: string) => void, block: Block, separate: boolean): void {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  if (separate) out();
  out(cell(block.title));
  for (const row of [block.header, ...block.rows]) out(row.map(cell).join(','));
}
