/**
 * `npm run bench -- simulate`: `config simulate` over 10,000 stored decisions (BENCH_SIMULATE_DECISIONS)
 * with a one-line change of the MQL threshold: traces built by the real decision code from seeded
 * contacts, stored in a fresh PGlite ledger, then the whole simulation (read, two replays, outcomes,
 * comparison) timed three times. Goal: under 5 s. JSON on the last line.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateChange } from '../src/cli/simulate.ts';
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { decide } from '../src/domain/decide.ts';
import { traceOf } from '../src/domain/trace/decision-trace.ts';
import { SeededRandom } from '../src/sandbox/rng.ts';
import { recordTraces } from '../src/store/decisionTraces.ts';
import { openLedger } from '../src/store/ledger.ts';
import { CONFIG_DIR } from './support.ts';

const DECISIONS = Number(process.env.BENCH_SIMULATE_DECISIONS ?? 10_000);
const RUNS = 3;
const GOAL_MS = 5_000;
const random = new SeededRandom(11);
const pick = <T>(xs: readonly T[]) => random.pick(xs);
const DAY = 86_400_000;
const START = Date.parse('2026-06-01T08:00:00Z');

const current = await loadConfigDirOrThrow(CONFIG_DIR);
const proposedDir = mkdtempSync(join(tmpdir(), 'leadloop-bench-simulate-config-'));
cpSync(CONFIG_DIR, proposedDir, { recursive: true });
const scoringFile = join(proposedDir, 'scoring.yaml');
const threshold = current.config.scoring.mql.min_score;
writeFileSync(scoringFile, readFileSync(scoringFile, 'utf8').replace(`min_score: ${threshold}`, `min_score: ${threshold + 10}`));
const proposed = await loadConfigDirOrThrow(proposedDir);
const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-bench-simulate-'));
const ledger = await openLedger({ dataDir, role: 'bench simulate' });
try {
  // Decisions 90 days long, about 110 a day, each with the trace the sync would store.
  for (let i = 0; i < DECISIONS; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, DECISIONS - i) }, (_, k) => {
      const n = i + k;
      const decidedAt = START + Math.floor((n * 90 * DAY) / DECISIONS);
      const properties: Record<string, string> = {
        email: `person${n}@${pick(['acme', 'globex', 'initech', 'umbrella', 'gmail', 'northwind'])}.example`,
        firstname: 'Alex',
        lastname: `Tester${n}`,
        jobtitle: pick(['VP of Sales', 'Analyst', 'Head of Data', 'Student', 'Marketing Manager', 'CTO']),
        company: `Company ${n % 500}`,
        country: pick(['United States', 'Germany', 'France', 'Canada', 'Japan', 'United Kingdom']),
        industry: pick(['COMPUTER_SOFTWARE', 'BANKING', 'RETAIL', 'MANUFACTURING']),
        numemployees: pick(['1-5', '25-50', '100-500', '500-1000', '1000+']),
        lead_source: pick(['trade_show', 'web_form', 'webinar', 'demo_request', 'paid_ads', 'organic_search']),
        demo_watched: pick(['full', 'partial', '']),
        demo_watched_date: new Date(decidedAt - random.int(0, 60) * DAY).toISOString(),
        hs_analytics_num_page_views: String(random.int(0, 40)),
        hs_analytics_last_visit_timestamp: String(decidedAt - random.int(0, 90) * DAY),
        bant_budget: pick(['approved', 'none', 'unknown']),
        bant_need: pick(['urgent', 'exploring']),
        estimated_deal_size: String(random.int(10_000, 3_000_000)),
      };
      const decision = decide({ id: String(n), properties }, {}, current.config, { now: decidedAt, roundRobin: {}, loadToday: {}, accountByDomain: () => undefined });
      return {
        decidedAt,
        record: {
          contactId: String(100_000 + n),
          handoffKey: 'first',
          kind: decision.score.handoff ? ('handoff' as const) : ('scored' as const),
          inputs: { properties, history: {} },
          trace: traceOf(decision, properties, current.config, () => undefined),
        },
      };
    });
    for (const { decidedAt, record } of batch) await recordTraces(ledger.db, [record], { decidedAt, configVersion: current.version });
  }
  const timings: number[] = [];
  let last: Awaited<ReturnType<typeof simulateChange>> | undefined;
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    last = await simulateChange(ledger.db, { dir: CONFIG_DIR, ...current }, { dir: proposedDir, ...proposed }, {});
    timings.push(Math.round(performance.now() - started));
    console.error(`run ${r + 1}: ${timings.at(-1)} ms`);
  }
  const d = last!.diff;
  console.log(
    JSON.stringify({
      decisions: d.decisions,
      change: `mql.min_score ${threshold} → ${threshold + 10}`,
      simulateMs: timings,
      bestMs: Math.min(...timings),
      goalMs: GOAL_MS,
      mql: { current: d.mql.current, proposed: d.mql.proposed, lost: d.mql.lost.length },
      handoffs: { current: d.handoffs.current, proposed: d.handoffs.proposed },
      reassigned: d.reassigned.length,
    }),
  );
} finally {
  await ledger.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(proposedDir, { recursive: true, force: true });
}
