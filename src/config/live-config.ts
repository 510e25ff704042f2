import type { LeadloopConfig } from '../domain/config/index.ts';
import type { ConfigLocate } from './load.ts';

/** One valid config as loaded: what it says, its version (content hash) and where each setting is in its files. */
export interface ConfigSnapshot {
  config: LeadloopConfig;
  version: string;
  locate: ConfigLocate;
}

/**
 * The config in force, replaced whole when the worker reloads a valid change of the folder. Jobs
 * read it at the start of each run (a run keeps the config it started with); what was built from
 * the config at start (the schedulers) listens for changes.
 */
export class LiveConfig {
  #current: ConfigSnapshot;
  readonly #listeners = new Set<(next: ConfigSnapshot, previous: ConfigSnapshot) => void | Promise<void>>();

  constructor(initial: ConfigSnapshot) {
    this.#current = initial;
  }

  get current(): ConfigSnapshot {
    return this.#current;
  }

  /** Puts `next` in force and waits for every listener (errors are the listener's to handle). */
  async apply(next: ConfigSnapshot): Promise<void> {
    const previous = this.#current;
    this.#current = next;
    for (const listener of this.#listeners) await listener(next, previous);
  }

  /** Calls `listener` after each change; returns a function that stops it. */
  onChange(listener: (next: ConfigSnapshot, previous: ConfigSnapshot) => void | Promise<void>): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
