/**
 * Gathers keys that arrive within a few milliseconds of each other and runs them as one batch,
 * so a burst of webhook hand-offs costs one batch read instead of one GET per contact (BullMQ's
 * own batch consumption is a paid feature). Each caller gets its key's own result; when the batch
 * fails, every caller in it gets the error and its job retries as a job would.
 */
export class DebounceBatcher<Key, Result> {
  readonly #run: (keys: Key[]) => Promise<Map<Key, Result>>;
  readonly #maxWaitMs: number;
  readonly #maxSize: number;
  #pending = new Map<Key, { resolve: (r: Result) => void; reject: (e: unknown) => void }[]>();
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(options: { run: (keys: Key[]) => Promise<Map<Key, Result>>; maxWaitMs?: number; maxSize?: number }) {
    this.#run = options.run;
    this.#maxWaitMs = options.maxWaitMs ?? 15;
    this.#maxSize = options.maxSize ?? 100;
  }

  add(key: Key): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const waiters = this.#pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.#pending.set(key, waiters);
      if (this.#pending.size >= this.#maxSize) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#maxWaitMs);
    });
  }

  /** Runs what is gathered now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const running = this.#run([...batch.keys()]).then(
      (results) => {
        for (const [key, waiters] of batch) {
          const result = results.get(key);
          for (const w of waiters) result === undefined ? w.reject(new Error(`the batch returned no result for ${String(key)}`)) : w.resolve(result);
        }
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
      },
    );
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
  }

  /** Runs what is gathered and waits for every batch still running (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.#inFlight);
  }
}
