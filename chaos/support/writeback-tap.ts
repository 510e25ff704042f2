import type { Sandbox } from '../../src/sandbox/server.ts';

/**
 * Every HubSpot contact update the sandbox carried out that wrote one of leadloop's own
 * properties (`leadloop_*`: the write-back), counted per contact. Taps the contact store's own
 * update, so a write is counted whichever endpoint carried it (single or batch update).
 */
export class WritebackTap {
  readonly writebacks = new Map<string, number>();

  constructor(sandbox: Sandbox) {
    const store = sandbox.hubspot.store;
    const update = store.update.bind(store);
    store.update = (id, properties, at) => {
      const record = update(id, properties, at);
      if (Object.keys(properties).some((k) => k.startsWith('leadloop_'))) this.writebacks.set(id, (this.writebacks.get(id) ?? 0) + 1);
      return record;
    };
  }

  total(): number {
    let n = 0;
    for (const v of this.writebacks.values()) n += v;
    return n;
  }

  /** Contacts written back more than once. */
  repeated(): string[] {
    return [...this.writebacks].filter(([, n]) => n > 1).map(([id]) => id);
  }
}
