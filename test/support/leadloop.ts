import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadEnv, type Env } from '../../src/config/env.ts';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import { startLeadloop, envNeeds, type Role } from '../../src/cli/start.ts';
import { hubspotAdapters } from '../../src/app.ts';
import { OPEN_GATE } from '../../src/api-gate.ts';
import { setupHubSpot } from '../../src/pipeline/setup.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from './redis.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.ts';

export interface LeadloopContext {
  sandbox: Sandbox;
  running: Awaited<ReturnType<typeof startLeadloop>>;
  env: Env;
  redis: Redis;
  prefix: string;
  configDir: string;
}

/**
 * A sandbox, a copy of config/ (edited by `editConfig`), HubSpot set up, and leadloop started as
 * `leadloop start --role <role>` starts it, on a free port, with the sandbox's webhooks pointed
 * at it. The scheduled sync is off unless the edit turns it on. `close()` removes everything.
 */
export async function openLeadloop(options: LeadloopOptions): Promise<LeadloopContext & { close(): Promise<void> }> {
  const sandbox = await startSandbox(options.sandbox);
  const configDir = mkdtempSync(join(tmpdir(), 'leadloop-test-config-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-test-data-'));
  const prefix = uniqueTestPrefix('ll');
  const redis = testConnection();
  const cleanup = async () => {
    await sandbox.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    rmSync(configDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    cpSync(join(import.meta.dirname, '../../config'), configDir, { recursive: true });
    for (const name of ['scoring.yaml', 'routing.yaml', 'mapping.yaml', 'sync.yaml']) {
      const file = join(configDir, name);
      let text = readFileSync(file, 'utf8');
      if (name === 'sync.yaml') text = text.replace('sync_leads: { every: 5m }', 'sync_leads: { every: 5m, enabled: false }');
      if (options.editConfig) text = options.editConfig(name, text);
      writeFileSync(file, text);
    }
    const role = options.role ?? 'all';
    const env = loadEnv(
      {
        ...sandbox.connectionInfo().env,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        LEADLOOP_PREFIX: prefix,
        LEADLOOP_CONFIG_DIR: configDir,
        LEADLOOP_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      { needs: envNeeds(role) },
    );
    const { config } = await loadConfigDirOrThrow(configDir);
    const portal = hubspotAdapters(env, config, OPEN_GATE);
    await setupHubSpot(portal.hubspot, portal.deals, config.mapping);
    const running = await startLeadloop(env, { role, port: 0 });
    if (running.url) sandbox.hubspot.setWebhookTarget({ targetUrl: `${running.url}/webhooks/hubspot` });
    return {
      sandbox,
      running,
      env,
      redis,
      prefix,
      configDir,
      async close() {
        sandbox.hubspot.setWebhookTarget(undefined);
        try {
          await running.stop();
        } finally {
          await cleanup();
        }
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export interface LeadloopOptions {
  sandbox: SandboxOptions;
  role?: Role;
  editConfig?: (file: string, text: string) => string;
  env?: Record<string, string>;
}

/** openLeadloop around one test. */
export async function withLeadloop(options: LeadloopOptions, test: (ctx: LeadloopContext) => Promise<void>): Promise<void> {
  const ctx = await openLeadloop(options);
  try {
    await test(ctx);
  } finally {
    await ctx.close();
  }
}

/** Polls `probe` until `done` holds or the time is up; returns the last value. */
export async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await probe();
  }
  return value;
}
