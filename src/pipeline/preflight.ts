import type { LeadloopConfig } from '../domain/config/index.ts';
import type { ConfigLocator } from '../domain/portal-check.ts';
import { writebackProperties } from '../domain/setup.ts';
import { LeadloopError } from '../errors/index.ts';
import { checkDeals, checkFeedbackCapabilities, checkRoutingOwners, checkSalesforceFields, mergeResults, type PreflightProblem, type PreflightResult } from './preflight-checks.ts';
import { checkPortalConfig } from './portal-config.ts';
import type { DealSetup, FeedbackSource, OrgSetup, PortalSetup } from './ports.ts';

import { checkSla } from './sla-preflight-checks.ts';

export type { PreflightProblem, PreflightResult } from './preflight-checks.ts';

/** What preflight reads: both systems' schemas and the config. */
export interface PreflightDeps {
  portal: PortalSetup;
  deals: DealSetup;
  org: OrgSetup;
  feedback: Pick<FeedbackSource, 'capabilities'>;
  config: LeadloopConfig;
  configVersion: string;
  /** Where each setting is in the config files (the loader's), so problems name file and line. */
  locate?: ConfigLocator;
}

/** A stored preflight answer (Redis; src/store/preflight-cache.ts). */
export interface CachedPreflight extends PreflightResult {
  configVersion: string;
  checkedAt: number;
}

export interface PreflightCache {
  get(): Promise<CachedPreflight | undefined>;
  set(entry: CachedPreflight, ttlMs: number): Promise<void>;
}

/** The objects whose fields mapping.yaml names. */
const DESCRIBED = ['Lead', 'Task', 'Campaign', 'CampaignMember'] as const;

/**
 * Everything the lead sync needs before it writes, checked against the live APIs: the rules'
 * properties, operators and enumeration values against the portal's definitions, the HubSpot
 * write-back properties, the Salesforce fields mapping.yaml names (describe), routing's owners
 * and queues, and whether HubSpot's own Salesforce connector syncs the same contacts.
 * Costs 8 calls: HubSpot properties + 1 search, Salesforce 4 describes + 2 queries.
 */
export async function preflight(deps: PreflightDeps): Promise<PreflightResult> {
  const { config } = deps;
  const [hubspotProperties, objects, directory, connector, dealProperties, pipeline, connectorDeal, capabilities] = await Promise.all([
    deps.portal.propertyDefinitions(),
    deps.org.describe(DESCRIBED),
    // Fresh, not the per-connection cache: a user deactivated since the worker started must show.
    deps.org.directory({ refresh: true }),
    deps.portal.connectorSyncedContact(),
    deps.deals.dealProperties(),
    deps.deals.pipelineStages(config.mapping.deal.pipeline),
    deps.deals.connectorSyncedDeal(),
    deps.feedback.capabilities(),
  ]);

  const hubspotTypes = new Map(hubspotProperties.map((p) => [p.name, p.type]));
  const hubspot: PreflightResult = { blocking: [], warnings: [] };
  const missing = writebackProperties(config.mapping).filter((p) => !hubspotTypes.has(p.name));
  if (missing.length > 0) {
    hubspot.blocking.push({
      subject: `HubSpot contact properties ${missing.map((p) => p.name).join(', ')}`,
      problem: 'missing: leadloop writes score, grade, owner and Salesforce id back into them',
      fix: 'run `leadloop setup` (it creates them in a "leadloop" group)',
      code: 'hubspot-writeback-missing',
    });
  }
  if (connector) {
    const ids = Object.entries(connector.properties)
      .filter(([, v]) => v)
      .map(([p, v]) => `${p}=${v}`);
    hubspot.warnings.push({
      subject: 'HubSpot contacts (Salesforce connector)',
      problem: `HubSpot's own Salesforce connector also syncs these contacts (contact ${connector.id} has ${ids.join(', ')}): both would create and update the same Salesforce leads, and the connector can overwrite owners and fields leadloop sets`,
      fix: "turn off the connector's contact → lead sync (HubSpot: Settings → Integrations → Salesforce → Contacts), or exclude leadloop's hand-offs from its inclusion list",
    });
  }

  return mergeResults(
    hubspot,
    checkPortalConfig(config, hubspotProperties, deps.locate),
    checkSalesforceFields({ mapping: config.mapping, scoreMax: config.scoring.caps.total, objects, hubspotTypes }),
    checkRoutingOwners(config.routing, directory),
    checkDeals({ mapping: config.mapping, dealProperties, pipeline, connectorDeal }),
    checkFeedbackCapabilities(capabilities, config.mapping),
    checkSla(config, objects.get('Task'), capabilities.statusHistoryTracked),
  );
}

