/**
 * The sandbox's one clock: the time the emulated HubSpot portal and Salesforce org live in. Every
 * record time they stamp (CreatedDate, SystemModstamp, LastModifiedDate, history rows, HubSpot
 * createdate/lastmodifieddate/updatedAt, webhook occurredAt) reads it, so a simulator can move
 * the world forward (a quarter of sales work in seconds) and everything stays in order.
 *
 * By default it is real time plus an offset (zero at first): it runs like a wall clock, and
 * `advance`/`set` move the offset. A frozen clock (`{ frozen: true }`) stands still between
 * `advance`/`set` calls: tests use it to get identical timestamps from one run to the next.
 *
 * What stays on real time (Date.now()): what is about the caller's wall clock, not the data —
 * rate-limit windows, OAuth token issue times, fault injection, the request log and webhook
 * signatures (HubSpot checks their timestamp against its own clock).
 */
export interface SandboxClock {
  /** Epoch milliseconds in the sandbox's world. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `ms` (epoch milliseconds); a running clock goes on running from there. */
  set(ms: number): void;
}

export interface SandboxClockOptions {
  /** Where the clock starts (epoch ms). Default: the real time. */
  start?: number;
  /** Stands still between advance/set calls. Default false (it runs with real time). */
  frozen?: boolean;
}

export function createSandboxClock(options: SandboxClockOptions = {}): SandboxClock {
  if (options.frozen) {
    let at = options.start ?? Date.now();
    return {
      now: () => at,
      advance: (ms) => {
        at += ms;
      },
      set: (ms) => {
        at = ms;
      },
    };
  }
  let offset = options.start === undefined ? 0 : options.start - Date.now();
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    set: (ms) => {
      offset = ms - Date.now();
    },
  };
}

/** The real clock: what an emulator uses when it is given none. */
export const realClock = (): SandboxClock => createSandboxClock();
