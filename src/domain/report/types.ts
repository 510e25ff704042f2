/** The closed-loop report (`leadloop report`): its raw figures as the ledger groups them, and the report built from them. */

/** What the funnel can be grouped by. A show is a trade-show source's campaign (the show's name at hand-off). */
export type Dimension = 'source' | 'campaign' | 'show' | 'owner' | 'team';
export const DIMENSIONS: readonly Dimension[] = ['source', 'campaign', 'show', 'owner', 'team'];
/** The groupings whose contacts carry them before any hand-off (scored contacts count in them), and that a cost can be put on. */
export type MarketingDimension = 'source' | 'campaign' | 'show';
export const MARKETING_DIMENSIONS: readonly MarketingDimension[] = ['source', 'campaign', 'show'];

export type Grade = 'hot' | 'warm' | 'cold';
/** Coldest first: the order win rates should rise in. */
export const GRADES_ASCENDING: readonly Grade[] = ['cold', 'warm', 'hot'];

/** Amounts per currency (`corporate`: an opportunity with none); never added across currencies. */
export type Money = Record<string, number>;

/** The hand-offs of one group: how many, and how many of them sales accepted (SQL). */
export interface RawHandoffGroup {
  dimension: Dimension;
  key: string;
  handedOff: number;
  sql: number;
}

/** The live opportunities of one group's hand-offs. */
export interface RawOpportunityGroup {
  dimension: Dimension;
  key: string;
  opportunities: number;
  open: number;
  won: number;
  lost: number;
  /** Median of closed_at − handed_off_at over won and lost ones, in days (null: none closed). */
  medianDaysToClose: number | null;
}

export interface RawRevenue {
  dimension: Dimension;
  key: string;
  currency: string;
  amount: number;
}

/** Contacts whose latest score fell in the window, by their source or campaign at scoring. */
export interface RawScoredGroup {
  dimension: MarketingDimension;
  key: string;
  scored: number;
  mql: number;
}

export interface RawSlaGroup {
  dimension: 'owner' | 'team';
  key: string;
  handoffs: number;
  /** Hand-offs with an SLA clock. */
  clocks: number;
  /** Clocks first touched at or before due. */
  inTime: number;
  /** Clocks decided: touched, or untouched and past due. */
  decided: number;
  breached: number;
  medianMinutesToFirstTouch: number | null;
  /** Hand-offs of contacts that were MQLs, and those of them sales accepted. */
  mqlHandoffs: number;
  mqlSql: number;
}

export interface RawCalibrationBand {
  configVersion: string;
  /** A grade, or a decile (0 = the lowest tenth of the score scale). */
  band: { grade: Grade } | { decile: number };
  handoffs: number;
  won: number;
  lost: number;
}

export interface RawReport {
  handoffs: RawHandoffGroup[];
  opportunities: RawOpportunityGroup[];
  revenue: RawRevenue[];
  scored: RawScoredGroup[];
  /** How many hand-offs of each source carried each campaign (a source's cost defaults to its share of theirs). */
  sourceCampaigns: { source: string; campaign: string; handedOff: number }[];
  /** Campaign ActualCost by name, for names exactly one Salesforce campaign has. */
  campaignCosts: { name: string; cost: number | null }[];
  lossReasons: { reason: string; lost: number }[];
  competitors: { competitor: string; met: number; won: number; lost: number }[];
  sla: RawSlaGroup[];
  calibration: RawCalibrationBand[];
  /** Live opportunities that count nowhere in the report: no contact of theirs was handed off. */
  opportunitiesWithoutHandoff: number;
}

export interface ReportWindow {
  /** ISO times; hand-offs at or after since and before until count. */
  since: string | null;
  until: string | null;
}

export interface FunnelRow {
  key: string;
  /** Null where the grouping has no meaning before a hand-off (owner, team). */
  scored: number | null;
  mql: number | null;
  handedOff: number;
  sql: number;
  opportunities: number;
  open: number;
  won: number;
  lost: number;
  revenue: Money;
  winRate: number | null;
  medianDaysToClose: number | null;
}

export interface ReturnRow {
  key: string;
  cost: number | null;
  /** Where the cost came from: the Salesforce campaign, sync.yaml's report.costs, or the source's share of its campaigns'. */
  costFrom: 'campaign' | 'config' | 'campaigns' | null;
  won: number;
  revenue: Money;
  costPerWon: number | null;
  /** Revenue ÷ cost; null without a cost, or with revenue in more than one currency. */
  revenuePerCost: number | null;
}

export interface SlaRow {
  key: string;
  handoffs: number;
  clocks: number;
  decided: number;
  inTime: number;
  breached: number;
  compliance: number | null;
  medianMinutesToFirstTouch: number | null;
  mqlHandoffs: number;
  sql: number;
  mqlToSql: number | null;
}

export interface CalibrationRow {
  band: string;
  handoffs: number;
  won: number;
  lost: number;
  winRate: number | null;
  /** Its win rate is below that of the nearest band beneath it (a colder grade, a lower decile) that has one. */
  outOfOrder: boolean;
}

export interface CalibrationVersion {
  configVersion: string;
  grades: CalibrationRow[];
  deciles: CalibrationRow[];
}

export interface ClosedLoopReport {
  window: ReportWindow;
  funnel: Partial<Record<Dimension, FunnelRow[]>>;
  return: Partial<Record<MarketingDimension, ReturnRow[]>>;
  winLoss: {
    lossReasons: { reason: string; lost: number; share: number | null }[];
    competitors: { competitor: string; met: number; won: number; lost: number; winRate: number | null }[];
  };
  sla: { byOwner: SlaRow[]; byTeam: SlaRow[] };
  calibration: CalibrationVersion[];
  opportunitiesWithoutHandoff: number;
}
