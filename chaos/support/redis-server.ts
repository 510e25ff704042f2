import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, redisAnswers } from '../../src/cli/demo-redis.ts';

/**
 * A `redis-server` of the scenario's own on a free port, with nothing kept on disk (`--save ''`,
 * no AOF) and BullMQ's `noeviction`: stopping it (SIGKILL) loses every key, as a Redis restarted
 * without persistence or a failover to an empty replica would; `start()` brings it back, empty, on
 * the same port, so the leadloop processes that were connected reconnect to it.
 */
export class RedisServer {
  readonly port: number;
  readonly url: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  /** How many times it was started (1 after the first start). */
  starts = 0;

  private constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Whether `redis-server` can be run here (the chaos suite needs its own). */
  static installed(): boolean {
    return !spawnSync('redis-server', ['--version']).error;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error(`redis-server on port ${this.port} is already running`);
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(this.url))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        this.#child = undefined;
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${this.port}: ${stderr.trim() || `exit ${child.exitCode}`}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.starts += 1;
  }

  /** Kills it (SIGKILL: no shutdown save, every key gone) and waits until the port is free. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** stop() then start() after `downMs`: the same port, no data. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }
}
