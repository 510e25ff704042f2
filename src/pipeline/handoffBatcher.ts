import type { Contact } from '../domain/contact.ts';
import { landContacts } from './landContacts.ts';
import type { SyncDeps } from './ports.ts';
import { mergePrepared, routeContacts, type PreparedContacts, type RunContext } from './routeContacts.ts';

export interface HandoffBatchLimits {
  /** Write once this many hand-offs are gathered: the sObject Collections maximum (200) fills every upsert. */
  handoffs: number;
  /** ...or this many changed contacts, whatever the hand-offs: bounds memory and the work a crash repeats. */
  contacts: number;
}

/**
 * Gathers pages until their hand-offs fill one Salesforce batch, then writes them together.
 *
 * Why: a page of 200 contacts carries a few dozen hand-offs, and writing it costs the same
 * Salesforce calls whether the batches are full or not (the Lead and Contact lookups, the upsert,
 * the adoptions, the tasks). Gathered up to 200 hand-offs, those calls serve several pages, and
 * HubSpot's write-back batches of 100 are full too.
 *
 * Durability: each page is routed (its fresh decisions stored in the ledger) when it arrives, but
 * written only when the batch is. A page's `afterWritten` (its cursor save) runs only after that
 * page and every page before it were written, in page order, so the cursor never passes a contact
 * whose writes exist only in memory. A crash before the write loses nothing that matters: the
 * rerun starts from the last saved cursor, finds the stored decisions and reuses them, as it does
 * for a single page. A page with no changed contact moves its cursor at once when nothing is
 * waiting before it.
 */
export class HandoffBatcher {
  readonly #deps: SyncDeps;
  readonly #run: RunContext;
  readonly #limits: HandoffBatchLimits;
  #pending: PreparedContacts[] = [];
  #pendingIds = new Set<string>();
  #afterWritten: (() => Promise<void>)[] = [];
  #handoffs = 0;

  constructor(deps: SyncDeps, run: RunContext, limits?: Partial<HandoffBatchLimits>) {
    this.#deps = deps;
    this.#run = run;
    this.#limits = { handoffs: limits?.handoffs ?? deps.config.sync.batch.salesforce_collection, contacts: limits?.contacts ?? 2_000 };
  }

  /** Routes one page; writes the gathered batch when it is full. `afterWritten` runs once the page is written. */
  async add(contacts: readonly Contact[], afterWritten: () => Promise<void>): Promise<void> {
    // A contact already waiting must be written before it is compared with its fingerprint again.
    if (contacts.some((c) => this.#pendingIds.has(c.id))) await this.flush();
    const prepared = contacts.length > 0 ? await routeContacts(this.#deps, contacts, { ...this.#run, now: this.#deps.now() }) : undefined;
    if (!prepared) {
      if (this.#pending.length === 0) await afterWritten();
      else this.#afterWritten.push(afterWritten);
      return;
    }
    // A page that would overflow the batch starts the next one: split, its hand-offs would need a second, nearly empty upsert.
    if (this.#pending.length > 0 && this.#handoffs + prepared.handoffs.length > this.#limits.handoffs) await this.flush();
    this.#pending.push(prepared);
    for (const c of prepared.changed) this.#pendingIds.add(c.id);
    this.#handoffs += prepared.handoffs.length;
    this.#afterWritten.push(afterWritten);
    if (this.#handoffs >= this.#limits.handoffs || this.#pendingIds.size >= this.#limits.contacts) await this.flush();
  }

  /** Writes whatever is gathered, then runs the waiting pages' `afterWritten` in page order. */
  async flush(): Promise<void> {
    const pending = this.#pending;
    const callbacks = this.#afterWritten;
    this.#pending = [];
    this.#pendingIds = new Set();
    this.#afterWritten = [];
    this.#handoffs = 0;
    if (pending.length > 0) await landContacts(this.#deps, mergePrepared(pending), { ...this.#run, now: this.#deps.now() });
    for (const callback of callbacks) await callback();
  }
}
