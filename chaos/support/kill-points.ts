import type { LoggedRequest } from '../../src/sandbox/request-log.ts';
import type { LeadloopProcess } from './process.ts';
import type { World } from './world.ts';

/** A moment in a run at which to kill a process: what happened in the sandbox just then. */
export interface KillPoint {
  name: string;
  /** Sandbox requests (as logged: after the emulator carried them out, before the answer is sent). */
  request?: (entry: LoggedRequest) => boolean;
  /** Salesforce writes (after the org carried them out, inside the request that made them). */
  write?: (write: { sobject: string; kind: 'create' | 'update'; record: Record<string, unknown> }) => boolean;
}

/**
 * Kills `target` with SIGKILL from inside the sandbox, at the first request or write `point`
 * matches: synchronously, before the sandbox answers, so the process dies with that request's
 * effect in place and its answer lost — the worst moment for whatever it was about to record.
 * Resolves once the process is gone; `cancel()` disarms it.
 */
export function killAt(world: World, target: () => LeadloopProcess, point: KillPoint): { killed: Promise<{ at: number; what: string }>; cancel(): void } {
  const log = world.sandbox.requestLog;
  const record = log.record.bind(log);
  const tap = world.tap;
  let fired = false;
  let resolveKilled!: (value: { at: number; what: string }) => void;
  const killed = new Promise<{ at: number; what: string }>((resolve) => (resolveKilled = resolve));
  const fire = (what: string) => {
    if (fired) return;
    fired = true;
    const process = target();
    process.sampleRss();
    process.child.kill('SIGKILL');
    disarm();
    void process.kill9().then(() => resolveKilled({ at: Date.now(), what }));
  };
  const disarm = () => {
    log.record = record;
    tap.onWrite = undefined;
  };
  log.record = (entry) => {
    record(entry);
    if (point.request?.(entry)) fire(`${entry.system} ${entry.endpoint} ${entry.method} ${entry.path}`);
  };
  if (point.write)
    tap.onWrite = (write) => {
      if (point.write?.(write)) fire(`${write.kind} ${write.sobject}`);
    };
  return { killed, cancel: disarm };
}
