import { decide } from '../domain/decide.ts';
import { historyOf, inputFingerprint, observe, observedProperties, type Observed } from '../domain/inputs.ts';
import { hubspotWriteback } from '../domain/mapping/writeback.ts';
import type { Assignee } from '../domain/routing/types.ts';
import type { InvalidRecord } from '../errors.ts';
import { batchUpdateContacts } from '../hubspot/batchUpdateContacts.ts';
import type { HubSpotContact } from '../hubspot/client.ts';
import { findDecisions, setDecisionSalesforceIds } from '../store/findDecision.ts';
import { recordDecisions, type DecisionInput } from '../store/recordDecision.ts';
import { recordHandoffs } from '../store/recordHandoff.ts';
import type { NewHandoff } from '../store/schema.ts';
import { recordScores } from '../store/recordScores.ts';
import { nextGradeChangeAt } from '../domain/scoring/nextGradeChangeAt.ts';
import type { SalesforceDirectory } from '../salesforce/directory.ts';
import type { SalesforceLookups } from './lookups.ts';
import type { DeadLetterSink, SyncDeps, SyncSummary } from './ports.ts';
import { pushHandoffs, type Handoff } from './pushHandoffs.ts';

const HANDOFF_KEY = 'first';

/**
 * The one path every contact takes, whether a scheduled page or a webhook hand-off brought it:
 * skip contacts whose inputs did not change, score them, route new hand-offs once (the decision
 * is stored and reused on retries), land them in Salesforce with their tasks, write score/grade/
 * owner/Salesforce id back to HubSpot when they changed, and dead-letter refused records.
 */
export async function handleContacts(deps: SyncDeps, contacts: readonly HubSpotContact[], run: { now: number; summary: SyncSummary; lookups: SalesforceLookups; force?: boolean }): Promise<void> {
  const prepared = await prepareContacts(deps, contacts, run);
  if (prepared) await finishContacts(deps, prepared, run);
}

/** A batch scored and routed (decisions recorded) but not yet written anywhere: finishContacts writes it. */
export interface PreparedContacts {
  changed: HubSpotContact[];
  decisions: Map<string, ReturnType<typeof decide>>;
  handoffs: Handoff[];
  nextFingerprints: Map<string, string>;
  nextObserved: Map<string, Observed>;
  directory: SalesforceDirectory;
}

/** Several prepared batches as one, so Salesforce and HubSpot writes go in full batches. */
export function mergePrepared(batches: readonly PreparedContacts[]): PreparedContacts {
  return {
    changed: batches.flatMap((b) => b.changed),
    decisions: new Map(batches.flatMap((b) => [...b.decisions])),
    handoffs: batches.flatMap((b) => b.handoffs),
    nextFingerprints: new Map(batches.flatMap((b) => [...b.nextFingerprints])),
    nextObserved: new Map(batches.flatMap((b) => [...b.nextObserved])),
    directory: batches.at(-1)!.directory,
  };
}

