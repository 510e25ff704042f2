import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../../test/support/postgres.ts';
import { LedgerUnavailable } from '../errors/index.ts';
import { openLedger, type Ledger } from './ledger.ts';
import { LedgerStore } from './ledger-store.ts';

const decision = {
  contactId: '5101',
  handoffKey: 'first',
  score: 87,
  grade: 'hot' as const,
  mql: true,
  reason: 'immediate_source',
  ownerKind: 'user' as const,
  ownerId: '005000000000001AAA',
  ownerEmail: 'dana.whitfield@copperleaf.example',
  rule: 'enterprise-na',
  notify: [{ email: 'victor.hale@copperleaf.example', why: 'deal above 2,000,000' }],
  trace: [{ rule: 'enterprise-na', matched: true, why: 'owner dana' }],
  rotation: { team: 'enterprise', next: 4 },
};
const at = { decidedAt: Date.parse('2026-11-02T10:00:00Z'), configVersion: 'cfg-aaa' };

function ledgerContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  let store: LedgerStore;
  beforeAll(async () => {
    ledger = await open();
    store = new LedgerStore(ledger.db);
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('stores the first decision for a contact and says so; a retry stores nothing and finds the first', async () => {
    expect(await store.recordDecisions([decision], at)).toEqual(new Set(['5101']));
    expect(await store.recordDecisions([{ ...decision, ownerEmail: 'someone.else@copperleaf.example', score: 12 }], at)).toEqual(new Set());
    const stands = (await store.findDecisions(['5101'], 'first')).get('5101')!;
    expect(stands).toMatchObject({
      contactId: '5101',
      grade: 'hot',
      notify: ['victor.hale@copperleaf.example'],
      landedId: null,
      assignee: { kind: 'user', email: 'dana.whitfield@copperleaf.example', salesforceUserId: '005000000000001AAA' },
    });
  });

  it('records a later hand-off of the same contact separately', async () => {
    expect(await store.recordDecisions([{ ...decision, handoffKey: 'requalified-2026-11', score: 55, grade: 'warm' }], at)).toEqual(new Set(['5101']));
    expect((await store.findDecisions(['5101'], 'first')).get('5101')?.grade).toBe('hot');
    expect((await store.findDecisions(['5101'], 'requalified-2026-11')).get('5101')?.grade).toBe('warm');
  });

  it('stores the Salesforce id once the write landed; the first landing stands', async () => {
    await store.setLandedIds(new Map([['5101', '00Q000000000001AAA']]), 'first');
    await store.setLandedIds(new Map([['5101', '00Q000000000099AAA']]), 'first');
    expect((await store.findDecisions(['5101', 'no-such-contact'], 'first')).get('5101')?.landedId).toBe('00Q000000000001AAA');
    expect((await store.findDecisions(['no-such-contact'], 'first')).size).toBe(0);
  });

  it('records a page of decisions in one statement, naming only those it stored', async () => {
    const won = await store.recordDecisions(
      [
        { ...decision, contactId: '6001' },
        { ...decision, contactId: '6002', ownerEmail: 'priya.raman@copperleaf.example' },
        { ...decision, contactId: '5101' },
      ],
      at,
    );
    expect(won).toEqual(new Set(['6001', '6002']));
    const found = await store.findDecisions(['6001', '6002', '5101', 'none'], 'first');
    expect([...found.keys()].sort()).toEqual(['5101', '6001', '6002']);
    expect(found.get('6002')!.assignee).toMatchObject({ email: 'priya.raman@copperleaf.example' });
  });

  it("rebuilds round-robin positions and the day's loads from the decisions", async () => {
    const state = await store.routingState('2026-11-02');
    expect(state.roundRobin).toEqual({ enterprise: 4 });
    expect(state.loadToday).toEqual({ 'dana.whitfield@copperleaf.example': 3, 'priya.raman@copperleaf.example': 1 });
    expect((await store.routingState('2026-11-03')).loadToday).toEqual({});
  });

  it('runs migrations idempotently at every start', async () => {
    // Closed first: the embedded ledger belongs to one open at a time (ledger-lock.integration.test.ts).
    await ledger.close();
    ledger = await open();
    expect((await new LedgerStore(ledger.db).findDecisions(['5101'], 'first')).size).toBe(1);
  });
}

describe('ledger on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-ledger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  ledgerContract(async () => {
    const ledger = await openLedger({ dataDir: dir });
    expect(ledger.kind).toBe('pglite');
    return ledger;
  });
});

const pgUp = await postgresAnswers();
if (!pgUp) console.warn(`PostgreSQL at ${TEST_DATABASE_URL} does not answer: ledger tests run on PGlite alone`);

describe.skipIf(!pgUp)('ledger on PostgreSQL', () => {
  const schema = uniqueSchema('ledger');
  afterAll(() => dropSchema(schema));
  ledgerContract(async () => {
    const ledger = await openLedger({ databaseUrl: TEST_DATABASE_URL, schema });
    expect(ledger.kind).toBe('postgres');
    return ledger;
  });
});

describe('ledger errors', () => {
  it('names host and port, not the password, when PostgreSQL is unreachable', async () => {
    const attempt = openLedger({ databaseUrl: 'postgres://leadloop:hunter2-secret@127.0.0.1:1/ledger' });
    await expect(attempt).rejects.toBeInstanceOf(LedgerUnavailable);
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('says the data folder is not writable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-ledger-'));
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'x');
    await expect(openLedger({ dataDir: join(notAFolder, 'data') })).rejects.toThrow(/not writable/);
    rmSync(dir, { recursive: true, force: true });
  });
});
