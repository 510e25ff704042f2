import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An exclusive lock on a folder that the operating system gives back when its holder dies,
 * without a native addon (Node has no flock): the holder keeps a listening Unix domain socket in
 * a lock directory. The kernel closes a dead process's sockets, so a `kill -9` leaves at most a
 * socket file that refuses connections (ECONNREFUSED) — a stale file anyone may remove — while a
 * live holder's socket accepts them, even when its event loop is busy or the process is stopped.
 *
 * Each process listens at a name of its own (`<pid>-<random>.sock`), never at a shared one: with a
 * shared name, two processes that both found it stale could each remove it and listen there, one
 * after the other, the second removing the first's live socket. Here nobody ever removes a socket
 * that answers, and a refused name is never listened at again. A process takes the lock by
 * (1) listening at a new name, (2) listing the directory and knocking on every other socket:
 * whichever of two processes lists second sees the other's socket, so at most one of them finds
 * no one — and only that one holds the lock. Two that see each other both step back and retry
 * after a random pause; one that finds a holder fails at once, told who holds it (a connection
 * is answered with one JSON line: pid, role, since).
 *
 * Sockets are bound under a `.tmp` name and renamed to `.sock` once they listen: a socket bound
 * but not yet listening refuses connections too, and must not be taken for a dead one.
 */
export interface FolderLock {
  /** Where the sockets live: `<folder>/.lock`, or a folder in the temporary directory when that path is too long for a socket. */
  readonly lockDir: string;
  /** Gives the lock back (idempotent); the folder's `.lock` directory goes when it is empty. */
  release(): Promise<void>;
}

/** What a process found knocking on the lock directory. */
export interface LockHolder {
  pid?: number;
  role?: string;
  /** ISO time it took the lock (or began trying). */
  since?: string;
  /** False while it is still deciding, as this process was. */
  holding: boolean;
  /** Whether it answered the knock (a busy process may only accept the connection). */
  answered: boolean;
}

export type LockAttempt = { ok: true; lock: FolderLock } | { ok: false; holder: LockHolder };

// sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, the terminating NUL included.
const MAX_SOCKET_PATH = 100;
// `<pid>-<8 hex>.sock`: Linux pids have at most 7 digits.
const NAME_ROOM = 24;
const ANSWER_TIMEOUT_MS = 2_000;
const ATTEMPTS = 25;
// A `.tmp` name lives for microseconds; one this old was left by a process that died binding it.
const ABANDONED_TMP_MS = 60_000;

/** The lock directory of `folder` (which must exist): the same for every process, whatever path it was given. */
export function lockDirFor(folder: string): string {
  const real = realpathSync(folder);
  const inside = join(real, '.lock');
  if (Buffer.byteLength(inside) + 1 + NAME_ROOM <= MAX_SOCKET_PATH) return inside;
  const outside = join(tmpdir(), `leadloop-lock-${createHash('sha256').update(real).digest('hex').slice(0, 16)}`);
  if (Buffer.byteLength(outside) + 1 + NAME_ROOM <= MAX_SOCKET_PATH) return outside;
  throw new Error(`no path for a lock socket: ${inside} and ${outside} are too long for a Unix socket`);
}

/** Takes the lock of `folder`, or says who holds it. `role` is told to whoever finds it held. */
export async function lockFolder(folder: string, about: { role?: string } = {}): Promise<LockAttempt> {
  const lockDir = lockDirFor(folder);
  let others: LockHolder[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const candidate = await enter(lockDir, about.role);
    others = await survey(lockDir, candidate.name);
    if (others.length === 0) {
      candidate.hold();
      return { ok: true, lock: { lockDir, release: candidate.leave } };
    }
    await candidate.leave();
    const holder = others.find((o) => o.holding);
    if (holder) return { ok: false, holder };
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 90));
  }
  return { ok: false, holder: others[0]! };
}

// Removed when the process exits normally without releasing (the kernel closes the sockets anyway).
const heldPaths = new Set<string>();
let exitHookInstalled = false;

function removeAtExit(path: string): void {
  heldPaths.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of heldPaths) remove(p);
  });
}