/** First half of handleContacts: skip unchanged contacts, score, route new hand-offs once. Undefined: nothing changed. */
export async function prepareContacts(deps: SyncDeps, contacts: readonly HubSpotContact[], run: { now: number; summary: SyncSummary; lookups: SalesforceLookups; force?: boolean }): Promise<PreparedContacts | undefined> {
  const { now, summary } = run;
  const { config, configVersion, state } = deps;
  const ids = contacts.map((c) => c.id);
  const [fingerprints, observedBefore] = await Promise.all([state.fingerprints(ids), state.observed(ids)]);
  const watched = observedProperties(config);
  const nextFingerprints = new Map<string, string>();
  const nextObserved = new Map<string, Observed>();
  const changed = contacts.filter((c) => {
    const fp = inputFingerprint(c.properties, config, configVersion);
    // force: the rescore re-grades contacts whose inputs did not change but whose decay did.
    if (!run.force && fingerprints.get(c.id) === fp) return false;
    nextFingerprints.set(c.id, fp);
    nextObserved.set(c.id, observe(observedBefore.get(c.id), c.properties, watched, Date.parse(c.properties.lastmodifieddate ?? c.updatedAt)));
    return true;
  });
  summary.unchanged += contacts.length - changed.length;
  if (changed.length === 0) return undefined;

  const { directory, accounts } = await run.lookups.get();
  const day = new Date(now).toISOString().slice(0, 10);
  const roundRobin = await state.roundRobin();
  const loadToday = await state.loadToday(day);
  const inactive = new Set([...directory.usersByEmail].filter(([, u]) => !u.active).map(([email]) => email));
  const routingContext = {
    now,
    roundRobin,
    loadToday,
    inactiveOwners: inactive,
    accountByDomain: (domain: string) => {
      const a = accounts.get(domain);
      return a ? { accountId: a.accountId, ownerId: a.ownerId, ...(directory.emailsById.get(a.ownerId) ? { ownerEmail: directory.emailsById.get(a.ownerId)! } : {}) } : undefined;
    },
  };

  const handoffs: Handoff[] = [];
  const decisions = new Map<string, ReturnType<typeof decide>>();
  const newDecisions: DecisionInput[] = [];
  // The ledger is read and written once per page, not once per contact.
  const storedDecisions = await findDecisions(deps.ledger, changed.map((c) => c.id), HANDOFF_KEY);
  for (const contact of changed) {
    const decision = decide({ id: contact.id, properties: contact.properties }, historyOf(nextObserved.get(contact.id) ?? {}), config, routingContext);
    decisions.set(contact.id, decision);
    summary.scored += 1;
    if (!decision.score.handoff || !decision.route) continue;
    summary.qualified += 1;
    // Routed once: a stored decision (an earlier run, or a crashed one) is reused as it was.
    const stored = storedDecisions.get(contact.id);
    const dryRun = deps.plannedWrites !== undefined;
    let assignee: Assignee;
    let notify: string[];
    let firstTime = false;
    if (stored) {
      assignee = stored.owner_kind === 'queue' ? { kind: 'queue', queue: stored.owner_email ?? 'queue', salesforceQueue: stored.owner_email ?? '', ...(stored.owner_id ? { salesforceQueueId: stored.owner_id } : {}) } : stored.owner_kind === 'salesforce_assignment_rules' ? { kind: 'salesforce_assignment_rules' } : { kind: 'user', ...(stored.owner_id ? { salesforceUserId: stored.owner_id } : {}), ...(stored.owner_email ? { email: stored.owner_email } : {}) };
      notify = (stored.notify as { email: string }[]).map((n) => n.email);
      firstTime = stored.salesforce_id === null;
    } else {
      const route = decision.route;
      const a = route.assignee;
      const ownerId = a.kind === 'user' ? (a.salesforceUserId ?? (a.email ? directory.usersByEmail.get(a.email.toLowerCase())?.id : undefined)) : a.kind === 'queue' ? (a.salesforceQueueId ?? directory.queuesByName.get(a.salesforceQueue)) : undefined;
      if (!dryRun) newDecisions.push({
        hubspot_contact_id: contact.id,
        handoff_key: HANDOFF_KEY,
        decided_at: new Date(now),
        config_version: configVersion,
        score: decision.score.score,
        grade: decision.score.grade,
        mql: decision.score.mql,
        handoff: true,
        reason: decision.score.handoffReason ?? 'mql',
        owner_kind: a.kind,
        owner_id: ownerId ?? null,
        owner_email: a.kind === 'user' ? (a.email ?? null) : a.kind === 'queue' ? a.salesforceQueue : null,
        rule: route.rule,
        notify: route.notify,
        trace: route.trace,
        salesforce_id: null,
      });
      assignee = ownerId && a.kind === 'user' ? { ...a, salesforceUserId: ownerId } : ownerId && a.kind === 'queue' ? { ...a, salesforceQueueId: ownerId } : a;
      notify = route.notify.map((n) => n.email);
      firstTime = true;
      if (route.roundRobin) {
        roundRobin[route.roundRobin.team] = route.roundRobin.next;
        if (!dryRun) await state.saveRoundRobin(route.roundRobin.team, route.roundRobin.next);
      }
      if (a.kind === 'user' && a.email) {
        loadToday[a.email.toLowerCase()] = (loadToday[a.email.toLowerCase()] ?? 0) + 1;
        if (!dryRun) await state.addLoad(day, a.email);
      }
    }
    handoffs.push({ contactId: contact.id, properties: contact.properties, score: decision.score, assignee, notify, handoffKey: HANDOFF_KEY, firstTime });
  }
  // Stored before anything reaches Salesforce: a crash after this point reuses these decisions.
  await recordDecisions(deps.ledger, newDecisions);
  return { changed, decisions, handoffs, nextFingerprints, nextObserved, directory };
}

