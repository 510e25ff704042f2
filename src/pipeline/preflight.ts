import type { Client } from '@hubspot/api-client';
import type { Redis } from 'ioredis';
import type { Connection } from 'jsforce';
import type { LeadloopConfig } from '../domain/config/index.ts';
import type { BeforeCall } from '../hubspot/client.ts';
import { CONNECTOR_PROPERTIES, findConnectorSyncedContact } from '../hubspot/findConnectorSyncedContact.ts';
import { toHubSpotError } from '../hubspot/errors.ts';
import { describeFields } from '../salesforce/describeFields.ts';
import { loadDirectory } from '../salesforce/directory.ts';
import { checkRoutingOwners, checkSalesforceFields, mergeResults, type PreflightProblem, type PreflightResult } from './preflight-checks.ts';
import { writebackProperties } from './setup.ts';

export type { PreflightProblem, PreflightResult } from './preflight-checks.ts';

/** What preflight reads: both APIs and the config (a SyncDeps fits). */
export interface PreflightDeps {
  hubspot: Client;
  salesforce: Connection;
  config: LeadloopConfig;
  configVersion: string;
  /** Gates every HubSpot call (the budget governor); absent: no gating. */
  beforeHubSpotCall?: BeforeCall;
}

/** The objects whose fields mapping.yaml names. */
const DESCRIBED = ['Lead', 'Task', 'Campaign'] as const;

/**
 * Everything the lead sync needs before it writes, checked against the live APIs: the HubSpot
 * write-back properties, the Salesforce fields mapping.yaml names (describe), routing's owners
 * and queues, and whether HubSpot's own Salesforce connector syncs the same contacts.
 * Costs 7 calls: HubSpot properties + 1 search, Salesforce 3 describes + 2 queries.
 */
export async function preflight(deps: PreflightDeps): Promise<PreflightResult> {
  const { config } = deps;
  const [hubspotTypes, objects, directory, connector] = await Promise.all([
    hubspotPropertyTypes(deps),
    describeFields(deps.salesforce, DESCRIBED),
    // Fresh, not the per-connection cache: a user deactivated since the worker started must show.
    loadDirectory(deps.salesforce, { refresh: true }),
    findConnectorSyncedContact(deps.hubspot, deps.beforeHubSpotCall),
  ]);

  const hubspot: PreflightResult = { blocking: [], warnings: [] };
  const missing = writebackProperties(config.mapping).filter((p) => !hubspotTypes.has(p.name));
  if (missing.length > 0) {
    hubspot.blocking.push({ subject: `HubSpot contact properties ${missing.map((p) => p.name).join(', ')}`, problem: 'missing: leadloop writes score, grade, owner and Salesforce id back into them', fix: 'run `leadloop setup` (it creates them in a "leadloop" group)', code: 'hubspot-writeback-missing' });
  }
  if (connector) {
    const ids = CONNECTOR_PROPERTIES.filter((p) => connector.properties[p]).map((p) => `${p}=${connector.properties[p]}`);
    hubspot.warnings.push({
      subject: 'HubSpot contacts (Salesforce connector)',
      problem: `HubSpot's own Salesforce connector also syncs these contacts (contact ${connector.id} has ${ids.join(', ')}): both would create and update the same Salesforce leads, and the connector can overwrite owners and fields leadloop sets`,
      fix: 'turn off the connector\'s contact → lead sync (HubSpot: Settings → Integrations → Salesforce → Contacts), or exclude leadloop\'s hand-offs from its inclusion list',
    });
  }

  return mergeResults(
    hubspot,
    checkSalesforceFields({ mapping: config.mapping, scoreMax: config.scoring.caps.total, objects, hubspotTypes }),
    checkRoutingOwners(config.routing, directory),
  );
}

async function hubspotPropertyTypes(deps: PreflightDeps): Promise<Map<string, string>> {
  try {
    await deps.beforeHubSpotCall?.('standard');
    const all = await deps.hubspot.crm.properties.coreApi.getAll('contacts');
    return new Map(all.results.map((p) => [p.name, p.type]));
  } catch (error) {
    throw toHubSpotError(error);
  }
}

/** How long a preflight answer is reused: the sync checks before every cycle, the APIs are asked at most this often. */
export const PREFLIGHT_TTL_MS = 10 * 60_000;

export function preflightKey(prefix: string): string {
  return `${prefix}:setup:preflight`;
}

interface CachedPreflight extends PreflightResult {
  configVersion: string;
  checkedAt: number;
}

/**
 * preflight() through a Redis cache (10 minutes, keyed by the config version: a changed config
 * checks again at once). `refresh` checks now and stores the answer (`leadloop setup` does, so
 * a fixed problem stops blocking the sync at once).
 */
export async function cachedPreflight(
  deps: PreflightDeps,
  cache: { redis: Redis; prefix: string },
  options: { refresh?: boolean; ttlMs?: number; now?: () => number } = {},
): Promise<PreflightResult & { cached: boolean; checkedAt: number }> {
  const key = preflightKey(cache.prefix);
  if (!options.refresh) {
    const raw = await cache.redis.get(key);
    const hit = raw ? (JSON.parse(raw) as CachedPreflight) : undefined;
    if (hit && hit.configVersion === deps.configVersion) return { blocking: hit.blocking, warnings: hit.warnings, cached: true, checkedAt: hit.checkedAt };
  }
  const result = await preflight(deps);
  const checkedAt = (options.now ?? Date.now)();
  const entry: CachedPreflight = { configVersion: deps.configVersion, checkedAt, ...result };
  await cache.redis.set(key, JSON.stringify(entry), 'PX', options.ttlMs ?? PREFLIGHT_TTL_MS);
  return { ...result, cached: false, checkedAt };
}

/** The cached preflight, for work that must not write while a blocking problem stands: throws PreflightBlocked then. */
export async function assertPreflight(deps: PreflightDeps, cache: { redis: Redis; prefix: string }): Promise<void> {
  const checked = await cachedPreflight(deps, cache);
  if (checked.blocking.length > 0) throw new PreflightBlocked(checked.blocking);
}

/** Thrown when the sync must not write: a blocking preflight problem stands. */
export class PreflightBlocked extends Error {
  readonly blocking: PreflightProblem[];
  constructor(blocking: PreflightProblem[]) {
    super(`setup finds ${blocking.length} blocking problem${blocking.length === 1 ? '' : 's'}; nothing was written. Run \`leadloop setup\` to see ${blocking.length === 1 ? 'it' : 'them'} and what to do:\n${formatProblems(blocking)}`);
    this.name = 'PreflightBlocked';
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
  return `${lines.join('\n')}\n`;
}
