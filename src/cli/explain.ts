import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadEnv } from '../config/env.ts';
import { loadConfigDirOrThrow } from '../config/load.ts';
import { withDerivedSource } from '../domain/contact-source.ts';
import { decide, type LeadDecision } from '../domain/decide.ts';
import { CliError, EXIT } from './errors.ts';
import { readStoredExplanation, renderStoredTraces, type StoredExplanation } from './explain-trace.ts';

/** A contact file: HubSpot's object shape, optionally with what leadloop observed (history). */
const contactFile = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  properties: z.record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? null : String(v))),
  ),
  history: z.record(z.string(), z.object({ changedAt: z.union([z.number(), z.string().transform((s) => Date.parse(s))]) })).default({}),
});

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  program
    .command('explain [hubspotContactId]')
    .description(
      "show the contact's stored decision (version, time, trace) beside what today's config decides: score breakdown, grade, hand-off, routing path and the Salesforce write; writes nothing",
    )
    .option('--file <contact.json>', 'explain a contact from a JSON file (offline)')
    .option('--dir <dir>', 'config folder', source.LEADLOOP_CONFIG_DIR ?? './config')
    .option('--now <iso>', 'evaluate as of this time (default: now)')
    .option('--json', 'print the decision as JSON')
    .action(async (id: string | undefined, options: { file?: string; dir: string; now?: string; json?: boolean }) => {
      if (!options.file && !id) throw new CliError('give a HubSpot contact id or --file contact.json', EXIT.usage);
      const now = options.now ? Date.parse(options.now) : Date.now();
      if (!Number.isFinite(now)) throw new CliError(`--now "${options.now}" is not a date`, EXIT.usage);
      let raw: unknown;
      let stored: StoredExplanation | undefined;
      let fromStoredInputs = false;
      if (options.file) {
        try {
          raw = JSON.parse(await readFile(options.file, 'utf8'));
        } catch (error) {
          throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`, EXIT.usage);
        }
      } else {
        if (!/^\d+$/.test(id!)) throw new CliError(`"${id}" is not a HubSpot contact id (digits)`, EXIT.usage);
        // The decision as it was made (the ledger's trace), beside what today's config decides.
        const env = loadEnv(source);
        stored = await readStoredExplanation(env, id!);
        const latest = stored.traces[0];
        if (!env.hubspot.accessToken && latest) {
          // Without HubSpot: today's config on the inputs the stored decision was made from.
          raw = { id: id!, properties: latest.inputs.properties, history: latest.inputs.history };
          fromStoredInputs = true;
        } else {
          raw = await readLiveContact(id!, options.dir, source);
        }
      }
      const parsed = contactFile.safeParse(raw);
      if (!parsed.success) {
        throw new CliError(`${options.file ?? id} is not a contact: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`, EXIT.usage);
      }
      const { config, version } = await loadConfigDirOrThrow(options.dir);
      const contact = { id: parsed.data.id, properties: withDerivedSource(parsed.data.properties, config.mapping, now) };
      const decision = decide(contact, parsed.data.history, config, {
        now,
        roundRobin: {},
        loadToday: {},
        accountByDomain: () => undefined,
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ contactId: contact.id, configVersion: version, at: new Date(now).toISOString(), ...decision, ...(stored ? { stored: stored.traces, ...(stored.unavailable ? { storedUnavailable: stored.unavailable } : {}) } : {}) })}\n`,
        );
        return;
      }
      // Today's decision first, then the stored one beside it.
      process.stdout.write(renderDecision(contact.id, decision, version, now, config.mapping.external_id_field));
      if (stored) {
        process.stdout.write(`(today's config on ${fromStoredInputs ? 'the stored inputs: no HUBSPOT_ACCESS_TOKEN' : 'the contact as HubSpot has it now'})\n\n`);
        process.stdout.write(renderStoredTraces(contact.id, stored));
      }
    });
}

