import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
/** What the chaos suite keeps of a process's stderr (its last part), for the message of a failed assertion. */
const KEEP_STDERR = 256 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One leadloop process, started as a user starts it (`node src/cli.ts …`, Node 24 from
 * node_modules, only the env given). The chaos suite kills it with SIGKILL (`kill9`) or stops it
 * with SIGTERM (`stop`), and reads its peak RSS (VmHWM) while it lives.
 */
export class LeadloopProcess {
  readonly label: string;
  readonly args: readonly string[];
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  #stdout = '';
  #stderr = '';
  #peakRssKb = 0;
  #ending = false;
  #exit: Exit | undefined;
  #sampler: NodeJS.Timeout;

  constructor(label: string, args: readonly string[], env: Record<string, string>) {
    this.label = label;
    this.args = args;
    this.child = spawn(NODE, [join(ROOT, 'src/cli.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.#stdout = (this.#stdout + chunk.toString()).slice(-KEEP_STDERR)));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-KEEP_STDERR)));
    // VmHWM is the process's own high-water mark: sampled now and then, and once more right before a kill.
    this.#sampler = setInterval(() => this.sampleRss(), 500);
    this.#sampler.unref();
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        clearInterval(this.#sampler);
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Whether it ended without being told to (a crash): the harness never asked it to stop. */
  get crashed(): boolean {
    return this.#exit !== undefined && !this.#ending;
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Peak resident set (VmHWM, kB) seen so far. */
  get peakRssKb(): number {
    return this.#peakRssKb;
  }

  sampleRss(): number {
    if (!this.alive) return this.#peakRssKb;
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match) this.#peakRssKb = Math.max(this.#peakRssKb, Number(match[1]));
    } catch {
      // gone meanwhile
    }
    return this.#peakRssKb;
  }

  /** kill -9: no handler runs, nothing is flushed, sockets are closed by the OS. */
  async kill9(): Promise<Exit> {
    this.sampleRss();
    this.#ending = true;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, as an orchestrator stops it; SIGKILL after `graceMs` if it has not exited by then. */
  async stop(graceMs = 15_000): Promise<Exit & { tookMs: number }> {
    const from = Date.now();
    if (!this.alive) return { ...(await this.exited), tookMs: 0 };
    this.sampleRss();
    this.#ending = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, tookMs: Date.now() - from };
  }

  /** Waits for the process to end by itself (a one-shot command). */
  async finished(timeoutMs: number): Promise<Exit> {
    const timer = setTimeout(() => {
      this.#ending = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    this.#ending = true;
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** The last JSON line of stdout (a one-shot command's summary). */
  summary(): Record<string, unknown> | undefined {
    const line = this.#stdout.trim().split('\n').at(-1);
    try {
      return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * What Node prints when a process dies of an error nobody caught, or warns of a promise
   * nobody awaited: never acceptable, whatever the fault.
   */
  unhandledErrors(): string[] {
    return this.#stderr.split('\n').filter((line) => /Uncaught|Unhandled|unhandledRejection|uncaughtException|UnhandledPromiseRejection|FATAL ERROR|triggerUncaughtException/.test(line));
  }

  /** The stderr lines that are log records of `level` or worse (pino: 40 warn, 50 error, 60 fatal). */
  logLines(minLevel = 50): { level: number; msg?: string; [key: string]: unknown }[] {
    const out: { level: number; msg?: string }[] = [];
    for (const line of this.#stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const record = JSON.parse(line) as { level?: unknown };
        if (typeof record.level === 'number' && record.level >= minLevel) out.push(record as { level: number });
      } catch {
        // a partial line at the cut
      }
    }
    return out;
  }

  /** The tail of stderr, for a failed assertion's message. */
  tail(chars = 4_000): string {
    return `--- ${this.label} (pid ${this.pid}, ${this.args.join(' ')}) stderr tail ---\n${this.#stderr.slice(-chars)}`;
  }
}
