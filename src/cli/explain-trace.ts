import type { Env } from '../config/env.ts';
import { LedgerUnavailable } from '../errors/index.ts';
import type { StoredTrace } from '../store/decisionTraces.ts';

type Landing = { object: 'Lead' | 'Contact'; salesforceId: string; outcome: string; handedOffAt: number };

/** A contact's stored traces with where each hand-off landed; `unavailable` says why the ledger could not be read (e.g. a running worker holds the embedded one). */
export type StoredExplanation = { traces: (StoredTrace & { landing?: Landing })[]; unavailable?: undefined } | { traces: []; unavailable: string };

/** Reads the ledger only (no Redis, no API). */
export async function readStoredExplanation(env: Env, contactId: string): Promise<StoredExplanation> {
  const [{ openLedger }, { landingsOf, tracesOf }] = await Promise.all([import('../store/ledger.ts'), import('../store/decisionTraces.ts')]);
  let ledger: Awaited<ReturnType<typeof openLedger>>;
  try {
    ledger = await openLedger({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir });
  } catch (error) {
    if (error instanceof LedgerUnavailable) return { traces: [], unavailable: error.message };
    throw error;
  }
  try {
    const [traces, landings] = await Promise.all([tracesOf(ledger.db, contactId), landingsOf(ledger.db, contactId)]);
    return {
      traces: traces.map((t) => {
        const landing = landings.get(t.handoffKey);
        return landing ? { ...t, landing } : t;
      }),
    };
  } finally {
    await ledger.close();
  }
}

const KIND: Record<StoredTrace['kind'], string> = { handoff: 'handed off', 'held-back': 'held back (qualified before install)', scored: 'scored, not handed off' };

/** The stored traces as a person reads them: version and time first, then how the decision was made and what it wrote where. */
export function renderStoredTraces(contactId: string, stored: StoredExplanation): string {
  const lines: string[] = [];
  if (stored.unavailable) return `Stored decision of ${contactId}: the ledger cannot be read now (${stored.unavailable})\n\n`;
  if (stored.traces.length === 0) return `Stored decision of ${contactId}: none in the ledger (never scored, or its trace is older than sync.yaml retention.traces)\n\n`;
  for (const t of stored.traces) {
    const s = t.trace.score;
    lines.push(`Stored decision of ${contactId} (${t.handoffKey}) — decided ${new Date(t.decidedAt).toISOString()} under config ${t.configVersion}: ${KIND[t.kind]}`);
    lines.push(`  Score ${s.score} → ${s.grade.toUpperCase()}; MQL ${s.mql ? 'yes' : 'no'}${s.vetoedBy ? `; vetoed by ${s.vetoedBy.rule}` : ''}`);
    for (const c of s.components) lines.push(`    ${c.category.padEnd(10)} ${String(c.points).padStart(4)}  ${c.rule}`);
    const accounts = Object.entries(t.trace.accounts);
    lines.push(`  Account match: ${accounts.length === 0 ? 'none' : accounts.map(([domain, a]) => `${domain} → account ${a.accountId}${a.ownerEmail ? ` (owner ${a.ownerEmail})` : ''}`).join('; ')}`);
    if (t.trace.route) {
      const a = t.trace.route.assignee;
      const who = a.kind === 'user' ? (a.email ?? a.salesforceUserId ?? '') : a.kind === 'queue' ? `queue ${a.queue}` : "the org's assignment rules";
      lines.push(`  Routing: ${who}, by rule ${t.trace.route.rule}`);
      for (const step of t.trace.route.steps) lines.push(`    ${step.matched ? '✓' : '·'} ${step.rule}: ${step.why}`);
    }
    const sf = t.trace.writes.salesforce;
    if (sf)
      lines.push(
        `  Salesforce: Lead upsert by ${sf.upsertBy} (${Object.keys(sf.fields).length} fields), ${sf.tasks.length} task${sf.tasks.length === 1 ? '' : 's'}${sf.tasks.length ? `: ${sf.tasks.map((x) => x.subject).join('; ')}` : ''}`,
      );
    if (t.landing) lines.push(`  Landed: ${t.landing.object} ${t.landing.salesforceId} (${t.landing.outcome}) at ${new Date(t.landing.handedOffAt).toISOString()}`);
    lines.push(
      `  HubSpot write-back: ${Object.entries(t.trace.writes.hubspot)
        .map(([p, v]) => `${p}=${v}`)
        .join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
