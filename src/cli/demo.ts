import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfigDirOrThrow } from '../config/load.ts';
import { decide } from '../domain/decide.ts';
import { CliError, EXIT } from './errors.ts';

const SAMPLES = join(import.meta.dirname, '../../test/fixtures/contacts');

/**
 * `leadloop demo`: runs as much of the loop as has landed. Today: the config files are
 * validated and the sample contacts are scored, graded, qualified and routed, with the
 * Salesforce write and tasks each would get. The sandbox sync joins when it lands.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the loop on local data and print what it decided')
    .option('--contacts <n>', 'contacts to generate (used once the sandbox sync lands)', '2000')
    .option('--dir <dir>', 'config folder', process.env.LEADLOOP_CONFIG_DIR ?? './config')
    .option('--exit', 'exit when done (today the demo always exits)')
    .action(async (options: { dir: string }) => {
      const { config, version } = await loadConfigDirOrThrow(options.dir);
      const files = (await readdir(SAMPLES).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
      if (files.length === 0) throw new CliError(`no sample contacts in ${SAMPLES}`, EXIT.failure);
      const now = Date.now();
      process.stdout.write(`leadloop demo — config ${version} valid; scoring ${files.length} sample contacts as of ${new Date(now).toISOString()}\n\n`);
      const rows: string[][] = [['contact', 'source', 'score', 'grade', 'hand-off', 'owner / reason', 'tasks']];
      for (const file of files) {
        const contact = JSON.parse(await readFile(join(SAMPLES, file), 'utf8')) as { id: string; properties: Record<string, string | null> };
        const d = decide(contact, {}, config, { now, roundRobin: {}, loadToday: {}, accountByDomain: () => undefined });
        const a = d.route?.assignee;
        const owner = a ? (a.kind === 'user' ? (a.name ?? a.email ?? '') : a.kind === 'queue' ? `queue ${a.queue}` : 'assignment rules') : d.score.vetoedBy ? `vetoed: ${d.score.vetoedBy.rule}` : 'stays with marketing';
        rows.push([file.replace(/\.json$/, ''), contact.properties.lead_source ?? '', String(d.score.score), d.score.grade, d.score.handoff ? 'yes' : 'no', owner, d.tasks.map((t) => t.subject).join('; ') || '—']);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
      process.stdout.write('\nRun `npx leadloop explain --file test/fixtures/contacts/<name>.json` for the full reasoning behind a row.\n');
    });
}
