import { afterEach, describe, expect, it } from 'vitest';
import { Unavailable } from '../../src/errors/index.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { sandboxApp, type SandboxApp } from '../support/pipeline.ts';

let sandbox: Sandbox | undefined;
let app: SandboxApp | undefined;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
afterEach(async () => {
  process.off('uncaughtException', onUncaught);
  await app?.close();
  await sandbox?.close();
  app = undefined;
  sandbox = undefined;
  uncaught.length = 0;
});

describe('a Salesforce answer whose body never arrives whole', () => {
  it('a body that stalls halfway fails as UNAVAILABLE at the deadline, and the socket is closed', async () => {
    // Every call is answered with its headers and half its body, then nothing more.
    sandbox = await startSandbox({ contacts: 0, seed: 2, faults: { salesforce: { stallBodyRate: 1 } } });
    app = await sandboxApp(sandbox, { label: 'stall', salesforceTimeoutMs: 300, setup: false });
    const pending = app.salesforce.directory().catch((e: unknown) => e);
    await expect.poll(() => sandbox!.openStalls(), { timeout: 3_000 }).toBeGreaterThan(0);
    const error = await pending;
    expect(error).toBeInstanceOf(Unavailable);
    // The client gave the connection up: the sandbox sees it close.
    await expect.poll(() => sandbox!.openStalls(), { timeout: 3_000 }).toBe(0);
  });

  it('a body cut halfway fails as UNAVAILABLE, with no uncaught error', async () => {
    process.on('uncaughtException', onUncaught);
    sandbox = await startSandbox({ contacts: 0, seed: 2, faults: { salesforce: { cutBodyRate: 1 } } });
    app = await sandboxApp(sandbox, { label: 'cut', salesforceTimeoutMs: 2_000, setup: false });
    const started = Date.now();
    const error = await app.salesforce.directory().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    // Failed as the connection closed, not at the deadline.
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
  });
});

describe('a HubSpot answer whose body never arrives whole', () => {
  it('stalled or cut, it fails as UNAVAILABLE with no uncaught error, and no socket stays open', async () => {
    process.on('uncaughtException', onUncaught);
    sandbox = await startSandbox({ contacts: 5, seed: 2, faults: { hubspot: { stallBodyRate: 0.5, cutBodyRate: 0.5 } } });
    app = await sandboxApp(sandbox, { label: 'hs-partial', hubspotTimeoutMs: 300, setup: false });
    for (let i = 0; i < 4; i++) {
      const error = await app.hubspot.count().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unavailable);
    }
    await expect.poll(() => sandbox!.openStalls(), { timeout: 3_000 }).toBe(0);
    expect(uncaught).toEqual([]);
  });
});
