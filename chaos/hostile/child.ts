import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The tag of the memory line leadloop-child.ts writes on stderr when sent SIGUSR2. */
export const MEMORY_TAG = 'leadloop-chaos-memory ';

const ROOT = join(import.meta.dirname, '../..');

export interface ChildMemory {
  /** Resident set size, bytes (process.memoryUsage().rss, after a full GC). */
  rss: number;
  /** V8 heap in use after a full GC, bytes. */
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface LeadloopChild {
  pid: number;
  url: string;
  /** Forces a full GC in the child and returns its memory right after. */
  memory(): Promise<ChildMemory>;
  /** The kernel's figures for the child: current RSS (VmRSS) and its high-water mark (VmHWM), bytes. */
  procStatus(): { rss: number; peakRss: number };
  /** Lines the child logged at level error or above (pino level ≥ 50), and the last of its stderr. */
  errorLines(): string[];
  stderrTail(): string;
  /** SIGTERM, then the exit code (or the signal) once it is gone; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * `leadloop start --role all` in a child process on `port` (the Node running this test, which
 * `npm run chaos` puts first: the project's Node 24), with the environment given and nothing else
 * inherited but PATH and HOME. Resolves once /healthz answers.
 */
export async function startLeadloopChild(env: Record<string, string>, port: number): Promise<LeadloopChild> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', join(import.meta.dirname, 'leadloop-child.ts'), 'start', '--role', 'all'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the leadloop child did not start');
  let tail = '';
  let partial = '';
  const errors: string[] = [];
  const waiting: ((m: ChildMemory) => void)[] = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(MEMORY_TAG)) {
        waiting.shift()?.(JSON.parse(line.slice(MEMORY_TAG.length)) as ChildMemory);
        continue;
      }
      tail = `${tail}${line}\n`.slice(-8_000);
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level !== undefined && Number(level) >= 50 && errors.length < 50) errors.push(line);
    }
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the leadloop child exited (${JSON.stringify(exited)}) before it answered:\n${tail}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the leadloop child did not answer /healthz within 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid,
    url,
    memory: () =>
      new Promise<ChildMemory>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the leadloop child wrote no memory line within 10 s')), 10_000);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
        child.kill('SIGUSR2');
      }),
    procStatus: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
      return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
    },
    errorLines: () => [...errors],
    stderrTail: () => tail,
    async stop(graceMs = 15_000) {
      const started = Date.now();
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exit;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}
