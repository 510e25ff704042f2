import type { LeadloopConfig } from '../domain/config/index.ts';
import { checkConfigAgainstPortal, type ConfigLocator, type PortalProblem, type PortalProperty } from '../domain/portal-check.ts';
import type { PreflightProblem, PreflightResult } from './preflight-checks.ts';

/** `scoring.yaml:146 mql.immediate_sources.value[0]`: where a problem is, as setup and `config validate` name it. */
export function portalProblemSubject(problem: PortalProblem): string {
  const path = problem.path.reduce<string>((text, s) => (typeof s === 'number' ? `${text}[${s}]` : text ? `${text}.${s}` : s), '');
  return `${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''} ${path}`;
}

/**
 * The config's rules against the portal's contact property definitions (domain/portal-check.ts),
 * as preflight problems: blocking where the hand-off decision never holds, warnings elsewhere,
 * and the optional rules the portal lacks the properties for listed as inactive.
 */
export function checkPortalConfig(config: LeadloopConfig, definitions: readonly PortalProperty[], locate?: ConfigLocator): PreflightResult {
  const result: Required<PreflightResult> = { blocking: [], warnings: [], inactive: [] };
  for (const problem of checkConfigAgainstPortal(config, definitions, locate)) {
    const entry: PreflightProblem = { subject: portalProblemSubject(problem), problem: problem.message, fix: problem.fix, code: 'config-portal' };
    (problem.severity === 'blocking' ? result.blocking : problem.severity === 'inactive' ? result.inactive : result.warnings).push(entry);
  }
  return result;
}
