import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../../test/support/postgres.ts';
import { contactsDueForReview, cursorAfter, type ReviewCursor } from './contactsDueForReview.ts';
import { forgetContactScores } from './forgetContactScores.ts';
import { openLedger, type Ledger } from './ledger.ts';
import { recordScores } from './recordScores.ts';
import type { NewContactScore } from './schema.ts';

const NOW = Date.parse('2026-11-27T03:00:00Z');
const HOUR = 3_600_000;

const row = (id: string, reviewInHours: number | null, extra: Partial<NewContactScore> = {}): NewContactScore => ({
  hubspot_contact_id: id,
  score: 64,
  grade: 'warm',
  mql: true,
  scored_at: new Date(NOW - 24 * HOUR),
  config_version: 'cfg-aaa',
  review_at: reviewInHours === null ? null : new Date(NOW + reviewInHours * HOUR),
  ...extra,
});

function contactScoresContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await open();
  });
  afterAll(async () => {
    await ledger?.close();
  });
  const all = () => ledger.db.selectFrom('contact_scores').selectAll().orderBy('hubspot_contact_id').execute();

  it('upserts a page in one go, and a later score replaces the row while an older one does not', async () => {
    await recordScores(ledger.db, [row('101', -5), row('102', null), row('103', 10)]);
    expect(await all()).toHaveLength(3);
    await recordScores(ledger.db, [row('101', 48, { score: 52, grade: 'warm', mql: false, scored_at: new Date(NOW) }), row('102', -1, { scored_at: new Date(NOW - 48 * HOUR), grade: 'hot' })]);
    const [a, b] = await all();
    expect(a).toMatchObject({ hubspot_contact_id: '101', score: 52, mql: false, scored_at: new Date(NOW), review_at: new Date(NOW + 48 * HOUR) });
    // The older write (scored 48 h ago) lost to the row scored 24 h ago.
    expect(b).toMatchObject({ hubspot_contact_id: '102', grade: 'warm', review_at: null });
    await recordScores(ledger.db, []);
  });

  it('lists only the contacts due by now, oldest review first, and pages by keyset without repeats or gaps', async () => {
    await ledger.db.deleteFrom('contact_scores').execute();
    // 25 due (some sharing one review_at), 5 due later, 5 never.
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => row(`c${String(i).padStart(2, '0')}`, -(i % 4))),
      ...Array.from({ length: 5 }, (_, i) => row(`later${i}`, 1 + i)),
      ...Array.from({ length: 5 }, (_, i) => row(`never${i}`, null)),
    ];
    await recordScores(ledger.db, rows);
    const seen: string[] = [];
    let after: ReviewCursor | undefined;
    for (;;) {
      const page = await contactsDueForReview(ledger.db, { now: NOW, limit: 7, ...(after ? { after } : {}) });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(7);
      seen.push(...page.map((p) => p.hubspot_contact_id));
      after = cursorAfter(page);
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen.every((id) => id.startsWith('c'))).toBe(true);
    // Oldest review first: the ones due 3 hours ago lead.
    expect(seen.slice(0, 6)).toEqual(['c03', 'c07', 'c11', 'c15', 'c19', 'c23']);
  });

  it('a contact re-graded while the pages are read drops out; one still due behind the cursor is not read twice', async () => {
    const first = await contactsDueForReview(ledger.db, { now: NOW, limit: 10 });
    await recordScores(
      ledger.db,
      first.slice(0, 5).map((d) => row(d.hubspot_contact_id, 72, { scored_at: new Date(NOW) })),
    );
    const rest = await contactsDueForReview(ledger.db, { now: NOW, limit: 100, after: cursorAfter(first)! });
    expect(rest).toHaveLength(15);
    expect(rest.some((r) => first.some((f) => f.hubspot_contact_id === r.hubspot_contact_id))).toBe(false);
    expect(await contactsDueForReview(ledger.db, { now: NOW, limit: 100 })).toHaveLength(20);
  });

  it('forgets deleted contacts', async () => {
    expect(await forgetContactScores(ledger.db, ['c00', 'c01', 'no-such-contact'])).toBe(2);
    expect(await forgetContactScores(ledger.db, [])).toBe(0);
    expect((await all()).some((r) => r.hubspot_contact_id === 'c00')).toBe(false);
  });
}

describe('contact scores on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-scores-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  contactScoresContract(() => openLedger({ dataDir: dir }));
});

const pgUp = await postgresAnswers();
if (!pgUp) console.warn(`PostgreSQL at ${TEST_DATABASE_URL} does not answer: contact score tests run on PGlite alone`);

describe.skipIf(!pgUp)('contact scores on PostgreSQL', () => {
  const schema = uniqueSchema('scores');
  afterAll(() => dropSchema(schema));
  contactScoresContract(() => openLedger({ databaseUrl: TEST_DATABASE_URL, schema }));
});
