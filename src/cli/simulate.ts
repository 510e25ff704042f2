import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { formatIssue, loadConfigDir } from '../config/load.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { compareReplays, type OutcomeFigures, type SimulationDiff } from '../domain/simulate/compare.ts';
import { replayBoth } from '../domain/simulate/simulate.ts';
import type { Kysely } from 'kysely';
import type { LedgerSchema } from '../store/schema.ts';
import { closedOutcomes } from '../store/closedOutcomes.ts';
import { tracesToReplay } from '../store/decisionTraces.ts';
import { CliError, EXIT } from './errors.ts';
import { parseReportDate } from './report.ts';
import { table } from './table.ts';

const FORMATS = ['table', 'json'] as const;

/** A simulation's answer: which decisions, which configs, and what would change. */
export interface SimulationResult {
  current: { dir: string; version: string };
  proposed: { dir: string; version: string };
  window: { from: string | null; to: string | null };
  diff: SimulationDiff;
  durationMs: number;
}

/**
 * Replays the ledger's stored decision traces under the config in force and under a proposed one
 * and compares them (src/domain/simulate): reads the ledger only, calls no API, writes nothing.
 */
export async function simulateChange(
  db: Kysely<LedgerSchema>,
  current: { dir: string; version: string; config: LeadloopConfig },
  proposed: { dir: string; version: string; config: LeadloopConfig },
  window: { since?: number; last?: number },
): Promise<SimulationResult> {
  const started = performance.now();
  const traces = await tracesToReplay(db, window);
  const replays = replayBoth(traces, current.config, proposed.config);
  const outcomes = await closedOutcomes(db, replays.affected);
  const diff = compareReplays(replays.current, replays.proposed, replays.recorded, outcomes);
  return {
    current: { dir: current.dir, version: current.version },
    proposed: { dir: proposed.dir, version: proposed.version },
    window: { from: traces[0] ? new Date(traces[0].decidedAt).toISOString() : null, to: traces.at(-1) ? new Date(traces.at(-1)!.decidedAt).toISOString() : null },
    diff,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Adds `simulate` under the `config` command (registered before it). */
export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const config = program.commands.find((c) => c.name() === 'config');
  if (!config) throw new Error('register the config command before config simulate');
  config
    .command('simulate')
    .description("replay the ledger's stored decisions under a proposed config beside the one in force and show what would change; calls no API, writes nothing")
    .requiredOption('--dir <dir>', 'folder with the proposed config files')
    .option('--current <dir>', 'folder with the config in force', source.LEADLOOP_CONFIG_DIR ?? './config')
    .option('--last <n>', 'the latest N decisions')
    .option('--since <date>', 'decisions from this ISO date on')
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .action(async (options: { dir: string; current: string; last?: string; since?: string; format: string }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) throw new CliError(`--format must be ${FORMATS.join(' or ')}, not "${options.format}"`, EXIT.usage);
      if (options.last !== undefined && options.since !== undefined) throw new CliError('give --last or --since, not both', EXIT.usage);
      const last = options.last === undefined ? undefined : Number(options.last);
      if (last !== undefined && !(Number.isInteger(last) && last > 0)) throw new CliError(`--last must be a whole number above 0, not "${options.last}"`, EXIT.usage);
      const since = options.since === undefined ? undefined : parseReportDate(options.since, 'since').getTime();
      const env = loadEnv(source);
      const [current, proposed] = await Promise.all([loaded(options.current, 'in force'), loaded(options.dir, 'proposed')]);
      const { openLedger } = await import('../store/ledger.ts');
      // The ledger alone: no Redis, no API. With the embedded ledger, stop a running worker first (it holds the folder).
      const ledger = await openLedger({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir });
      try {
        const result = await simulateChange(ledger.db, current, proposed, { ...(since !== undefined ? { since } : {}), ...(last !== undefined ? { last } : {}) });
        const out = (line = '') => process.stdout.write(`${line}\n`);
        if (options.format === 'json') out(JSON.stringify(result));
        else renderSimulation(out, result);
      } finally {
        await ledger.close();
      }
    });
}

