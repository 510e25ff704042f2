import type { Contact } from '../domain/contact.ts';
import { withDerivedSource } from '../domain/contact-source.ts';
import { normalizeDomain } from '../domain/domain-name.ts';
import { parseDuration } from '../domain/config/duration.ts';
import { accountLookup, REHANDOFF_PREFIX, routeBatch } from '../domain/handoff/route-batch.ts';
import { batchTraces } from '../domain/trace/batch-traces.ts';
import type { RoutedHandoff, RoutingState } from '../domain/handoff/types.ts';
import type { LeadDecision } from '../domain/decide.ts';
import { historyOf, inputFingerprint, observe, observedProperties, type Observed } from '../domain/inputs.ts';
import type { ContactHistory } from '../domain/scoring/types.ts';
import type { SalesforceLookups } from './lookups.ts';
import type { RoutingStatePort, StoredDecision, SyncDeps, SyncSummary } from './ports.ts';

/** A contact's first hand-off; a hand-off again carries a key of its own (handoffKeys). */
export const HANDOFF_KEY = 'first';

/** A batch scored and routed (its fresh decisions stored) but not yet written anywhere: landContacts writes it. */
export interface PreparedContacts {
  changed: (Contact & { history: ContactHistory })[];
  decisions: Map<string, LeadDecision>;
  handoffs: RoutedHandoff[];
  nextFingerprints: Map<string, string>;
  nextObserved: Map<string, Observed>;
}

/** What one run carries from batch to batch. */
export interface RunContext {
  now: number;
  summary: SyncSummary;
  lookups: SalesforceLookups;
  /** Round-robin positions and loads: the shared store, or a dry run's private copy. */
  routing: RoutingStatePort;
  /** Aborts the run (a lost lease, a shutdown): checked before each batch's writes reach an API. */
  signal?: AbortSignal;
  /** Taken whatever their fingerprint: every contact (the rescore: decay changed, inputs did not), or those named (a dead letter replayed). */
  force?: boolean | ReadonlySet<string>;
}

/** Several prepared batches as one, so Salesforce and HubSpot writes go in full batches. */
export function mergePrepared(batches: readonly PreparedContacts[]): PreparedContacts {
  return {
    changed: batches.flatMap((b) => b.changed),
    decisions: new Map(batches.flatMap((b) => [...b.decisions])),
    handoffs: batches.flatMap((b) => b.handoffs),
    nextFingerprints: new Map(batches.flatMap((b) => [...b.nextFingerprints])),
    nextObserved: new Map(batches.flatMap((b) => [...b.nextObserved])),
  };
}

/**
 * Skips contacts whose inputs did not change, scores the rest and routes new hand-offs once:
 * each fresh decision is stored before anything is written anywhere, and only a decision this run
 * stored counts its round robin and load — a concurrent run (a webhook hand-off beside the sync)
 * that stored one first wins, and this run takes that stored decision instead. Undefined: nothing
 * changed.
 */
export async function routeContacts(deps: SyncDeps, contacts: readonly Contact[], run: RunContext): Promise<PreparedContacts | undefined> {
  const { now, summary } = run;
  const { config, configVersion, contactState } = deps;
  const ids = contacts.map((c) => c.id);
  const [fingerprints, observedBefore] = await Promise.all([contactState.fingerprints(ids), contactState.observed(ids)]);
  const watched = observedProperties(config);
  const nextFingerprints = new Map<string, string>();
  const nextObserved = new Map<string, Observed>();
  const changed: PreparedContacts['changed'] = [];
  for (const c of contacts) {
    const fp = inputFingerprint(c.properties, config, configVersion);
    const forced = run.force === true || (run.force instanceof Set && run.force.has(c.id));
    if (!forced && fingerprints.get(c.id) === fp) continue;
    nextFingerprints.set(c.id, fp);
    const observed = observe(observedBefore.get(c.id), c.properties, watched, Date.parse(c.properties.lastmodifieddate ?? c.updatedAt));
    nextObserved.set(c.id, observed);
    // A portal without its own lead_source gets one from its standard properties (mapping.yaml source.derive).
    changed.push({ ...c, properties: withDerivedSource(c.properties, config.mapping, now), history: historyOf(observed) });
  }
  summary.unchanged += contacts.length - changed.length;
  if (changed.length === 0) return undefined;

  const directory = await run.lookups.directory();
  const domains = changed.flatMap((c) => [normalizeDomain(c.properties.email), normalizeDomain(c.properties.website)].filter((d): d is string => d !== undefined));
  const accounts = await run.lookups.accounts(domains);
  // From reading the loads to counting the decisions stored, one run at a time (the sync, webhook hand-offs).
  const { batch, handoffs, keys } = await run.routing.exclusively(async () => {
    const keys = await handoffKeys(
      deps,
      changed.map((c) => c.id),
      now,
    );
    const [stored, routingState, installed] = await Promise.all([findDecisionsByKey(deps, keys), run.routing.load(dayOf(now)), deps.ledger.installedAt()]);
    // A gentle first install: a first hand-off of a contact that qualified long before install waits.
    const heldBackBefore = (installed ?? now) - parseDuration(config.sync.backfill.handoff_within);
    const batch = routeBatch({ contacts: changed, stored, state: routingState, directory, accountByDomain: (d) => accounts.get(d), config, now, handoffKeyOf: (id) => keys.get(id), heldBackBefore });
    return { batch, handoffs: await storeFreshDecisions(deps, batch.handoffs, run), keys };
  });
  summary.scored += changed.length;
  summary.qualified += batch.handoffs.length;
  summary.qualifiedBeforeInstall += batch.heldBack.length;
  if (batch.heldBack.length > 0 && !deps.plannedWrites) await deps.ledger.recordHeldBack(batch.heldBack, { decidedAt: now, configVersion });
  if (!deps.plannedWrites) {
    // What each decision was made from and how, for `explain`, `config simulate` and audits.
    const pulled = new Map(contacts.map((c) => [c.id, c.properties]));
    const traces = batchTraces({
      contacts: changed.map((c) => ({ ...c, pulled: pulled.get(c.id) ?? c.properties })),
      decisions: batch.decisions,
      handoffs,
      heldBack: batch.heldBack,
      handoffKeyOf: (id) => keys.get(id),
      config,
      accountByDomain: accountLookup((d) => accounts.get(d), directory),
    });
    await deps.ledger.recordTraces(traces, { decidedAt: now, configVersion });
  }
  return { changed, decisions: batch.decisions, handoffs, nextFingerprints, nextObserved };
}

