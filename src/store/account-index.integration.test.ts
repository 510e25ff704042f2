import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountIndexTable } from './account-index.ts';
import { openLedger, type Ledger } from './ledger.ts';

const account = (accountId: string, domain: string | null, modifiedAt: number, ownerId = '005A') => ({ accountId, domain, ownerId, modifiedAt });

describe('AccountIndexTable (embedded ledger)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-accounts-'));
  let ledger: Ledger;
  let index: AccountIndexTable;
  beforeAll(async () => {
    ledger = await openLedger({ dataDir: dir });
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const fresh = async () => {
    await ledger.db.deleteFrom('account_index').execute();
    await ledger.db.deleteFrom('account_index_state').execute();
    index = new AccountIndexTable(ledger.db);
  };

  it('applies changes incrementally: a new website moves the account, a cleared one removes it; only the asked domains are read', async () => {
    await fresh();
    expect(await index.cursor()).toBeUndefined();
    await index.apply([account('001A', 'acme.example', 1), account('001B', 'globex.example', 1)], 10);
    await index.finish({ since: 1, fullAt: 10 }, { full: true, pulledAt: 10 });
    await index.apply([account('001A', 'acme.io', 2, '005B'), account('001B', null, 2)], 20);
    await index.finish({ since: 2, fullAt: 10 }, { full: false, pulledAt: 20 });
    expect(await index.lookup(['acme.io', 'acme.example', 'globex.example', 'unknown.example'])).toEqual(new Map([['acme.io', { accountId: '001A', ownerId: '005B' }]]));
    expect(await index.cursor()).toEqual({ since: 2, fullAt: 10 });
  });

  it('where two accounts share a domain, the one changed last answers', async () => {
    await fresh();
    await index.apply([account('001A', 'shared.example', 1), account('001C', 'shared.example', 5, '005C')], 10);
    expect((await index.lookup(['shared.example'])).get('shared.example')).toEqual({ accountId: '001C', ownerId: '005C' });
  });

  it('a full pull removes the accounts it did not see (deleted in Salesforce); an incremental one keeps them', async () => {
    await fresh();
    await index.apply([account('001A', 'acme.example', 1), account('001D', 'deleted.example', 1)], 10);
    await index.finish({ since: 1, fullAt: 10 }, { full: true, pulledAt: 10 });
    await index.apply([account('001A', 'acme.example', 1)], 20);
    await index.finish({ since: 1, fullAt: 10 }, { full: false, pulledAt: 20 });
    expect([...(await index.lookup(['acme.example', 'deleted.example'])).keys()].sort()).toEqual(['acme.example', 'deleted.example']);
    await index.apply([account('001A', 'acme.example', 1)], 30);
    await index.finish({ since: 1, fullAt: 30 }, { full: true, pulledAt: 30 });
    expect([...(await index.lookup(['acme.example', 'deleted.example'])).keys()]).toEqual(['acme.example']);
  });
});