/** Listens at a new name in `lockDir` (created if missing, also when a release removes it meanwhile). */
async function enter(lockDir: string, role: string | undefined) {
  const base = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = `${base}.sock`;
  const path = join(lockDir, name);
  const bound = join(lockDir, `${base}.tmp`);
  const state = { holding: false, since: new Date().toISOString() };
  const answer = () => `${JSON.stringify({ pid: process.pid, ...(role ? { role } : {}), since: state.since, holding: state.holding })}\n`;
  let server: net.Server | undefined;
  for (let tries = 0; !server; tries++) {
    mkdirSync(lockDir, { recursive: true, mode: 0o700 });
    try {
      server = await listen(bound, answer);
    } catch (error) {
      // Another process's release removed the empty directory between our mkdir and bind.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries >= 5) throw error;
    }
  }
  try {
    renameSync(bound, path);
  } catch (error) {
    server.close();
    remove(bound);
    throw error;
  }
  removeAtExit(path);
  let left: Promise<void> | undefined;
  return {
    name,
    hold() {
      state.holding = true;
      state.since = new Date().toISOString();
    },
    leave(): Promise<void> {
      left ??= new Promise<void>((resolve) => {
        heldPaths.delete(path);
        remove(path);
        server.close(() => {
          try {
            rmdirSync(lockDir);
          } catch {
            // not empty (another process is there) or already gone
          }
          resolve();
        });
      });
      return left;
    },
  };
}

function listen(path: string, answer: () => string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      // A knocker that hangs up before reading must not take the holder down (EPIPE).
      socket.on('error', () => undefined);
      socket.end(answer());
    });
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      // The lock never keeps the process alive.
      server.unref();
      resolve(server);
    });
  });
}

/** Knocks on every other socket in `lockDir`; removes the dead ones; returns those alive. */
async function survey(lockDir: string, own: string): Promise<LockHolder[]> {
  const names = readdirSync(lockDir).filter((name) => name !== own);
  const found = await Promise.all(
    names.map(async (name) => {
      const path = join(lockDir, name);
      if (name.endsWith('.tmp')) {
        removeIfAbandoned(path);
        return undefined;
      }
      if (!name.endsWith('.sock')) return undefined;
      const answer = await knock(path, pidOf(name));
      if (answer === 'dead') remove(path);
      return answer === 'dead' || answer === 'gone' ? undefined : answer;
    }),
  );
  return found.filter((holder) => holder !== undefined);
}

/**
 * Whether a socket is listened at: 'dead' (refused: its process closed it or died), 'gone' (removed
 * or closed meanwhile), or what its holder says — or, when it accepts but does not answer in time
 * (busy, stopped) or cannot be reached for another reason (EACCES), a holder known only by the pid
 * in its name: anything but a refusal or a hang-up counts as alive.
 */
function knock(path: string, pid: number | undefined): Promise<LockHolder | 'dead' | 'gone'> {
  return new Promise((resolve) => {
    const unknown: LockHolder = { ...(pid ? { pid } : {}), holding: true, answered: false };
    let text = '';
    let connected = false;
    let settled = false;
    const done = (result: LockHolder | 'dead' | 'gone') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = net.connect(path);
    const timer = setTimeout(() => done(unknown), ANSWER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n') || text.length > 4_096) done(parseAnswer(text) ?? unknown);
    });
    // Hung up without a word: its listener closed after the connection was queued (a process
    // stepping back, or dying). A live holder answers every connection before ending it.
    socket.on('end', () => done(parseAnswer(text) ?? 'gone'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) done(parseAnswer(text) ?? 'gone');
      else if (error.code === 'ECONNREFUSED') done('dead');
      // Removed meanwhile, or its listener closed while the connection was being made.
      else if (error.code === 'ENOENT' || error.code === 'ECONNRESET' || error.code === 'EPIPE') done('gone');
      else done(unknown);
    });
  });
}

function parseAnswer(text: string): LockHolder | undefined {
  try {
    const said = JSON.parse(text.split('\n')[0]!) as Record<string, unknown>;
    if (typeof said.pid !== 'number') return undefined;
    return {
      pid: said.pid,
      ...(typeof said.role === 'string' ? { role: said.role } : {}),
      ...(typeof said.since === 'string' ? { since: said.since } : {}),
      holding: said.holding !== false,
      answered: true,
    };
  } catch {
    return undefined;
  }
}

function pidOf(name: string): number | undefined {
  const pid = Number(name.split('-')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function removeIfAbandoned(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > ABANDONED_TMP_MS) unlinkSync(path);
  } catch {
    // gone already
  }
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
