import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lockFolder } from './folder-lock.ts';

// Processes that try to take a folder's lock (no database: the lock alone), say what they got on
// stdout, and keep it until killed.
const LOCK_MODULE = new URL('./folder-lock.ts', import.meta.url).href;
const LOCKER_SCRIPT = `
const [lockModule, folder, startAt] = process.argv.slice(1);
const { lockFolder } = await import(lockModule);
// Start together: every process waits for the same instant.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const attempt = await lockFolder(folder, { role: 'locker' });
process.stdout.write(JSON.stringify(attempt.ok ? { ok: true, pid: process.pid } : { ok: false, pid: process.pid, holder: attempt.holder }) + '\\n');
setInterval(() => undefined, 1 << 30);
`;

interface Said {
  ok: boolean;
  pid: number;
  holder?: { pid?: number; holding: boolean; answered: boolean; role?: string };
}

const children: ChildProcess[] = [];

function locker(folder: string, startAt: number): { child: ChildProcess; said: Promise<Said> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', LOCKER_SCRIPT, LOCK_MODULE, folder, String(startAt)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const said = new Promise<Said>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Said);
    });
    child.once('exit', (code) => reject(new Error(`locker exited (${code}) before saying anything`)));
  });
  return { child, said };
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.signalCode === 'SIGSTOP') child.kill('SIGCONT');
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

describe('folder lock', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-folder-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('of six processes starting at the same instant, exactly one takes the lock; the others are told its pid', async () => {
    const dir = folder();
    const startAt = Date.now() + 1_500;
    const said = await Promise.all(Array.from({ length: 6 }, () => locker(dir, startAt).said));
    const winners = said.filter((s) => s.ok);
    expect(winners).toHaveLength(1);
    for (const loser of said.filter((s) => !s.ok)) expect(loser.holder).toMatchObject({ pid: winners[0]!.pid, role: 'locker', holding: true, answered: true });
    // Only the holder's socket is left: those who stepped back removed theirs.
    expect(readdirSync(join(dir, '.lock'))).toEqual([expect.stringMatching(new RegExp(`^${winners[0]!.pid}-[0-9a-f]{8}\\.sock$`))]);
  });

  it('a holder that cannot answer (stopped) still holds the lock: it is named by the pid in its socket name', async () => {
    const dir = folder();
    const holder = locker(dir, 0);
    expect((await holder.said).ok).toBe(true);
    holder.child.kill('SIGSTOP');
    const attempt = await lockFolder(dir);
    expect(attempt).toMatchObject({ ok: false, holder: { pid: holder.child.pid, holding: true, answered: false } });
    holder.child.kill('SIGCONT');
  });

  it('a holder killed with SIGKILL leaves a socket that refuses connections; the next process removes it and takes the lock', async () => {
    const dir = folder();
    const holder = locker(dir, 0);
    expect((await holder.said).ok).toBe(true);
    const exited = new Promise((resolve) => holder.child.once('exit', resolve));
    holder.child.kill('SIGKILL');
    await exited;
    expect(readdirSync(join(dir, '.lock'))).toEqual([expect.stringMatching(new RegExp(`^${holder.child.pid}-`))]);
    const attempt = await lockFolder(dir);
    expect(attempt.ok).toBe(true);
    if (attempt.ok) {
      expect(readdirSync(attempt.lock.lockDir)).toEqual([expect.stringMatching(new RegExp(`^${process.pid}-`))]);
      await attempt.lock.release();
      await attempt.lock.release();
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
