import { contactKeys } from '../domain/feedback/contact-keys.ts';
import type { SyncDeps } from './ports.ts';

const PAGE = 100;

/**
 * Gives the ledger what an opportunity finds a handed-off contact by (a hash of its email, the
 * domains of its email and website) for every handed-off contact it lacks them for: read from
 * HubSpot 100 at a time, once per contact. A contact HubSpot no longer has gets empty keys, so it
 * is not asked for again. A dry run reads and records nothing (linking then uses what is stored).
 */
export async function fillContactKeys(deps: SyncDeps, signal?: AbortSignal): Promise<number> {
  if (deps.plannedWrites) return 0;
  let filled = 0;
  let after: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const ids = await deps.outcomes.contactsMissingKeys({ limit: PAGE, ...(after ? { after } : {}) });
    if (ids.length === 0) return filled;
    const erased = await deps.erasures.among(ids);
    const wanted = ids.filter((id) => !erased.has(id));
    const { contacts } = wanted.length > 0 ? await deps.contacts.read(wanted, ['email', 'website']) : { contacts: [] };
    const found = new Map(contacts.map((c) => [c.id, c.properties]));
    const keys = wanted.map((id) => contactKeys(id, found.get(id) ?? {}));
    await deps.outcomes.recordContactKeys(keys, deps.now());
    filled += keys.length;
    after = ids.at(-1);
  }
}
