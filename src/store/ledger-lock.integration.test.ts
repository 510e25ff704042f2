import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LedgerUnavailable } from '../errors/index.ts';
import { openLedger, type Ledger } from './ledger.ts';

// A second process on the same embedded ledger: a small Node script (the Node running vitest)
// that opens the ledger, says so on stdout, then waits until it is killed — or, in `exit` mode,
// exits at once without closing it.
const LEDGER_MODULE = new URL('./ledger.ts', import.meta.url).href;
const HOLDER_SCRIPT = `
const [ledgerModule, dataDir, mode] = process.argv.slice(1);
const { openLedger } = await import(ledgerModule);
try {
  const ledger = await openLedger({ dataDir, role: 'test holder' });
  await ledger.db.selectFrom('decisions').select('hubspot_contact_id').execute();
  process.stdout.write(JSON.stringify({ open: true, pid: process.pid }) + '\\n');
  if (mode === 'exit') process.exit(0);
  setInterval(() => undefined, 1 << 30);
} catch (error) {
  process.stdout.write(JSON.stringify({ open: false, code: error.code, message: error.message }) + '\\n');
  process.exit(1);
}
`;

interface Holder {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

/** Starts a process that opens the ledger in `dataDir`; resolves once it has it open. */
async function holdLedger(dataDir: string, mode: 'hold' | 'exit' = 'hold'): Promise<Holder> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER_SCRIPT, LEDGER_MODULE, dataDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the holder did not open the ledger in time: ${stderr}`)), 45_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the holder exited (${code}) before opening the ledger: ${stdout}${stderr}`));
    });
  });
  const said = JSON.parse(first) as { open: boolean; pid: number; message?: string };
  if (!said.open) throw new Error(`the holder could not open the ledger: ${said.message}`);
  return { child, pid: said.pid, exited };
}

function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'leadloop-ledger-lock-'));
}

