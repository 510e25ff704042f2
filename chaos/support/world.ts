import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { OPEN_GATE } from '../../src/api-gate.ts';
import { hubspotAdapters } from '../../src/app.ts';
import { loadEnv } from '../../src/config/env.ts';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import type { BackfillPosition } from '../../src/pipeline/ports.ts';
import { setupHubSpot } from '../../src/pipeline/setup.ts';
import { createRedisConnection } from '../../src/queue/connection.ts';
import { deleteKeysUnder, RedisKeys } from '../../src/redis-keys.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.ts';
import { LeadloopProcess } from './process.ts';
import { ScenarioDatabase } from './postgres.ts';
import { WriteTap } from './end-state.ts';

const ROOT = join(import.meta.dirname, '../..');

export interface WorldOptions {
  /** Names the prefix, folders and database (a reference run and its chaos twin differ by label). */
  label: string;
  /** The Redis this world's leadloop processes use (the scenario's own redis-server). */
  redisUrl: string;
  sandbox: SandboxOptions;
  /** The ledger on PostgreSQL, in a database of this world's own (several processes at once); else the embedded PGlite. */
  postgres?: boolean;
  /** Edits of the config copy, after the chaos defaults (chaosConfig). */
  editConfig?: (file: string, text: string) => string;
  /** Extra environment for every process. */
  env?: Record<string, string>;
}

/**
 * One scenario's world: a sandbox in this process (seeded, its writes tapped), a copy of config/
 * with the chaos defaults, a data folder, a Redis prefix, optionally a PostgreSQL database, HubSpot
 * set up as `leadloop setup` sets it up, and the environment a user would export to run leadloop
 * processes against all that. `close()` removes everything it made.
 */
export class World {
  readonly label: string;
  readonly sandbox: Sandbox;
  readonly tap: WriteTap;
  readonly prefix: string;
  readonly keys: RedisKeys;
  readonly configDir: string;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  readonly database: ScenarioDatabase | undefined;
  readonly redis: Redis;
  readonly processes: LeadloopProcess[] = [];

  private constructor(init: {
    label: string;
    sandbox: Sandbox;
    prefix: string;
    configDir: string;
    dataDir: string;
    env: Record<string, string>;
    database: ScenarioDatabase | undefined;
    redis: Redis;
  }) {
    this.label = init.label;
    this.sandbox = init.sandbox;
    this.tap = new WriteTap(init.sandbox);
    this.prefix = init.prefix;
    this.keys = new RedisKeys(init.prefix);
    this.configDir = init.configDir;
    this.dataDir = init.dataDir;
    this.env = init.env;
    this.database = init.database;
    this.redis = init.redis;
  }

