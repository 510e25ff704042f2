import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../queue/test-redis.ts';
import { AccountIndexStore } from './account-index.ts';

const redis = testConnection();
const prefixes: string[] = [];
const store = () => {
  const prefix = uniqueTestPrefix('accounts');
  prefixes.push(prefix);
  return new AccountIndexStore(redis, prefix);
};
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deleteKeysWithPrefix(redis, p);
});

const account = (accountId: string, domain: string | null, ownerId = '005A') => ({ accountId, domain, ownerId, modifiedAt: 0 });

describe('AccountIndexStore', () => {
  it('applies changes incrementally: a new website moves the account, a cleared one removes it', async () => {
    const index = store();
    await index.apply([account('001A', 'acme.example'), account('001B', 'globex.example')], { since: 1, fullAt: 1 }, { full: true });
    await index.apply([account('001A', 'acme.io', '005B'), account('001B', null)], { since: 2, fullAt: 1 }, { full: false });
    expect(await index.load()).toEqual(new Map([['acme.io', { accountId: '001A', ownerId: '005B' }]]));
    expect(await index.cursor()).toEqual({ since: 2, fullAt: 1 });
  });

  it('does not drop a domain another account holds now', async () => {
    const index = store();
    await index.apply([account('001A', 'shared.example')], { since: 1, fullAt: 1 }, { full: true });
    await index.apply([account('001C', 'shared.example', '005C')], { since: 2, fullAt: 1 }, { full: false });
    await index.apply([account('001A', 'a-new.example')], { since: 3, fullAt: 1 }, { full: false });
    expect((await index.load()).get('shared.example')).toEqual({ accountId: '001C', ownerId: '005C' });
  });

  it('a full pull replaces the index, forgetting deleted accounts', async () => {
    const index = store();
    await index.apply([account('001A', 'acme.example'), account('001D', 'deleted.example')], { since: 1, fullAt: 1 }, { full: true });
    await index.apply([account('001A', 'acme.example')], { since: 5, fullAt: 5 }, { full: true });
    expect([...(await index.load()).keys()]).toEqual(['acme.example']);
  });
});