async function openError(dataDir: string): Promise<LedgerUnavailable> {
  const error = await openLedger({ dataDir }).then(
    async (ledger) => {
      await ledger.close();
      return new Error('the ledger opened');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerUnavailable);
  return error as LedgerUnavailable;
}

/** Every file under `dir` with its bytes (the lock's own `.lock` entry aside). */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the embedded ledger belongs to one process at a time', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a second process is refused while another holds the folder, with the folder, the holder and the way out in the message', async () => {
    const dir = dataDir();
    const holder = await holdLedger(dir);
    const error = await openError(dir);
    expect(error.code).toBe('LEDGER_UNAVAILABLE');
    expect(error.message).toContain(join(dir, 'ledger'));
    expect(error.message).toContain(`pid ${holder.pid}`);
    expect(error.message).toContain('test holder');
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toMatch(/stop/i);
    // The holder is unharmed by the attempt.
    expect(holder.child.exitCode).toBeNull();
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)('after the holder dies by %s, a new open succeeds', async (signal) => {
    const dir = dataDir();
    const holder = await holdLedger(dir);
    holder.child.kill(signal);
    expect((await holder.exited).signal).toBe(signal);
    const ledger = await openLedger({ dataDir: dir });
    try {
      expect(ledger.kind).toBe('pglite');
      // The dead holder's socket file was cleared away, and only ours is left.
      expect(readdirSync(join(dir, 'ledger', '.lock'))).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f]+\\.sock$`))]);
    } finally {
      await ledger.close();
    }
  });

  it('a holder that exits without closing frees the folder', async () => {
    const dir = dataDir();
    const holder = await holdLedger(dir, 'exit');
    expect((await holder.exited).code).toBe(0);
    const ledger = await openLedger({ dataDir: dir });
    await ledger.close();
  });

  it('a second open in the same process is refused too, saying this process has it', async () => {
    const dir = dataDir();
    const first = await openLedger({ dataDir: dir });
    try {
      const error = await openError(dir);
      expect(error.message).toContain(join(dir, 'ledger'));
      expect(error.message).toContain(`already open in this process (pid ${process.pid},`);
      expect(error.message).toContain('DATABASE_URL');
    } finally {
      await first.close();
    }
  });

  it('of two opens at once in one process, exactly one gets the folder', async () => {
    const dir = dataDir();
    const results = await Promise.allSettled([openLedger({ dataDir: dir }), openLedger({ dataDir: dir })]);
    const opened = results.filter((r): r is PromiseFulfilledResult<Ledger> => r.status === 'fulfilled');
    for (const r of opened) await r.value.close();
    expect(opened).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(LedgerUnavailable) });
  });

  it('is released on close: the same process opens it again, and another process can take it', async () => {
    const dir = dataDir();
    const first = await openLedger({ dataDir: dir });
    await first.close();
    const again = await openLedger({ dataDir: dir });
    await again.close();
    // Nothing of the lock is left in the folder after a close.
    expect(existsSync(join(dir, 'ledger', '.lock'))).toBe(false);
    const other = await holdLedger(dir);
    other.child.kill('SIGKILL');
    await other.exited;
  });

  it('a corrupt folder is a clear error naming it and what to do; nothing in it is changed', async () => {
    const dir = dataDir();
    // A real ledger, then every file in it overwritten with garbage.
    await (await openLedger({ dataDir: dir })).close();
    const folder = join(dir, 'ledger');
    const garble = (at: string) => {
      for (const name of readdirSync(at)) {
        const path = join(at, name);
        if (statSync(path).isDirectory()) garble(path);
        else writeFileSync(path, randomBytes(Math.max(64, statSync(path).size)));
      }
    };
    garble(folder);
    const before = snapshot(folder);
    const error = await openError(dir);
    expect(error.message).toContain(folder);
    expect(error.message).toMatch(/damaged/);
    expect(error.message).toMatch(/move .*aside/i);
    expect(error.message).toMatch(/backup/);
    expect(error.message).not.toMatch(/^RuntimeError|Aborted\(\)$/);
    expect(snapshot(folder)).toEqual(before);
    // The failed open let go of the folder: the same error again, not "in use".
    expect((await openError(dir)).message).not.toMatch(/in use|this process/);
  });

  it('a folder whose write-ahead log is garbage (PGlite aborts) is the same clear error', async () => {
    const dir = dataDir();
    await (await openLedger({ dataDir: dir })).close();
    const wal = join(dir, 'ledger', 'pg_wal');
    for (const name of readdirSync(wal)) {
      const path = join(wal, name);
      if (statSync(path).isFile()) writeFileSync(path, randomBytes(statSync(path).size));
    }
    const error = await openError(dir);
    expect(error.message).toContain(join(dir, 'ledger'));
    expect(error.message).toMatch(/damaged/);
    // PGlite still works in this process after an abort: another folder opens.
    const fresh = await openLedger({ dataDir: dataDir() });
    await fresh.close();
  });

  it('a lock folder that cannot be made is a clear error, before PGlite reads anything', async () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'ledger'), { recursive: true });
    writeFileSync(join(dir, 'ledger', '.lock'), 'not a folder');
    const error = await openError(dir);
    expect(error.message).toContain(`cannot lock the embedded ledger in ${join(dir, 'ledger')}`);
    expect(error.message).toContain('DATABASE_URL');
    expect(readdirSync(join(dir, 'ledger'))).toEqual(['.lock']);
  });

  it('a folder path too long for a socket beside it is still locked, through the temporary folder', async () => {
    const base = dataDir();
    const deep = join(base, 'a-rather-long-folder-name-for-the-ledger'.repeat(3));
    mkdirSync(deep, { recursive: true });
    const first = await openLedger({ dataDir: deep });
    try {
      expect(existsSync(join(deep, 'ledger', '.lock'))).toBe(false);
      expect((await openError(deep)).message).toContain(`already open in this process (pid ${process.pid},`);
    } finally {
      await first.close();
    }
    await (await openLedger({ dataDir: deep })).close();
  });
});
