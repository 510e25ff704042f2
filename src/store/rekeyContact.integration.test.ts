import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger, type Ledger } from './ledger.ts';
import { recordHandoffs } from './recordHandoff.ts';
import { rekeyContact } from './rekeyContact.ts';
import type { NewDecision } from './schema.ts';

// The ledger side of a HubSpot merge (applyPendingMerges in src/pipeline/handoffContacts.ts calls
// it for every merged-away contact), on an embedded PGlite of its own.

let dir: string;
let ledger: Ledger;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadloop-rekey-'));
  ledger = await openLedger({ dataDir: dir });
});
afterAll(async () => {
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

const decision = (contactId: string, handoffKey = 'first'): NewDecision => ({
  hubspot_contact_id: contactId,
  handoff_key: handoffKey,
  decided_at: new Date('2026-11-02T10:00:00Z'),
  config_version: 'cfg',
  score: 80,
  grade: 'hot',
  mql: true,
  handoff: true,
  reason: 'immediate_source',
  owner_kind: 'user',
  owner_id: '005000000000001AAA',
  owner_email: 'dana.whitfield@copperleaf.example',
  rule: null,
  notify: '[]',
  trace: '[]',
  salesforce_id: `00Q-of-${contactId}`,
  rotation_team: null,
  rotation_next: null,
});
const handoff = (contactId: string, handoffKey = 'first') => ({
  hubspot_contact_id: contactId,
  handoff_key: handoffKey,
  handed_off_at: new Date('2026-11-02T10:00:01Z'),
  salesforce_object: 'Lead' as const,
  salesforce_id: `00Q-of-${contactId}`,
  outcome: 'created' as const,
  owner_kind: 'user',
  owner_id: '005000000000001AAA',
  grade: 'hot',
  score: 80,
  reason: 'immediate_source',
  source: 'trade_show',
  campaign: null,
});
const seed = async (contactId: string, keys: string[] = ['first']) => {
  await ledger.db
    .insertInto('decisions')
    .values(keys.map((k) => decision(contactId, k)))
    .execute();
  await recordHandoffs(
    ledger.db,
    keys.map((k) => handoff(contactId, k)),
  );
};
const rows = async (table: 'decisions' | 'handoffs', ids: string[]) =>
  (await ledger.db.selectFrom(table).select(['hubspot_contact_id', 'handoff_key', 'salesforce_id']).where('hubspot_contact_id', 'in', ids).orderBy('handoff_key').execute()).map((r) => [
    r.hubspot_contact_id,
    r.handoff_key,
    r.salesforce_id,
  ]);

describe('rekeyContact: a merged-away contact’s ledger rows go to the survivor', () => {
  it('moves them as they are when the survivor has none', async () => {
    await seed('m1');
    expect(await rekeyContact(ledger.db, 'm1', 's1')).toEqual({ moved: true });
    expect(await rows('decisions', ['m1', 's1'])).toEqual([['s1', 'first', '00Q-of-m1']]);
    expect(await rows('handoffs', ['m1', 's1'])).toEqual([['s1', 'first', '00Q-of-m1']]);
  });

  it('moves them too when the survivor has its own: a clashing hand-off key becomes merged:<from>:<key>, the survivor’s own rows stay as they were', async () => {
    await seed('s2', ['first']);
    await seed('m2', ['first', 'requalified-2026-11']);
    expect(await rekeyContact(ledger.db, 'm2', 's2')).toEqual({ moved: true });
    const expected = [
      ['s2', 'first', '00Q-of-s2'],
      ['s2', 'merged:m2:first', '00Q-of-m2'],
      ['s2', 'requalified-2026-11', '00Q-of-m2'],
    ];
    expect(await rows('decisions', ['m2', 's2'])).toEqual(expected);
    expect(await rows('handoffs', ['m2', 's2'])).toEqual(expected);
    // A second call (a retried hand-off) finds nothing left to move.
    expect(await rekeyContact(ledger.db, 'm2', 's2')).toEqual({ moved: false });
    expect(await rows('decisions', ['m2', 's2'])).toEqual(expected);
  });

  it('follows a chain of merges (m3 into s3, then s3 into t3) without a clash', async () => {
    await seed('m3');
    await seed('s3');
    await seed('t3');
    await rekeyContact(ledger.db, 'm3', 's3');
    await rekeyContact(ledger.db, 's3', 't3');
    expect((await rows('decisions', ['m3', 's3', 't3'])).map((r) => r.slice(0, 2))).toEqual([
      ['t3', 'first'],
      ['t3', 'merged:m3:first'],
      ['t3', 'merged:s3:first'],
    ]);
  });
});
