import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAnswers, TEST_DATABASE_URL, uniqueSchema } from '../../test/support/postgres.ts';
import { LedgerUnavailable } from '../errors/index.ts';
import { findDecision, findDecisions, setDecisionSalesforceIds } from './findDecision.ts';
import { openLedger, type Ledger } from './ledger.ts';
import { recordDecision, recordDecisions } from './recordDecision.ts';

const decision = {
  hubspot_contact_id: '5101',
  decided_at: new Date('2026-11-02T10:00:00Z'),
  config_version: 'cfg-aaa',
  score: 87,
  grade: 'hot' as const,
  mql: true,
  handoff: true,
  reason: 'immediate_source',
  owner_kind: 'user' as const,
  owner_id: '005000000000001AAA',
  owner_email: 'dana.whitfield@copperleaf.example',
  rule: 'enterprise-na',
  notify: [{ email: 'victor.hale@copperleaf.example', why: 'deal above 2,000,000' }],
  trace: [{ rule: 'enterprise-na', matched: true }],
  salesforce_id: null,
};

function ledgerContract(open: () => Promise<Ledger>) {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await open();
  });
  afterAll(async () => {
    await ledger?.close();
  });

  it('keeps the first decision for a contact and hands it back on a retry', async () => {
    const first = await recordDecision(ledger.db, decision);
    const retry = await recordDecision(ledger.db, { ...decision, owner_email: 'someone.else@copperleaf.example', score: 12 });
    expect(retry.id).toBe(first.id);
    expect(retry.owner_email).toBe('dana.whitfield@copperleaf.example');
    expect(retry.score).toBe(87);
    expect(retry.notify).toEqual(decision.notify);
    expect(retry.trace).toEqual(decision.trace);
  });

  it('records a later hand-off of the same contact separately', async () => {
    const second = await recordDecision(ledger.db, { ...decision, handoff_key: 'requalified-2026-11', score: 55, grade: 'warm' });
    expect(second.grade).toBe('warm');
    expect((await findDecision(ledger.db, '5101'))?.grade).toBe('hot');
  });

  it('stores the Salesforce id once the write landed', async () => {
    await setDecisionSalesforceIds(ledger.db, new Map([['5101', '00Q000000000001AAA']]));
    expect((await findDecision(ledger.db, '5101'))?.salesforce_id).toBe('00Q000000000001AAA');
    expect(await findDecision(ledger.db, 'no-such-contact')).toBeUndefined();
  });

  it('records, finds and completes a page of decisions in one statement each; a decision that stands is kept', async () => {
    await recordDecisions(ledger.db, [
      { ...decision, hubspot_contact_id: '6001' },
      { ...decision, hubspot_contact_id: '6002', owner_email: 'priya.raman@copperleaf.example' },
      { ...decision, hubspot_contact_id: '5101', owner_email: 'someone.else@copperleaf.example' },
    ]);
    const found = await findDecisions(ledger.db, ['6001', '6002', '5101', 'none']);
    expect([...found.keys()].sort()).toEqual(['5101', '6001', '6002']);
    expect(found.get('5101')!.owner_email).toBe('dana.whitfield@copperleaf.example');
    expect(found.get('6002')!.notify).toEqual(decision.notify);
    await setDecisionSalesforceIds(ledger.db, new Map([['6001', '00Q000000000061AAA'], ['5101', '00Q000000000099AAA']]));
    const after = await findDecisions(ledger.db, ['6001', '6002', '5101']);
    expect(after.get('6001')!.salesforce_id).toBe('00Q000000000061AAA');
    expect(after.get('6002')!.salesforce_id).toBeNull();
    // Already set earlier: the first landing stands.
    expect(after.get('5101')!.salesforce_id).toBe('00Q000000000001AAA');
  });

  it('runs migrations idempotently at every start', async () => {
    const again = await open();
    try {
      expect(await findDecision(again.db, '5101')).toBeDefined();
    } finally {
      await again.close();
    }
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
