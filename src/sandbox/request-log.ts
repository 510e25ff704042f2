/** Which emulated system answered a request. */
export type SandboxSystem = 'hubspot' | 'salesforce';

export interface LoggedRequest {
  system: SandboxSystem;
  /** A stable operation name such as `contacts.search` or `sobjects.collections.upsert`. */
  endpoint: string;
  method: string;
  path: string;
  status: number;
  at: number;
}

/**
 * Every request the sandbox answered, counted per system and per endpoint. Tests and
 * benchmarks read API-call counts from here rather than instrumenting the client.
 */
export class RequestLog {
  #entries: LoggedRequest[] = [];
  /** Keep the most recent entries only; counters are exact regardless. */
  readonly #keep: number;
  #counts = new Map<string, number>();
  #statusCounts = new Map<string, number>();

  constructor(keep = 10_000) {
    this.#keep = keep;
  }

  record(entry: LoggedRequest): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#keep) this.#entries.splice(0, this.#entries.length - this.#keep);
    const key = `${entry.system} ${entry.endpoint}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    const statusKey = `${entry.system} ${entry.status}`;
    this.#statusCounts.set(statusKey, (this.#statusCounts.get(statusKey) ?? 0) + 1);
  }

  /** Calls per endpoint of one system, e.g. `{ 'contacts.search': 12 }`. */
  counts(system: SandboxSystem): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of this.#counts) {
      const [sys, endpoint] = splitKey(key);
      if (sys === system) out[endpoint] = n;
    }
    return out;
  }

  /** Calls to one system, optionally to one endpoint. */
  total(system: SandboxSystem, endpoint?: string): number {
    if (endpoint !== undefined) return this.#counts.get(`${system} ${endpoint}`) ?? 0;
    let sum = 0;
    for (const [key, n] of this.#counts) if (splitKey(key)[0] === system) sum += n;
    return sum;
  }

  /** Responses of one system by HTTP status, e.g. `{ 200: 40, 429: 2 }`. */
  statuses(system: SandboxSystem): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [key, n] of this.#statusCounts) {
      const [sys, status] = splitKey(key);
      if (sys === system) out[Number(status)] = n;
    }
    return out;
  }

  recent(): readonly LoggedRequest[] {
    return this.#entries;
  }

  reset(): void {
    this.#entries = [];
    this.#counts.clear();
    this.#statusCounts.clear();
  }

  snapshot(): { hubspot: Record<string, number>; salesforce: Record<string, number>; statuses: Record<SandboxSystem, Record<number, number>> } {
    return {
      hubspot: this.counts('hubspot'),
      salesforce: this.counts('salesforce'),
      statuses: { hubspot: this.statuses('hubspot'), salesforce: this.statuses('salesforce') },
    };
  }
}

function splitKey(key: string): [string, string] {
  const space = key.indexOf(' ');
  return [key.slice(0, space), key.slice(space + 1)];
}