  static async open(options: WorldOptions): Promise<World> {
    const made: (() => Promise<void> | void)[] = [];
    const undo = async () => {
      for (const step of made.reverse()) await step();
    };
    try {
      const sandbox = await startSandbox(options.sandbox);
      made.push(() => sandbox.close());
      const configDir = mkdtempSync(join(tmpdir(), `leadloop-chaos-config-${options.label}-`));
      made.push(() => rmSync(configDir, { recursive: true, force: true }));
      const dataDir = mkdtempSync(join(tmpdir(), `leadloop-chaos-data-${options.label}-`));
      made.push(() => rmSync(dataDir, { recursive: true, force: true }));
      cpSync(join(ROOT, 'config'), configDir, { recursive: true });
      for (const name of ['scoring.yaml', 'routing.yaml', 'mapping.yaml', 'sync.yaml']) {
        const file = join(configDir, name);
        let text = chaosConfig(name, readFileSync(file, 'utf8'));
        if (options.editConfig) text = options.editConfig(name, text);
        writeFileSync(file, text);
      }
      const database = options.postgres ? await ScenarioDatabase.create(options.label) : undefined;
      if (database) made.push(() => database.drop());
      const prefix = `chaos-${options.label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      const redis = createRedisConnection({ url: options.redisUrl }, 'client');
      made.push(async () => {
        await deleteKeysUnder(redis, prefix).catch(() => undefined);
        redis.disconnect();
      });
      const env: Record<string, string> = {
        ...sandbox.connectionInfo().env,
        REDIS_URL: options.redisUrl,
        LEADLOOP_PREFIX: prefix,
        LEADLOOP_CONFIG_DIR: configDir,
        LEADLOOP_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        // As the Dockerfile runs leadloop: the peak RSS figures are those of a deployed process.
        NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=256',
        ...(database ? { DATABASE_URL: database.url } : {}),
        ...options.env,
      };
      // `leadloop setup`'s HubSpot half (the write-back properties), done in this process to save a start.
      const { config } = await loadConfigDirOrThrow(configDir);
      const portal = hubspotAdapters(loadEnv(env, { needs: ['hubspot'] }), config, OPEN_GATE);
      await setupHubSpot(portal.hubspot, portal.deals, config.mapping);
      return new World({ label: options.label, sandbox, prefix, configDir, dataDir, env, database, redis });
    } catch (error) {
      await undo();
      throw error;
    }
  }

  /** Starts `leadloop <args>` with this world's environment. */
  spawn(args: readonly string[], label = args.join(' '), env: Record<string, string> = {}): LeadloopProcess {
    const child = new LeadloopProcess(`${this.label}: ${label}`, args, { ...this.env, ...env });
    this.processes.push(child);
    return child;
  }

  /** Where the backfill stands (undefined: none under way), as the worker saved it in Redis. */
  async backfill(): Promise<BackfillPosition | undefined> {
    const raw = await this.redis.get(this.keys.backfill());
    return raw ? (JSON.parse(raw) as BackfillPosition) : undefined;
  }

  /** Whether the first cycle's backfill has completed: its record is gone and the search cursor is set. */
  async backfillDone(): Promise<boolean> {
    const [cursor, backfill] = await this.redis.mget(this.keys.syncCursor(), this.keys.backfill());
    return cursor !== null && backfill === null;
  }

  /** The worst of every process's peak RSS, in MB. */
  peakRssMb(): number {
    return Math.round(Math.max(0, ...this.processes.map((p) => p.sampleRss())) / 1024);
  }

  /** Every process's stderr lines that say an error went uncaught or a promise unawaited. */
  unhandledErrors(): string[] {
    return this.processes.flatMap((p) => p.unhandledErrors().map((line) => `${p.label}: ${line}`));
  }

  async close(): Promise<void> {
    for (const p of this.processes) if (p.alive) await p.kill9();
    await this.sandbox.close();
    await deleteKeysUnder(this.redis, this.prefix).catch(() => undefined);
    this.redis.disconnect();
    await this.database?.drop();
    rmSync(this.configDir, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * The config copy every chaos world starts from: the shipped files, with the scheduled sync every
 * 2 s (a worker starts its backfill at once and, after a kill, takes the next job soon after the
 * lease and the stalled job are freed) and the HubSpot budgets at the sandbox's own limits (190 a
 * rolling 10 s, 5 searches a second: leadloop keeps a little under them), the feedback's and the
 * SLA clock's schedules off (scenarios that want them run them themselves), and the whole seeded
 * history handed off (no gentle first install: the scenarios want volume). The sandbox enforces
 * those limits whatever leadloop believes.
 */
export function chaosConfig(file: string, text: string): string {
  if (file !== 'sync.yaml') return text;
  const edited = text
    .replace('sync_leads: { every: 5m }', 'sync_leads: { every: 2s }')
    // The lead sync's scenarios compare its writes with a clean run's: the feedback (its own scenario) stays off.
    .replace('sync_feedback: { every: 15m }', 'sync_feedback: { every: 15m, enabled: false }')
    // So is the SLA clock (sla-kill runs it itself); and the scenarios hand off the seeded history whole.
    .replace('check_sla: { every: 10m }', 'check_sla: { every: 10m, enabled: false }')
    .replace('backfill: { handoff_within: 30d }', 'backfill: { handoff_within: 3650d }')
    .replace(/per_10_seconds: \d+/, 'per_10_seconds: 180')
    .replace(/search_per_second: \d+/, 'search_per_second: 4');
  const expected = ['every: 2s', 'every: 15m, enabled: false', 'every: 10m, enabled: false', 'handoff_within: 3650d', 'per_10_seconds: 180'];
  if (edited === text || !expected.every((line) => edited.includes(line))) throw new Error('chaosConfig: sync.yaml no longer has the lines the chaos suite edits');
  return edited;
}

/** Polls `probe` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
