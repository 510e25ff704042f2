import {
  type CalibrationRow,
  type CalibrationVersion,
  type ClosedLoopReport,
  type Dimension,
  type FunnelRow,
  GRADES_ASCENDING,
  MARKETING_DIMENSIONS,
  type MarketingDimension,
  type Money,
  type RawReport,
  type ReportWindow,
  type ReturnRow,
  type SlaRow,
} from './types.ts';

export interface ReportOptions {
  window: ReportWindow;
  /** The funnel's groupings (default: source, campaign and show). */
  dimensions: readonly Dimension[];
  /** sync.yaml report.costs: the cost of a source (or of a campaign Salesforce has no ActualCost for). */
  costs: Readonly<Record<string, number>>;
  /** The top of the score scale (scoring.yaml caps.total): what the deciles divide. */
  scoreScale: number;
}

/** A ratio, null when there is nothing to divide by (an empty ledger has no rates, never a division by zero). Four decimals. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? round(numerator / denominator, 4) : null;
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * For bands in ascending order (cold → hot, lowest decile → highest), which are out of order: a
 * band whose win rate is below that of the nearest band beneath it that has a win rate. Bands
 * without one (nothing closed) are never flagged and are skipped as a comparison.
 */
export function outOfOrder(rates: readonly (number | null)[]): boolean[] {
  let below: number | null = null;
  return rates.map((rate) => {
    if (rate === null) return false;
    const flagged = below !== null && rate < below;
    below = rate;
    return flagged;
  });
}

/** The integer scores decile `d` of a 0…scale score covers, as `lo–hi` (the top decile includes the scale's top). */
export function decileLabel(decile: number, scale: number): string {
  const lo = Math.ceil((decile * scale) / 10);
  const hi = decile === 9 ? scale : Math.ceil(((decile + 1) * scale) / 10) - 1;
  return `${lo}–${hi}`;
}

/** The cost and what it returned, for one funnel row: per won deal, and revenue per unit of cost. */
export function returnOf(row: Pick<FunnelRow, 'key' | 'won' | 'revenue'>, cost: { amount: number; from: ReturnRow['costFrom'] } | null): ReturnRow {
  const currencies = Object.keys(row.revenue);
  const revenue = currencies.length === 1 ? row.revenue[currencies[0]!]! : currencies.length === 0 ? 0 : null;
  const amount = cost?.amount ?? null;
  return {
    key: row.key,
    cost: amount,
    costFrom: cost?.from ?? null,
    won: row.won,
    revenue: row.revenue,
    costPerWon: amount !== null && row.won > 0 ? round(amount / row.won, 2) : null,
    revenuePerCost: amount !== null && amount > 0 && revenue !== null ? round(revenue / amount, 4) : null,
  };
}

/** The closed-loop report from the ledger's grouped figures. Pure. */
export function buildReport(raw: RawReport, options: ReportOptions): ClosedLoopReport {
  const funnel: ClosedLoopReport['funnel'] = {};
  for (const dimension of options.dimensions) funnel[dimension] = funnelRows(raw, dimension);
  const returns: ClosedLoopReport['return'] = {};
  const marketing = options.dimensions.filter((d): d is MarketingDimension => (MARKETING_DIMENSIONS as readonly string[]).includes(d));
  const campaignCost = new Map(raw.campaignCosts.flatMap((c) => (c.cost === null ? [] : [[c.name, c.cost] as const])));
  for (const dimension of marketing) returns[dimension] = (funnel[dimension] ?? []).map((row) => returnOf(row, costOf(dimension, row.key, raw, campaignCost, options.costs)));

  const totalLost = raw.lossReasons.reduce((n, r) => n + r.lost, 0);
  return {
    window: options.window,
    funnel,
    return: returns,
    winLoss: {
      lossReasons: raw.lossReasons.map((r) => ({ reason: r.reason, lost: r.lost, share: ratio(r.lost, totalLost) })).toSorted((a, b) => b.lost - a.lost || compare(a.reason, b.reason)),
      competitors: raw.competitors
        .map((c) => ({ competitor: c.competitor, met: c.met, won: c.won, lost: c.lost, winRate: ratio(c.won, c.won + c.lost) }))
        .toSorted((a, b) => b.met - a.met || compare(a.competitor, b.competitor)),
    },
    sla: { byOwner: slaRows(raw, 'owner'), byTeam: slaRows(raw, 'team') },
    calibration: calibration(raw, options.scoreScale),
    opportunitiesWithoutHandoff: raw.opportunitiesWithoutHandoff,
  };
}