/** How long a preflight answer is reused: the sync checks before every cycle, the APIs are asked at most this often. */
export const PREFLIGHT_TTL_MS = 10 * 60_000;

/**
 * preflight() through a cache (10 minutes, keyed by the config version: a changed config checks
 * again at once). `refresh` checks now and stores the answer (`leadloop setup` does, so a fixed
 * problem stops blocking the sync at once).
 */
export async function cachedPreflight(
  deps: PreflightDeps,
  cache: PreflightCache,
  options: { refresh?: boolean; ttlMs?: number; now?: () => number } = {},
): Promise<PreflightResult & { cached: boolean; checkedAt: number }> {
  if (!options.refresh) {
    const hit = await cache.get();
    if (hit && hit.configVersion === deps.configVersion) return { blocking: hit.blocking, warnings: hit.warnings, cached: true, checkedAt: hit.checkedAt };
  }
  const result = await preflight(deps);
  const checkedAt = (options.now ?? Date.now)();
  await cache.set({ configVersion: deps.configVersion, checkedAt, ...result }, options.ttlMs ?? PREFLIGHT_TTL_MS);
  return { ...result, cached: false, checkedAt };
}

/**
 * The cached preflight, for work that must not write while a blocking problem stands: throws
 * PreflightBlocked then. Problems that concern only the won/lost feedback block only it. Problems
 * that concern only the campaign writes block neither: they are returned, and the work goes on
 * without writing campaign members.
 */
export async function assertPreflight(deps: PreflightDeps, cache: PreflightCache, work: 'leads' | 'feedback' = 'leads'): Promise<{ campaignBlocked: PreflightProblem[] }> {
  const checked = await cachedPreflight(deps, cache);
  const blocking = (work === 'feedback' ? checked.blocking : checked.blocking.filter((p) => !p.feedbackOnly)).filter((p) => !p.campaignOnly);
  if (blocking.length > 0) throw new PreflightBlocked(blocking);
  return { campaignBlocked: checked.blocking.filter((p) => p.campaignOnly) };
}

/** PREFLIGHT_BLOCKED: the sync must not write while a blocking setup problem stands; a person must fix it. */
export class PreflightBlocked extends LeadloopError {
  override readonly name = 'PreflightBlocked';
  readonly code = 'PREFLIGHT_BLOCKED' as const;
  readonly system = 'leadloop' as const;
  readonly blocking: PreflightProblem[];
  constructor(blocking: PreflightProblem[]) {
    super(
      `setup finds ${blocking.length} blocking problem${blocking.length === 1 ? '' : 's'}, so nothing was written; fix ${blocking.length === 1 ? 'it' : 'them'} and run \`leadloop setup\`:\n${formatProblems(blocking)}`,
    );
    this.blocking = blocking;
  }
}

/** Problems as lines for people: `  - Lead.X: what is wrong → what to do`. */
export function formatProblems(problems: readonly PreflightProblem[]): string {
  return problems.map((p) => `  - ${p.subject}: ${p.problem}\n    → ${p.fix}`).join('\n');
}

/** The whole report for stderr. */
export function formatReport(result: PreflightResult): string {
  const lines: string[] = [];
  if (result.blocking.length > 0) lines.push(`Blocking (${result.blocking.length}) — the sync will not write until these are fixed:`, formatProblems(result.blocking));
  if (result.warnings.length > 0) lines.push(`Warnings (${result.warnings.length}):`, formatProblems(result.warnings));
  if (lines.length === 0) lines.push('Preflight: no problems found.');
  const inactive = result.inactive ?? [];
  if (inactive.length > 0) lines.push(`Optional rules inactive on this portal (${inactive.length}) — not problems; they add nothing until the portal has their properties:`, formatProblems(inactive));
  return `${lines.join('\n')}\n`;
}