async function loaded(dir: string, which: string): Promise<{ dir: string; version: string; config: LeadloopConfig }> {
  const result = await loadConfigDir(dir);
  if (!result.ok) {
    for (const issue of result.errors) process.stderr.write(`${formatIssue(issue)}\n`);
    throw new CliError(`the ${which} config in ${dir} is invalid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'})`, EXIT.failure);
  }
  return { dir, version: result.version, config: result.config };
}

const CHANGE_LABEL: Record<OutcomeFigures['change'], string> = { 'handoff-gained': 'hand-off gained', 'handoff-lost': 'hand-off lost', 'owner-changed': 'owner changed' };
const SHOWN = 10;

/** The comparison as a person reads it: the config in force beside the proposed one. */
export function renderSimulation(out: (line?: string) => void, r: SimulationResult): void {
  const d = r.diff;
  out(
    `Simulated ${d.decisions} stored decision${d.decisions === 1 ? '' : 's'}${r.window.from ? ` from ${r.window.from} to ${r.window.to}` : ''} in ${r.durationMs} ms (no API calls, nothing written)`,
  );
  out(`in force: ${r.current.dir} (version ${r.current.version}) · proposed: ${r.proposed.dir} (version ${r.proposed.version})`);
  out(`Replayed in decision order from a fresh rotation; under the config in force ${d.asRecorded} of ${d.decisions} decide as recorded.`);
  if (d.decisions === 0) {
    out('No stored decision traces to replay (traces are kept for sync.yaml retention.traces).');
    return;
  }
  out();
  const delta = (c: number, p: number) => (p === c ? '' : p > c ? `+${p - c}` : String(p - c));
  table(
    out,
    ['', 'in force', 'proposed', 'change'],
    [
      ...d.grades.map((g) => [`grade ${g.key}`, String(g.current), String(g.proposed), delta(g.current, g.proposed)]),
      ['MQL', String(d.mql.current), String(d.mql.proposed), delta(d.mql.current, d.mql.proposed)],
      ['hand-offs', String(d.handoffs.current), String(d.handoffs.proposed), delta(d.handoffs.current, d.handoffs.proposed)],
    ],
  );
  out();
  out(`Grades changed: ${d.gradeChanges}`);
  out(`MQLs gained: ${d.mql.gained.length}${listed(d.mql.gained)}`);
  out(`MQLs lost: ${d.mql.lost.length}${listed(d.mql.lost)}`);
  out(`Hand-offs gained: ${d.handoffs.gained.length}${listed(d.handoffs.gained)}`);
  out(`Hand-offs lost: ${d.handoffs.lost.length}${listed(d.handoffs.lost)}`);
  out(`Owners reassigned: ${d.reassigned.length}`);
  for (const m of d.reassigned.slice(0, SHOWN)) out(`  ${m.contactId}: ${m.from} → ${m.to}`);
  if (d.reassigned.length > SHOWN) out(`  … and ${d.reassigned.length - SHOWN} more (--format json lists all)`);
  out();
  out('Load per owner (hand-offs)');
  table(
    out,
    ['owner', 'in force', 'proposed', 'change'],
    d.loadByOwner.map((o) => [o.key, String(o.current), String(o.proposed), delta(o.current, o.proposed)]),
  );
  out();
  out('Load per team (hand-offs)');
  table(
    out,
    ['team', 'in force', 'proposed', 'change'],
    d.loadByTeam.map((o) => [o.key, String(o.current), String(o.proposed), delta(o.current, o.proposed)]),
  );
  out();
  out("Closed outcomes of the contacts affected (the ledger's won and lost opportunities)");
  table(
    out,
    ['change', 'contacts', 'won', 'lost', 'won revenue', 'lost revenue'],
    d.outcomes.map((o) => [CHANGE_LABEL[o.change], String(o.contacts), String(o.won), String(o.lost), money(o.wonAmount), money(o.lostAmount)]),
  );
}

function listed(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  return ` (${ids.slice(0, SHOWN).join(', ')}${ids.length > SHOWN ? `, … ${ids.length - SHOWN} more` : ''})`;
}

function money(amounts: Record<string, number>): string {
  const parts = Object.entries(amounts).map(([currency, amount]) => `${Math.round(amount).toLocaleString('en-US')}${currency ? ` ${currency}` : ''}`);
  return parts.length > 0 ? parts.join(' + ') : '0';
}
