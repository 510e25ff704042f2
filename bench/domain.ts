/**
 * Score + route throughput on one core, with the shipped config: how many leads a second the
 * pure decision (score, grade, hand-off, owner, Salesforce fields, tasks) takes. JSON last line.
 */
import { loadConfigDirOrThrow } from '../src/config/load.ts';
import { decide } from '../src/domain/decide.ts';
import { score } from '../src/domain/scoring/score.ts';
import { route } from '../src/domain/routing/route.ts';
import { SeededRandom } from '../src/sandbox/rng.ts';

const { config } = await loadConfigDirOrThrow(new URL('../config', import.meta.url).pathname);
const random = new SeededRandom(7);
const NOW = Date.parse('2026-11-24T15:00:00Z');
const day = 86_400_000;
const pick = <T>(xs: readonly T[]) => random.pick(xs);

const contacts = Array.from({ length: 20_000 }, (_, i) => ({
  id: String(1000 + i),
  properties: {
    email: `person${i}@${pick(['acme', 'globex', 'initech', 'umbrella', 'gmail', 'northwind'])}.example`,
    firstname: 'Alex',
    lastname: `Tester${i}`,
    jobtitle: pick(['VP of Sales', 'Analyst', 'Head of Data', 'Student', 'Marketing Manager', 'CTO']),
    company: `Company ${i % 500}`,
    country: pick(['United States', 'Germany', 'France', 'Canada', 'Japan', 'United Kingdom']),
    industry: pick(['COMPUTER_SOFTWARE', 'BANKING', 'RETAIL', 'MANUFACTURING']),
    numemployees: pick(['1-5', '25-50', '100-500', '500-1000', '1000+']),
    lead_source: pick(['trade_show', 'web_form', 'webinar', 'demo_request', 'paid_ads']),
    lead_source_detail: pick(['SaaStr Annual 2026', 'Pricing page form', 'Modern BI webinar']),
    demo_watched: pick(['full', 'partial', '']),
    demo_watched_date: new Date(NOW - random.int(0, 60) * day).toISOString(),
    hs_analytics_num_page_views: String(random.int(0, 40)),
    hs_analytics_last_visit_timestamp: String(NOW - random.int(0, 90) * day),
    bant_budget: pick(['approved', 'none', 'unknown']),
    bant_need: pick(['urgent', 'exploring']),
    estimated_deal_size: String(random.int(10_000, 3_000_000)),
  },
}));
const context = { now: NOW, roundRobin: {}, loadToday: {}, accountByDomain: () => undefined };

function measure(label: string, fn: (c: (typeof contacts)[number]) => unknown): number {
  for (let i = 0; i < 5_000; i++) fn(contacts[i % contacts.length]!); // warm-up
  const rounds = 5;
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (const c of contacts) fn(c);
    best = Math.max(best, contacts.length / ((performance.now() - started) / 1000));
  }
  console.error(`${label}: ${Math.round(best).toLocaleString('en-US')} leads/s`);
  return Math.round(best);
}

const scoreOnly = measure('score', (c) => score(c, {}, config.scoring, NOW));
const scoreAndRoute = measure('score + route', (c) => {
  const s = score(c, {}, config.scoring, NOW);
  return route({ id: c.id, properties: c.properties, grade: s.grade, score: s.score }, config.routing, context);
});
const fullDecision = measure('full decision (score, route, lead fields, tasks)', (c) => decide(c, {}, config, context));
console.log(JSON.stringify({ leads: contacts.length, scorePerSecond: scoreOnly, scoreAndRoutePerSecond: scoreAndRoute, fullDecisionPerSecond: fullDecision, goalScoreAndRoutePerSecond: 50_000 }));