function funnelRows(raw: RawReport, dimension: Dimension): FunnelRow[] {
  const rows = new Map<string, FunnelRow>();
  const scoredHere = (MARKETING_DIMENSIONS as readonly string[]).includes(dimension);
  const row = (key: string): FunnelRow => {
    let r = rows.get(key);
    if (!r) {
      r = { key, scored: scoredHere ? 0 : null, mql: scoredHere ? 0 : null, handedOff: 0, sql: 0, opportunities: 0, open: 0, won: 0, lost: 0, revenue: {}, winRate: null, medianDaysToClose: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const s of raw.scored) if (s.dimension === dimension) Object.assign(row(s.key), { scored: s.scored, mql: s.mql });
  for (const h of raw.handoffs) if (h.dimension === dimension) Object.assign(row(h.key), { handedOff: h.handedOff, sql: h.sql });
  for (const o of raw.opportunities)
    if (o.dimension === dimension)
      Object.assign(row(o.key), {
        opportunities: o.opportunities,
        open: o.open,
        won: o.won,
        lost: o.lost,
        winRate: ratio(o.won, o.won + o.lost),
        medianDaysToClose: o.medianDaysToClose === null ? null : round(o.medianDaysToClose, 1),
      });
  for (const m of raw.revenue) if (m.dimension === dimension) addMoney(row(m.key).revenue, m.currency, m.amount);
  return [...rows.values()].toSorted((a, b) => b.handedOff - a.handedOff || (b.scored ?? 0) - (a.scored ?? 0) || compare(a.key, b.key));
}

function addMoney(into: Money, currency: string, amount: number): void {
  into[currency] = round((into[currency] ?? 0) + amount, 2);
}

function costOf(
  dimension: MarketingDimension,
  key: string,
  raw: RawReport,
  campaignCost: ReadonlyMap<string, number>,
  configured: Readonly<Record<string, number>>,
): { amount: number; from: ReturnRow['costFrom'] } | null {
  if (dimension !== 'source') {
    const fromCampaign = campaignCost.get(key);
    if (fromCampaign !== undefined) return { amount: fromCampaign, from: 'campaign' };
    return configured[key] === undefined ? null : { amount: configured[key], from: 'config' };
  }
  if (configured[key] !== undefined) return { amount: configured[key], from: 'config' };
  // A source with no cost of its own costs its share of what its campaigns (its shows) cost, where
  // Salesforce knows them: a show two sources filled (trade_show and event scans) is split by hand-offs.
  const costs = raw.sourceCampaigns
    .filter((p) => p.source === key && campaignCost.has(p.campaign))
    .map((p) => {
      const all = raw.sourceCampaigns.filter((q) => q.campaign === p.campaign).reduce((n, q) => n + q.handedOff, 0);
      return (campaignCost.get(p.campaign)! * p.handedOff) / all;
    });
  return costs.length === 0
    ? null
    : {
        amount: round(
          costs.reduce((a, b) => a + b, 0),
          2,
        ),
        from: 'campaigns',
      };
}

function slaRows(raw: RawReport, dimension: 'owner' | 'team'): SlaRow[] {
  return raw.sla
    .filter((s) => s.dimension === dimension)
    .map((s) => ({
      key: s.key,
      handoffs: s.handoffs,
      clocks: s.clocks,
      decided: s.decided,
      inTime: s.inTime,
      breached: s.breached,
      compliance: ratio(s.inTime, s.decided),
      medianMinutesToFirstTouch: s.medianMinutesToFirstTouch === null ? null : round(s.medianMinutesToFirstTouch, 1),
      mqlHandoffs: s.mqlHandoffs,
      sql: s.mqlSql,
      mqlToSql: ratio(s.mqlSql, s.mqlHandoffs),
    }))
    .toSorted((a, b) => b.handoffs - a.handoffs || compare(a.key, b.key));
}

function calibration(raw: RawReport, scale: number): CalibrationVersion[] {
  const versions = [...new Set(raw.calibration.map((c) => c.configVersion))].toSorted(compare);
  return versions.map((configVersion) => {
    const bands = raw.calibration.filter((c) => c.configVersion === configVersion);
    const grades = GRADES_ASCENDING.map((grade) => {
      const b = bands.find((c) => 'grade' in c.band && c.band.grade === grade);
      return band(grade, b?.handoffs ?? 0, b?.won ?? 0, b?.lost ?? 0);
    });
    const deciles = bands
      .flatMap((c) => ('decile' in c.band ? [{ decile: c.band.decile, c }] : []))
      .toSorted((a, b) => a.decile - b.decile)
      .map(({ decile, c }) => band(decileLabel(decile, scale), c.handoffs, c.won, c.lost));
    return { configVersion, grades: flagged(grades).toReversed(), deciles: flagged(deciles).toReversed() };
  });
}

function band(name: string, handoffs: number, won: number, lost: number): CalibrationRow {
  return { band: name, handoffs, won, lost, winRate: ratio(won, won + lost), outOfOrder: false };
}

/** Rows in ascending order, flagged; shown hottest (highest) first. */
function flagged(rows: CalibrationRow[]): CalibrationRow[] {
  const flags = outOfOrder(rows.map((r) => r.winRate));
  return rows.map((r, i) => ({ ...r, outOfOrder: flags[i]! }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
