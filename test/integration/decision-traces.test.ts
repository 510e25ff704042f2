import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../support/postgres.ts';
import { simulateChange } from '../../src/cli/simulate.ts';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import { decide } from '../../src/domain/decide.ts';
import { score } from '../../src/domain/scoring/score.ts';
import type { TraceRecord } from '../../src/domain/trace/batch-traces.ts';
import { traceOf } from '../../src/domain/trace/decision-trace.ts';
import { findConfigVersion, recordConfigVersion } from '../../src/store/configVersions.ts';
import { tracesOf } from '../../src/store/decisionTraces.ts';
import { openLedger, type Ledger } from '../../src/store/ledger.ts';
import { LedgerStore } from '../../src/store/ledger-store.ts';

const CONFIG_DIR = join(import.meta.dirname, '../../config');
const DAY = 86_400_000;
const T0 = Date.parse('2026-09-01T09:00:00Z');
const shipped = await loadConfigDirOrThrow(CONFIG_DIR);

/** Contacts spread over the scores around the MQL threshold, none from an immediate source. */
function contactInputs(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: String(7000 + i),
    properties: {
      email: `buyer${i}@firm${i % 7}.example`,
      firstname: 'Sam',
      lastname: `Buyer${i}`,
      company: `Firm ${i % 7}`,
      jobtitle: ['VP of Sales', 'Analyst', 'Head of Data', 'CTO', 'Marketing Manager'][i % 5]!,
      country: ['United States', 'Germany', 'Canada'][i % 3]!,
      numemployees: ['25-50', '100-500', '500-1000', '1000+'][i % 4]!,
      industry: ['COMPUTER_SOFTWARE', 'BANKING', 'RETAIL'][i % 3]!,
      lead_source: ['web_form', 'webinar', 'organic_search'][i % 3]!,
      demo_watched: ['full', 'partial', ''][i % 3]!,
      demo_watched_date: new Date(T0 - (i % 20) * DAY).toISOString(),
      hs_analytics_num_page_views: String((i * 7) % 40),
      hs_analytics_last_visit_timestamp: String(T0 - (i % 30) * DAY),
      bant_budget: ['approved', 'none', 'unknown'][i % 3]!,
      bant_need: ['urgent', 'exploring'][i % 2]!,
      estimated_deal_size: String(50_000 + i * 10_000),
    },
  }));
}

/** A trace as the sync stores it; a shared `rotation` carries the round robin and loads from one decision to the next, as the sync does. */
function traceRecord(
  contact: { id: string; properties: Record<string, string> },
  at: number,
  rotation: { roundRobin: Record<string, number>; loadToday: Record<string, number> } = { roundRobin: {}, loadToday: {} },
): TraceRecord {
  const decision = decide({ id: contact.id, properties: contact.properties }, {}, shipped.config, { now: at, ...rotation, accountByDomain: () => undefined });
  if (decision.score.handoff && decision.route) {
    if (decision.route.roundRobin) rotation.roundRobin[decision.route.roundRobin.team] = decision.route.roundRobin.next;
    const a = decision.route.assignee;
    if (a.kind === 'user' && a.email) rotation.loadToday[a.email.toLowerCase()] = (rotation.loadToday[a.email.toLowerCase()] ?? 0) + 1;
  }
  return {
    contactId: contact.id,
    handoffKey: 'first',
    kind: decision.score.handoff ? 'handoff' : 'scored',
    inputs: { properties: contact.properties, history: {} },
    trace: traceOf(decision, contact.properties, shipped.config, () => undefined),
  };
}

function tracesContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  let store: LedgerStore;
  beforeAll(async () => {
    ledger = await open();
    store = new LedgerStore(ledger.db);
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('keeps each config version once, with its files and when it was first seen', async () => {
    await recordConfigVersion(ledger.db, shipped.version, shipped.files, T0);
    await recordConfigVersion(ledger.db, shipped.version, { 'scoring.yaml': 'changed' }, T0 + DAY);
    const stored = await findConfigVersion(ledger.db, shipped.version);
    expect(stored).toEqual({ version: shipped.version, files: shipped.files, firstSeenAt: T0 });
    expect(Object.keys(stored!.files).sort()).toEqual(['mapping.yaml', 'routing.yaml', 'scoring.yaml', 'sync.yaml']);
  });

  it("stores a hand-off's trace once; a scored-only trace is replaced by the next evaluation, then by the hand-off's", async () => {
    const [contact] = contactInputs(1);
    const scored = { ...traceRecord(contact!, T0), kind: 'scored' as const };
    await store.recordTraces([scored], { decidedAt: T0, configVersion: 'v1' });
    await store.recordTraces([scored], { decidedAt: T0 + 1_000, configVersion: 'v2' });
    expect((await tracesOf(ledger.db, contact!.id)).map((t) => [t.kind, t.configVersion, t.decidedAt])).toEqual([['scored', 'v2', T0 + 1_000]]);
    await store.recordTraces([{ ...scored, kind: 'handoff' }], { decidedAt: T0 + 2_000, configVersion: 'v3' });
    await store.recordTraces([scored], { decidedAt: T0 + 3_000, configVersion: 'v4' });
    const [stored] = await tracesOf(ledger.db, contact!.id);
    expect(stored).toMatchObject({ kind: 'handoff', configVersion: 'v3', decidedAt: T0 + 2_000, inputs: { properties: { email: contact!.properties.email } } });
    expect(stored!.trace.score.components.length).toBeGreaterThan(0);
  });

  it('retention deletes old traces only; the decision rows stay for the reports', async () => {
    await store.recordDecisions(
      [
        {
          contactId: '8001',
          handoffKey: 'first',
          score: 80,
          grade: 'hot',
          mql: true,
          reason: 'mql',
          ownerKind: 'user',
          ownerId: null,
          ownerEmail: 'a@x.example',
          rule: 'r',
          notify: [],
          trace: [],
          rotation: null,
        },
      ],
      { decidedAt: T0 - 200 * DAY, configVersion: 'old' },
    );
    const [old, recent] = contactInputs(2).map((c, i) => ({ ...traceRecord(c, T0), contactId: `800${i + 1}` }));
    await store.recordTraces([old!], { decidedAt: T0 - 200 * DAY, configVersion: 'old' });
    await store.recordTraces([recent!], { decidedAt: T0 - DAY, configVersion: 'new' });
    expect(await store.pruneTraces(T0 - 90 * DAY)).toBe(1);
    expect(await tracesOf(ledger.db, '8001')).toEqual([]);
    expect(await tracesOf(ledger.db, '8002')).toHaveLength(1);
    const decision = await ledger.db.selectFrom('decisions').selectAll().where('hubspot_contact_id', '=', '8001').executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ score: 80, grade: 'hot', owner_email: 'a@x.example', rule: 'r', config_version: 'old' });
  });

  it("a merge moves the merged-away contact's traces to the survivor, beside the survivor's own", async () => {
    const [a, b] = contactInputs(2);
    await store.recordTraces([{ ...traceRecord(a!, T0), contactId: '8101' }], { decidedAt: T0 - 2 * DAY, configVersion: 'v1' });
    await store.recordTraces([{ ...traceRecord(b!, T0), contactId: '8102' }], { decidedAt: T0 - DAY, configVersion: 'v1' });
    await store.rekeyContact('8101', '8102');
    expect(await tracesOf(ledger.db, '8101')).toEqual([]);
    expect((await tracesOf(ledger.db, '8102')).map((t) => t.handoffKey).sort()).toEqual(['first', 'merged:8101:first']);
  });

  it("a privacy deletion erases the contact's traces", async () => {
    expect(await tracesOf(ledger.db, '8002')).toHaveLength(1);
    await store.purgeContact('8002');
    expect(await tracesOf(ledger.db, '8002')).toEqual([]);
  });

  it('simulate: a raised MQL threshold loses exactly the MQLs scored between the two thresholds, and names their deals', async () => {
    const contacts = contactInputs(120);
    const rotation = { roundRobin: {}, loadToday: {} };
    for (const [i, c] of contacts.entries()) await store.recordTraces([traceRecord(c, T0 + i * 60_000, rotation)], { decidedAt: T0 + i * 60_000, configVersion: shipped.version });
    const threshold = shipped.config.scoring.mql.min_score;
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-simulate-config-'));
    try {
      cpSync(CONFIG_DIR, dir, { recursive: true });
      const scoring = readFileSync(join(dir, 'scoring.yaml'), 'utf8');
      expect(scoring).toContain(`min_score: ${threshold}`);
      writeFileSync(join(dir, 'scoring.yaml'), scoring.replace(`min_score: ${threshold}`, `min_score: ${threshold + 10}`));
      const proposed = await loadConfigDirOrThrow(dir);
      const expectedLost = contacts
        .filter((c, i) => {
          const s = score({ id: c.id, properties: c.properties }, {}, shipped.config.scoring, T0 + i * 60_000);
          return s.mql && s.score < threshold + 10;
        })
        .map((c) => c.id)
        .sort();
      expect(expectedLost.length).toBeGreaterThan(0);
      // One of them won a deal: it shows among the outcomes of the hand-offs lost.
      const lostOne = expectedLost[0]!;
      await ledger.db
        .insertInto('opportunities')
        .values({
          opportunity_id: '006SIM0001',
          name: 'Sim deal',
          account_id: null,
          stage: 'Closed Won',
          is_closed: true,
          is_won: true,
          outcome: 'won',
          reopened: false,
          times_closed: 1,
          closed_at: new Date(T0 + 30 * DAY),
          amount: 42_000,
          currency: 'USD',
          close_date: '2026-10-01',
          loss_reason: null,
          competitor: null,
          competitors_met: '[]',
          campaign_id: null,
          attributed_source: null,
          attributed_campaign: null,
          link_path: 'converted-lead',
          deleted_at: null,
          system_modstamp: new Date(T0 + 30 * DAY),
          updated_at: new Date(T0 + 30 * DAY),
        })
        .execute();
      await ledger.db.insertInto('opportunity_contacts').values({ opportunity_id: '006SIM0001', hubspot_contact_id: lostOne, link_path: 'converted-lead' }).execute();
      const result = await simulateChange(ledger.db, { dir: CONFIG_DIR, ...shipped }, { dir, ...proposed }, { since: T0 });
      expect(result.diff.decisions).toBe(120);
      expect(result.diff.mql.lost).toEqual(expectedLost);
      expect(result.diff.mql.gained).toEqual([]);
      expect(result.diff.mql.proposed).toBe(result.diff.mql.current - expectedLost.length);
      expect(result.diff.handoffs.lost).toEqual(expectedLost);
      const lostOutcomes = result.diff.outcomes.find((o) => o.change === 'handoff-lost')!;
      expect(lostOutcomes).toMatchObject({ contacts: expectedLost.length, won: 1, wonAmount: { USD: 42_000 } });
      // Replayed under the config the traces were made with, every decision is as recorded.
      expect(result.diff.asRecorded).toBe(120);
      // --last takes the latest decisions.
      expect((await simulateChange(ledger.db, { dir: CONFIG_DIR, ...shipped }, { dir, ...proposed }, { last: 10 })).diff.decisions).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

describe('decision traces and config versions on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-traces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  tracesContract(() => openLedger({ dataDir: dir }));
});

const pgUp = await postgresAnswers();

describe.skipIf(!pgUp)('decision traces and config versions on PostgreSQL', () => {
  const schema = uniqueSchema('traces');
  afterAll(() => dropSchema(schema));
  tracesContract(() => openLedger({ databaseUrl: TEST_DATABASE_URL, schema }));
});
