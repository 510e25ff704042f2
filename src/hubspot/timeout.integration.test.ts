import { afterEach, describe, expect, it } from 'vitest';
import { decideRetry } from '../queue/retry.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { batchReadContacts } from './batchReadContacts.ts';
import { createHubSpotClient } from './client.ts';
import { Unavailable } from '../errors/index.ts';
import { searchModifiedContacts } from './searchModifiedContacts.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const retryContext = { now: 0, hubspotDailyResetAt: () => 0 };

async function open(faults: { hangRate?: number }, timeoutMs: number) {
  sandbox = await startSandbox({ contacts: 30, faults: { hubspot: faults }, hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0 } });
  return createHubSpotClient({ accessToken: sandbox.connectionInfo().hubspot.accessToken, baseUrl: sandbox.url, timeoutMs });
}

describe('HubSpot request timeouts', () => {
  it('a call HubSpot never answers fails as UNAVAILABLE after the deadline, and the queue backs off', async () => {
    const client = await open({ hangRate: 1 }, 300);
    const started = Date.now();
    const error = await batchReadContacts(client, ['1', '2'], ['email']).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ status: 0, timeoutMs: 300 });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(5_000);
    expect(decideRetry(error, retryContext)).toEqual({ action: 'backoff', reason: 'timeout' });
    // One attempt: neither the SDK nor the client retried the hung call.
    expect(sandbox!.requestLog.snapshot().hubspot).toEqual({ 'contacts.batch.read': 1 });
  });

  it('a hung search times out the same way', async () => {
    const client = await open({ hangRate: 1 }, 300);
    const pull = async () => {
      for await (const page of searchModifiedContacts(client, { cursor: { at: 0, idsAtBoundary: [] }, until: Date.now(), properties: ['email'] })) void page;
    };
    await expect(pull()).rejects.toMatchObject({ code: 'UNAVAILABLE', system: 'hubspot', timeoutMs: 300 });
  });

  it('answered calls are unaffected by the deadline, also once it would have passed', async () => {
    const client = await open({}, 300);
    const ids = sandbox!.hubspot.store.all().map((c) => c.id);
    for (let i = 0; i < 5; i++) {
      const { contacts } = await batchReadContacts(client, ids.slice(i * 3, i * 3 + 3), ['email']);
      expect(contacts).toHaveLength(3);
    }
    // Longer than the deadline after the first call: a finished request's timer must not fire later.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await batchReadContacts(client, ids.slice(20, 21), ['email'])).contacts).toHaveLength(1);
  });
});
