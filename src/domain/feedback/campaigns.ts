/**
 * What the feedback writes to Salesforce Campaigns (pure): the figures Salesforce does not compute
 * itself — hand-offs, SQL among them, lost and win rate (it rolls up won opportunities and their
 * amount by Opportunity.CampaignId on its own) — and the Primary Campaign Source of opportunities
 * that have none. Only what differs from what Salesforce holds is written: a rerun writes nothing.
 */

/** The figures leadloop writes, by mapping.yaml `campaign.figures` role. */
export type CampaignFigureRole = 'handoffs' | 'sql' | 'lost' | 'win_rate';
export const CAMPAIGN_FIGURE_ROLES: readonly CampaignFigureRole[] = ['handoffs', 'sql', 'lost', 'win_rate'];

/** A Salesforce Campaign as the feedback reads it. */
export interface CampaignState {
  id: string;
  name: string;
  type: string | null;
  actualCost: number | null;
  budgetedCost: number | null;
  /** Salesforce's own roll-ups (read-only): won opportunities whose CampaignId it is, and their amount. */
  numberOfWonOpportunities: number | null;
  amountWonOpportunities: number | null;
  /** What its figure fields hold now, by role (null: empty). */
  figures: Record<CampaignFigureRole, number | null>;
}

/** A campaign as the ledger keeps it for the report (costs, Salesforce's won roll-ups). */
export interface StoredCampaign {
  campaignId: string;
  name: string;
  type: string | null;
  actualCost: number | null;
  budgetedCost: number | null;
  wonOpportunities: number | null;
  wonAmount: number | null;
}

/** What the ledger says per campaign name and per opportunity attribution. */
export interface LedgerCampaignFigures {
  /** Hand-offs by the campaign they carried (the show name at hand-off), and SQL among them. */
  handoffs: readonly { campaign: string; handoffs: number; sql: number }[];
  /** Opportunities by attribution: the campaign id when the ledger has it (Primary Campaign Source), else the name. Deleted ones count nowhere but keep their group (zeros). */
  opportunities: readonly { campaignId: string | null; campaign: string | null; won: number; lost: number }[];
}

/** One campaign's figures as leadloop computes them. */
export interface CampaignFigures {
  campaignId: string;
  name: string;
  handoffs: number;
  sql: number;
  won: number;
  lost: number;
  /** Won out of closed, in percent to two decimals; null with nothing closed. */
  winRate: number | null;
}

export interface CampaignFigurePlan {
  /** Campaign updates (Id and the figure fields that differ), in campaign id order. */
  updates: { id: string; fields: Record<string, number | null> }[];
  unchanged: number;
  /** Every campaign the ledger's figures reach. */
  figures: CampaignFigures[];
  /** Campaign names (or ids) the ledger holds that match no campaign, or several (never guessed). */
  unmatched: string[];
}

/** Campaign names compare as SOQL's `=` does: case-insensitively. */
export const campaignNameKey = (name: string) => name.trim().toLowerCase();

/** A matcher from campaign id, else unique name, to the campaign. */
function matcher(campaigns: readonly CampaignState[]) {
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const byName = new Map<string, CampaignState[]>();
  for (const c of campaigns) byName.set(campaignNameKey(c.name), [...(byName.get(campaignNameKey(c.name)) ?? []), c]);
  return (id: string | null, name: string | null): CampaignState | undefined => {
    if (id) return byId.get(id);
    const found = name ? byName.get(campaignNameKey(name)) : undefined;
    return found?.length === 1 ? found[0] : undefined;
  };
}

export function winRate(won: number, lost: number): number | null {
  return won + lost > 0 ? Math.round((10_000 * won) / (won + lost)) / 100 : null;
}

const same = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 0.005);

/**
 * The Campaign figure updates: each campaign the ledger's hand-offs (by name) or opportunities
 * (by id where the ledger has it, else by name) reach gets hand-offs, SQL, lost and win rate, and
 * is written only where a field differs from what it holds. A name two campaigns share, or one no
 * campaign has, is listed in `unmatched`.
 */
export function planCampaignFigures(input: { campaigns: readonly CampaignState[]; ledger: LedgerCampaignFigures; fields: Record<CampaignFigureRole, string> }): CampaignFigurePlan {
  const match = matcher(input.campaigns);
  const figures = new Map<string, CampaignFigures>();
  const unmatched = new Set<string>();
  const of = (c: CampaignState) => {
    let f = figures.get(c.id);
    if (!f) {
      f = { campaignId: c.id, name: c.name, handoffs: 0, sql: 0, won: 0, lost: 0, winRate: null };
      figures.set(c.id, f);
    }
    return f;
  };
  for (const h of input.ledger.handoffs) {
    const c = match(null, h.campaign);
    if (!c) {
      unmatched.add(h.campaign);
      continue;
    }
    const f = of(c);
    f.handoffs += h.handoffs;
    f.sql += h.sql;
  }
  for (const o of input.ledger.opportunities) {
    if (!o.campaignId && !o.campaign) continue;
    const c = match(o.campaignId, o.campaign);
    if (!c) {
      unmatched.add(o.campaignId ?? o.campaign!);
      continue;
    }
    const f = of(c);
    f.won += o.won;
    f.lost += o.lost;
  }
  const byId = new Map(input.campaigns.map((c) => [c.id, c]));
  const updates: CampaignFigurePlan['updates'] = [];
  let unchanged = 0;
  const sorted = [...figures.values()].toSorted((a, b) => (a.campaignId < b.campaignId ? -1 : 1));
  for (const f of sorted) {
    f.winRate = winRate(f.won, f.lost);
    const want: Record<CampaignFigureRole, number | null> = { handoffs: f.handoffs, sql: f.sql, lost: f.lost, win_rate: f.winRate };
    const held = byId.get(f.campaignId)!.figures;
    const fields: Record<string, number | null> = {};
    for (const role of CAMPAIGN_FIGURE_ROLES) if (!same(held[role], want[role])) fields[input.fields[role]] = want[role];
    if (Object.keys(fields).length > 0) updates.push({ id: f.campaignId, fields });
    else unchanged += 1;
  }
  return { updates, unchanged, figures: sorted, unmatched: [...unmatched].toSorted() };
}

/**
 * Primary Campaign Source for opportunities that have none: the campaign of the earliest hand-off
 * among their contacts (given by name), matched to exactly one campaign; the others are left.
 */
export function planPrimaryCampaigns(input: { lacking: readonly { opportunityId: string; campaign: string }[]; campaigns: readonly CampaignState[] }): {
  updates: { opportunityId: string; campaignId: string; campaign: string }[];
  unmatched: string[];
} {
  const match = matcher(input.campaigns);
  const updates: { opportunityId: string; campaignId: string; campaign: string }[] = [];
  const unmatched = new Set<string>();
  for (const o of input.lacking) {
    const c = match(null, o.campaign);
    if (c) updates.push({ opportunityId: o.opportunityId, campaignId: c.id, campaign: c.name });
    else unmatched.add(o.campaign);
  }
  return { updates, unmatched: [...unmatched].toSorted() };
}

/** A campaign read from Salesforce as the ledger keeps it. */
export function storedCampaign(c: CampaignState): StoredCampaign {
  return {
    campaignId: c.id,
    name: c.name,
    type: c.type,
    actualCost: c.actualCost,
    budgetedCost: c.budgetedCost,
    wonOpportunities: c.numberOfWonOpportunities,
    wonAmount: c.amountWonOpportunities,
  };
}