/** Reads one contact from HubSpot with every property the decision uses (writes nothing). */
async function readLiveContact(id: string, dir: string, source: NodeJS.ProcessEnv): Promise<unknown> {
  if (!/^\d+$/.test(id)) throw new CliError(`"${id}" is not a HubSpot contact id (digits)`, EXIT.usage);
  const env = loadEnv(source, { needs: ['hubspot'] });
  const { config } = await loadConfigDirOrThrow(dir);
  const [{ hubspotAdapter }, { OPEN_GATE }, { propertiesToPull }] = await Promise.all([import('../app.ts'), import('../api-gate.ts'), import('../domain/inputs.ts')]);
  // One read: explain writes nothing and needs no budget.
  const { contacts } = await hubspotAdapter(env, OPEN_GATE).read([id], propertiesToPull(config));
  if (!contacts[0]) throw new CliError(`HubSpot has no contact ${id}`, EXIT.failure);
  return { id: contacts[0].id, properties: contacts[0].properties };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** The decision as a person reads it. */
export function renderDecision(contactId: string, d: LeadDecision, version: string, now: number, externalIdField: string): string {
  const s = d.score;
  const lines: string[] = [];
  lines.push(`Contact ${contactId} — as of ${new Date(now).toISOString()} (config ${version})`);
  lines.push(`Score ${s.score} → ${s.grade.toUpperCase()}`);
  for (const c of s.components) {
    let note = '';
    if (c.decay) {
      note =
        c.decay.recencyFrom === 'undated'
          ? ` (${signed(c.basePoints)} × ${c.decay.factor}: no date, never counts as fresh)`
          : ` (${signed(c.basePoints)} × ${c.decay.factor.toFixed(2)}: ${c.decay.ageDays} days old, half-life ${c.decay.halfLifeDays} d, date from ${c.decay.recencyFrom === 'property' ? 'the contact' : 'a change leadloop saw'})`;
    }
    lines.push(`  ${c.category.padEnd(10)} ${signed(c.points).padStart(4)}  ${c.rule} — ${c.description}${note}`);
  }
  lines.push(`MQL: ${s.mql ? 'yes' : 'no'}; immediate source: ${s.immediateSource ? 'yes' : 'no'}`);
  if (s.vetoedBy) lines.push(`Hand-off: NO — vetoed by ${s.vetoedBy.rule}: ${s.vetoedBy.reason}`);
  else if (!s.handoff) lines.push('Hand-off: no — stays with marketing (nurture)');
  else lines.push(`Hand-off: YES (${s.handoffReason === 'immediate_source' ? 'immediate source' : 'marketing-qualified'})`);
  if (d.route) {
    const a = d.route.assignee;
    const who =
      a.kind === 'queue' ? `queue ${a.queue} (${a.salesforceQueue})` : a.kind === 'user' ? `${a.name ?? ''} <${a.email ?? a.salesforceUserId}>`.trim() : "the org's Salesforce assignment rules";
    lines.push(`Routing: ${who}, by rule ${d.route.rule} (offline: no account index, round robin from the start)`);
    for (const step of d.route.trace) lines.push(`  ${step.matched ? '✓' : '·'} ${step.rule}: ${step.why}`);
    for (const n of d.route.notify) lines.push(`  notify ${n.email} (${n.why})`);
    lines.push(`Salesforce Lead it would write (upsert by ${externalIdField}, Sforce-Auto-Assign: FALSE):`);
    for (const [field, value] of Object.entries(d.lead?.create ?? {})) lines.push(`  ${field}: ${JSON.stringify(value)}`);
    lines.push(`  OwnerId: ${a.kind === 'user' ? (a.salesforceUserId ?? `the Salesforce user ${a.email}`) : a.kind === 'queue' ? `the queue ${a.salesforceQueue}` : '(assignment rules decide)'}`);
    lines.push(d.tasks.length ? 'Tasks:' : 'Tasks: none (playbook)');
    for (const t of d.tasks) lines.push(`  ${t.subject} — due in ${Math.round(t.dueInMs / 60_000)} min, ${t.priority}, ${t.type}`);
  }
  return `${lines.join('\n')}\n`;
}