/** Second half of handleContacts: land the hand-offs in Salesforce, write back, save fingerprints. */
export async function finishContacts(deps: SyncDeps, prepared: PreparedContacts, run: { now: number; summary: SyncSummary }): Promise<void> {
  const { now, summary } = run;
  const { config, state } = deps;
  const { changed, decisions, handoffs, nextFingerprints, nextObserved, directory } = await withoutErased(deps, prepared);
  const pushed = await pushHandoffs(deps.salesforce, handoffs, config, directory, now, deps.plannedWrites);
  summary.convertedSkipped += pushed.convertedSkipped.length;
  summary.tasks += pushed.tasks;
  await deadLetter(deps.deadLetter, pushed.invalid, 'lead-upsert', now);
  summary.deadLettered += pushed.invalid.length;

  const salesforceIds = new Map<string, { id: string; owner: string }>();
  const handoffRows: NewHandoff[] = [];
  const handoffOf = new Map(handoffs.map((h) => [h.contactId, h]));
  for (const p of pushed.pushed) {
    if (p.outcome === 'created') summary.created += 1;
    else if (p.outcome === 'adopted') summary.adopted += 1;
    else if (p.outcome === 'updated') summary.updated += 1;
    else summary.existingContacts += 1;
    salesforceIds.set(p.contactId, { id: p.salesforceId, owner: p.ownerLabel });
    const h = handoffOf.get(p.contactId)!;
    if (p.outcome !== 'updated') {
      handoffRows.push({
        hubspot_contact_id: p.contactId,
        handoff_key: p.handoffKey,
        handed_off_at: new Date(now),
        salesforce_object: p.object,
        salesforce_id: p.salesforceId,
        outcome: p.outcome,
        owner_kind: h.assignee.kind,
        owner_id: h.assignee.kind === 'user' ? (h.assignee.salesforceUserId ?? null) : h.assignee.kind === 'queue' ? (h.assignee.salesforceQueueId ?? null) : null,
        grade: h.score.grade,
        score: h.score.score,
        reason: h.score.handoffReason ?? 'mql',
        source: h.properties.lead_source ?? null,
        campaign: h.properties[config.mapping.campaign.name_from] ?? null,
      });
    }
  }
  await recordHandoffs(deps.ledger, handoffRows);
  await setDecisionSalesforceIds(deps.ledger, new Map([...salesforceIds].map(([contactId, sf]) => [contactId, sf.id])), HANDOFF_KEY);

  // Write back only what changed: grade, a score move worth writing, owner, Salesforce id.
  const failedKeys = new Set(pushed.invalid.map((i) => i.recordKey));
  const updates = changed.flatMap((c) => {
    const d = decisions.get(c.id)!;
    const sf = salesforceIds.get(c.id);
    const properties = hubspotWriteback(
      { score: d.score.score, grade: d.score.grade, mql: d.score.mql, ...(sf ? { ownerLabel: sf.owner, salesforceId: sf.id, handedOffAt: new Date(now) } : {}) },
      c.properties,
      config.mapping,
      config.sync.writeback,
    );
    return Object.keys(properties).length > 0 ? [{ id: c.id, properties }] : [];
  });
  // Each score with the time decay alone may next change its grade: the daily rescore reads only the contacts due.
  const scores = changed.map((c) => {
    const s = decisions.get(c.id)!.score;
    const reviewAt = nextGradeChangeAt(c, historyOf(nextObserved.get(c.id) ?? {}), config.scoring, now);
    return { hubspot_contact_id: c.id, score: s.score, grade: s.grade, mql: s.mql, scored_at: new Date(now), config_version: deps.configVersion, review_at: reviewAt === null ? null : new Date(reviewAt) };
  });
  if (deps.plannedWrites) {
    for (const u of updates) deps.plannedWrites.push({ system: 'hubspot', operation: 'contact-writeback', key: u.id, fields: u.properties });
    for (const s of scores) deps.plannedWrites.push({ system: 'ledger', operation: 'score-record', key: s.hubspot_contact_id, fields: { score: s.score, grade: s.grade, mql: s.mql, review_at: s.review_at?.toISOString() ?? null } });
    return;
  }
  const writeback = await batchUpdateContacts(deps.hubspot, updates, deps.beforeHubSpotCall);
  summary.writtenBack += writeback.updated.length;
  await deadLetter(deps.deadLetter, writeback.invalid, 'contact-writeback', now);
  summary.deadLettered += writeback.invalid.length;

  // A contact whose Salesforce write failed is tried again next time: keep its old fingerprint.
  for (const key of failedKeys) nextFingerprints.delete(key);
  await recordScores(deps.ledger, scores.filter((s) => !failedKeys.has(s.hubspot_contact_id)));
  await state.saveObserved(nextObserved);
  await state.saveFingerprints(nextFingerprints);
}

/** Checked right before the writes: a contact erased since it was read is written nowhere. */
async function withoutErased(deps: SyncDeps, prepared: PreparedContacts): Promise<PreparedContacts> {
  const erased = await deps.erasures?.among(prepared.changed.map((c) => c.id));
  if (!erased || erased.size === 0) return prepared;
  for (const id of erased) {
    prepared.nextFingerprints.delete(id);
    prepared.nextObserved.delete(id);
  }
  return { ...prepared, changed: prepared.changed.filter((c) => !erased.has(c.id)), handoffs: prepared.handoffs.filter((h) => !erased.has(h.contactId)) };
}

async function deadLetter(sink: DeadLetterSink, invalid: readonly InvalidRecord[], operation: string, at: number): Promise<void> {
  for (const record of invalid) {
    await sink.add({ system: record.system, operation, recordKey: record.recordKey, reason: record.message, error: record.raw ?? null, at });
  }
}