/**
 * Stores the fresh decisions (INSERT … RETURNING) and counts the routing of those stored; a
 * hand-off whose contact got a decision from another run meanwhile takes that one (re-read).
 * A dry run stores nothing and counts in its own copy of the routing state.
 */
async function storeFreshDecisions(deps: SyncDeps, handoffs: readonly RoutedHandoff[], run: RunContext): Promise<RoutedHandoff[]> {
  const fresh = handoffs.filter((h) => h.fresh);
  if (fresh.length === 0) return [...handoffs];
  const won = deps.plannedWrites
    ? new Set(fresh.map((h) => h.contactId))
    : await deps.ledger.recordDecisions(
        fresh.map((h) => h.fresh!),
        { decidedAt: run.now, configVersion: deps.configVersion },
      );
  await run.routing.apply(
    dayOf(run.now),
    fresh.filter((h) => won.has(h.contactId)).map((h) => ({ rotation: h.fresh!.rotation, ownerEmail: h.fresh!.ownerKind === 'user' ? h.fresh!.ownerEmail : null })),
  );
  const lost = fresh.filter((h) => !won.has(h.contactId));
  if (lost.length === 0) return [...handoffs];
  const stands = await findDecisionsByKey(deps, new Map(lost.map((h) => [h.contactId, h.handoffKey])));
  return handoffs.map((h) => {
    const other = stands.get(h.contactId);
    if (!other || won.has(h.contactId)) return h;
    const { fresh: _discarded, ...rest } = h;
    return { ...rest, assignee: other.assignee, notify: other.notify, firstTime: other.landedId === null };
  });
}

/**
 * Each contact's hand-off key. A contact sales gave back to marketing (its latest Lead Status
 * disqualified or recycled, by the feedback) is handed off again only once mapping.yaml's
 * back_to_marketing.cool_down has passed since then, as a hand-off of its own (`again:<when>`,
 * the same key on every retry); before that it is not handed off at all (no key). Everyone else:
 * their first hand-off.
 */
async function handoffKeys(deps: SyncDeps, contactIds: readonly string[], now: number): Promise<Map<string, string | undefined>> {
  const back = await deps.ledger.backToMarketing(contactIds);
  const coolDown = parseDuration(deps.config.mapping.back_to_marketing.cool_down);
  return new Map(
    contactIds.map((id) => {
      const returned = back.get(id);
      if (!returned) return [id, HANDOFF_KEY];
      return [id, now - returned.since >= coolDown ? `${REHANDOFF_PREFIX}${new Date(returned.since).toISOString()}` : undefined];
    }),
  );
}

/** Stored decisions for each contact's own hand-off key (one read per key; keys of hand-offs again are rare). */
async function findDecisionsByKey(deps: SyncDeps, keys: ReadonlyMap<string, string | undefined>): Promise<Map<string, StoredDecision>> {
  const byKey = new Map<string, string[]>();
  for (const [id, key] of keys) if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), id]);
  const found = await Promise.all([...byKey].map(([key, ids]) => deps.ledger.findDecisions(ids, key)));
  return new Map(found.flatMap((m) => [...m]));
}

/** The UTC day loads are counted in. */
export function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * A dry run's routing state: read once from the shared store (without seeding it), then counted
 * here only, so the dry run routes exactly as a real run would and moves nothing.
 */
export class PrivateRoutingState implements RoutingStatePort {
  readonly #shared: RoutingStatePort;
  readonly #days = new Map<string, RoutingState>();

  constructor(shared: RoutingStatePort) {
    this.#shared = shared;
  }

  async load(day: string): Promise<RoutingState> {
    let state = this.#days.get(day);
    if (!state) {
      state = await this.#shared.load(day, { seed: false });
      this.#days.set(day, state);
    }
    return { roundRobin: { ...state.roundRobin }, loadToday: { ...state.loadToday } };
  }

  /** A dry run counts in a copy of its own: nobody else routes from it. */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async apply(day: string, changes: readonly { rotation: { team: string; next: number } | null; ownerEmail: string | null }[]): Promise<void> {
    const state = await this.load(day);
    for (const c of changes) {
      if (c.rotation && c.rotation.next > (state.roundRobin[c.rotation.team] ?? -1)) state.roundRobin[c.rotation.team] = c.rotation.next;
      if (c.ownerEmail) state.loadToday[c.ownerEmail.toLowerCase()] = (state.loadToday[c.ownerEmail.toLowerCase()] ?? 0) + 1;
    }
    this.#days.set(day, state);
  }
}
