import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { compose, type App, type ComposeOptions } from '../../src/app.ts';
import { loadEnv } from '../../src/config/env.ts';
import { SHIPPED_CONFIG_DIR } from './config.ts';
import { setupHubSpot } from '../../src/pipeline/setup.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from './redis.ts';
import { createSandboxClock, type SandboxClock, type SandboxClockOptions } from '../../src/sandbox/clock.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.ts';

export { SHIPPED_CONFIG_DIR, shippedConfig } from './config.ts';

export type SandboxAuth = 'token' | 'jwt' | 'client_credentials';

export interface SandboxAppOptions extends ComposeOptions {
  label?: string;
  /** How leadloop logs in to the sandbox's Salesforce. Default a direct session (token). */
  auth?: SandboxAuth;
  configDir?: string;
  /** Extra environment (e.g. DATABASE_URL). */
  env?: Record<string, string>;
  /** Create the HubSpot write-back properties first, as `leadloop setup` does. Default true. */
  setup?: boolean;
}

/** An app composed against a sandbox, with its own Redis prefix and data folder; `close()` removes them. */
export interface SandboxApp extends App {
  prefix: string;
  dataDir: string;
  /** A Redis connection of the test's own (the app's closes with it). */
  testRedis: Redis;
  /** Closes the app alone, keeping its keys and data folder (a restart: compose again from `env`). */
  release(): Promise<void>;
}

/**
 * leadloop wired as `start` wires it (compose), against a sandbox: its env from the sandbox's
 * connection info, a unique key prefix, an embedded ledger in a temp folder (or `env.DATABASE_URL`).
 */
export async function sandboxApp(sandbox: Sandbox, options: SandboxAppOptions = {}): Promise<SandboxApp> {
  const prefix = uniqueTestPrefix(options.label ?? 'app');
  const dataDir = mkdtempSync(join(tmpdir(), `leadloop-${options.label ?? 'app'}-`));
  const info = sandbox.connectionInfo();
  const auth = options.auth ?? 'token';
  const base: Record<string, string | undefined> = { ...info.env };
  if (auth === 'token') base.SALESFORCE_ACCESS_TOKEN = info.salesforce.accessToken;
  if (auth === 'client_credentials') {
    delete base.SALESFORCE_USERNAME;
    delete base.SALESFORCE_PRIVATE_KEY_FILE;
  }
  if (auth !== 'token') delete base.SALESFORCE_INSTANCE_URL;
  const env = loadEnv(
    {
      ...base,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      LEADLOOP_PREFIX: prefix,
      LEADLOOP_DATA_DIR: dataDir,
      LEADLOOP_CONFIG_DIR: options.configDir ?? SHIPPED_CONFIG_DIR,
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    { needs: ['hubspot', 'salesforce'] },
  );
  const testRedis = testConnection();
  const app = await compose(env, options);
  if (options.setup !== false) await setupHubSpot(app.hubspot, app.deals, app.config.mapping);
  return {
    ...app,
    prefix,
    dataDir,
    testRedis,
    release: () => app.close(),
    async close() {
      await app.close();
      await deleteKeysWithPrefix(testRedis, prefix);
      testRedis.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A sandbox on a clock of its own and leadloop composed on that same clock, so that what sales
 * does "later" in the sandbox (clock.advance) is later for leadloop too (the feedback reads
 * Salesforce only up to a minute before its now).
 */
export async function sandboxOnItsClock(
  sandboxOptions: Omit<NonNullable<Parameters<typeof startSandbox>[0]>, 'clock'>,
  appOptions: SandboxAppOptions = {},
  clockOptions: SandboxClockOptions = {},
): Promise<{ sandbox: Sandbox; app: SandboxApp; clock: SandboxClock }> {
  const clock = createSandboxClock(clockOptions);
  const sandbox = await startSandbox({ ...sandboxOptions, clock });
  try {
    return { sandbox, app: await sandboxApp(sandbox, { ...appOptions, now: () => clock.now() }), clock };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

/**
 * One sandbox world per test, closed after each: `const worlds = worldPerTest();` at the top of a
 * test file, then `const { sandbox, app, clock } = await worlds.open(…)` in a test.
 */
export function worldPerTest(): { open(...args: Parameters<typeof sandboxOnItsClock>): ReturnType<typeof sandboxOnItsClock> } {
  let world: Awaited<ReturnType<typeof sandboxOnItsClock>> | undefined;
  afterEach(async () => {
    await world?.app.close();
    await world?.sandbox.close();
    world = undefined;
  });
  return {
    async open(...args) {
      world = await sandboxOnItsClock(...args);
      return world;
    },
  };
}
