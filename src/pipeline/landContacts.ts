import { candidateTaskKeys, planHandoffs, queueManagersOf } from '../domain/handoff/plan-handoffs.ts';
import { NEW_LEAD_ID, planScores, planWriteback, type LandedRecord } from '../domain/handoff/plan-writeback.ts';
import type { FoundPeople, HandoffPlan, RoutedHandoff } from '../domain/handoff/types.ts';
import { rejectionReason, type Rejection } from '../errors/index.ts';
import { describePlan } from './describePlan.ts';
import { executeHandoffPlan, type Landed } from './executeHandoffPlan.ts';
import type { SalesforceLookups } from './lookups.ts';
import type { HandoffRecord, SyncDeps, SyncSummary } from './ports.ts';
import type { PreparedContacts } from './routeContacts.ts';

const NOTHING_FOUND: FoundPeople = { byExternalId: new Map(), leadsByEmail: new Map(), contactsByEmail: new Map(), existingTaskKeys: new Set() };

/**
 * Lands a routed batch: reads what Salesforce holds for it (one composite read), plans every write
 * (planHandoffs, planWriteback, planScores — pure), and then either prints the plan (a dry run) or
 * carries it out: Salesforce first, then the hand-offs and landed ids in the ledger, the HubSpot
 * write-back, the scores, and last the fingerprints, so a crash anywhere repeats the batch and
 * converges (upserts by external ID, task keys, stored decisions).
 */
export async function landContacts(deps: SyncDeps, prepared: PreparedContacts, run: { now: number; summary: SyncSummary; lookups: SalesforceLookups; signal?: AbortSignal }): Promise<void> {
  const { now, summary } = run;
  const { config } = deps;
  const { changed, decisions, handoffs, nextFingerprints, nextObserved } = await withoutErased(deps, prepared);
  const directory = await run.lookups.directory();
  const found =
    handoffs.length > 0
      ? await deps.leads.findPeople(
          handoffs.map((h) => h.contactId),
          handoffs.map((h) => h.properties.email ?? ''),
          candidateTaskKeys(handoffs, directory),
          deps.campaignWritesBlocked ? [] : campaignNames(handoffs, config.mapping.campaign.name_from),
        )
      : NOTHING_FOUND;
  // Campaign members only where setup found the integration user may create them.
  const plan = planHandoffs(handoffs, found, directory, now, deps.campaignWritesBlocked ? undefined : config.mapping.campaign, queueManagersOf(config.routing.queues));
  const scores = planScores(changed, decisions, config, now);

  if (deps.plannedWrites) {
    const writeback = planWriteback(changed, decisions, plannedLandings(plan), config, now);
    deps.plannedWrites.push(...describePlan(plan, writeback, scores));
    countPlan(summary, plan, writeback.length);
    return;
  }

  // The lease is checked before each batch of writes: a run that lost it stops here (a batch
  // already in flight is covered by the idempotent upserts and task keys).
  run.signal?.throwIfAborted();
  const executed = await executeHandoffPlan(deps.leads, plan, {
    useAssignmentRules: config.routing.use_salesforce_assignment_rules,
    allowDuplicateSave: config.mapping.duplicate_rules === 'allow_save',
  });
  const handoffOf = new Map(handoffs.map((h) => [h.contactId, h]));
  const records: HandoffRecord[] = [];
  for (const [contactId, landed] of executed.landed) {
    const h = handoffOf.get(contactId)!;
    // Our lead, found by external ID before this hand-off ever landed: an earlier write was applied
    // and its answer lost (or the ledger lost the record). That lead is this hand-off.
    const outcome = landed.outcome === 'updated' && h.firstTime ? 'created' : landed.outcome;
    countLanding(summary, outcome);
    if (outcome !== 'updated') records.push(handoffRecord(h, landed, outcome, now, config.mapping.campaign.name_from));
  }
  summary.tasks += executed.tasksCreated;
  summary.convertedSkipped += plan.skipped.filter((s) => s.reason === 'converted-lead').length;
  summary.deadLettered += await deadLetter(deps, executed.rejections, now);
  summary.deadLettered += await deadLetterAmbiguousCampaigns(deps, plan, now);
  await deps.ledger.recordHandoffs(records);
  // Per hand-off key: a batch may hold first hand-offs and hand-offs again.
  const keyOf = new Map(handoffs.map((h) => [h.contactId, h.handoffKey]));
  for (const key of new Set(keyOf.values())) {
    const landed = [...executed.landed].filter(([contactId]) => keyOf.get(contactId) === key);
    if (landed.length > 0) await deps.ledger.setLandedIds(new Map(landed.map(([contactId, l]) => [contactId, l.salesforceId])), key);
  }

  const landedRecords = new Map<string, LandedRecord>([...executed.landed].map(([contactId, l]) => [contactId, { salesforceId: l.salesforceId, ownerLabel: l.ownerLabel }]));
  run.signal?.throwIfAborted();
  const written = await deps.contacts.writeBack(planWriteback(changed, decisions, landedRecords, config, now));
  summary.writtenBack += written.updated.length;
  summary.deadLettered += await deadLetter(deps, written.rejections, now);

  // A contact whose Salesforce write failed is tried again next time: keep its old fingerprint and score.
  const failed = new Set(executed.rejections.filter((r) => handoffOf.has(r.recordKey)).map((r) => r.recordKey));
  for (const key of failed) nextFingerprints.delete(key);
  await deps.ledger.recordScores(
    scores.filter((s) => !failed.has(s.contactId)),
    { scoredAt: now, configVersion: deps.configVersion },
  );
  await deps.contactState.save(nextObserved, nextFingerprints, now);
}

/** Where the plan's hand-offs will land, as the write-back names them (a new lead's id is not known yet). */
function plannedLandings(plan: HandoffPlan): Map<string, LandedRecord> {
  return new Map(
    plan.landings.map((l) => [l.contactId, { salesforceId: l.outcome === 'existing_contact' ? l.salesforceContactId : l.outcome === 'adopt' ? l.leadId : NEW_LEAD_ID, ownerLabel: l.ownerLabel }]),
  );
}

function countPlan(summary: SyncSummary, plan: HandoffPlan, writtenBack: number): void {
  for (const l of plan.landings) countLanding(summary, l.outcome === 'create' ? 'created' : l.outcome === 'update' ? 'updated' : l.outcome === 'adopt' ? 'adopted' : 'existing_contact');
  summary.tasks += plan.tasks.length;
  summary.convertedSkipped += plan.skipped.filter((s) => s.reason === 'converted-lead').length;
  summary.writtenBack += writtenBack;
}

function countLanding(summary: SyncSummary, outcome: Landed['outcome']): void {
  if (outcome === 'created') summary.created += 1;
  else if (outcome === 'adopted') summary.adopted += 1;
  else if (outcome === 'updated') summary.updated += 1;
  else summary.existingContacts += 1;
}

function handoffRecord(h: RoutedHandoff, landed: Landed, outcome: 'created' | 'adopted' | 'existing_contact', now: number, campaignProperty: string): HandoffRecord {
  const a = h.assignee;
  return {
    contactId: h.contactId,
    handoffKey: h.handoffKey,
    handedOffAt: now,
    object: landed.object,
    salesforceId: landed.salesforceId,
    outcome,
    ownerKind: a.kind,
    ownerId: landed.ownerId ?? (a.kind === 'user' ? (a.salesforceUserId ?? null) : a.kind === 'queue' ? (a.salesforceQueueId ?? null) : null),
    grade: h.decision.score.grade,
    score: h.decision.score.score,
    reason: h.decision.score.handoffReason ?? 'mql',
    source: h.properties.lead_source ?? null,
    campaign: h.properties[campaignProperty] ?? null,
  };
}

/** Checked right before the writes: a contact erased since it was read is written nowhere. */
async function withoutErased(deps: SyncDeps, prepared: PreparedContacts): Promise<PreparedContacts> {
  const erased = await deps.erasures.among(prepared.changed.map((c) => c.id));
  if (erased.size === 0) return prepared;
  for (const id of erased) {
    prepared.nextFingerprints.delete(id);
    prepared.nextObserved.delete(id);
  }
  return { ...prepared, changed: prepared.changed.filter((c) => !erased.has(c.id)), handoffs: prepared.handoffs.filter((h) => !erased.has(h.contactId)) };
}

/** Dead-letters what a system refused (its code and field names, never its message); returns how many. */
async function deadLetter(deps: SyncDeps, rejections: readonly Rejection[], at: number): Promise<number> {
  for (const r of rejections) {
    // Task keys are `<contact>:<hand-off>:<step>`; leads and contacts are keyed by the contact id.
    const operation =
      r.system === 'hubspot'
        ? 'contact-writeback'
        : r.recordKey.startsWith('campaign-create:')
          ? 'campaign-create'
          : r.recordKey.startsWith('campaign-status:')
            ? 'member-status-create'
            : r.recordKey.includes(':campaign:')
              ? 'campaign-member-create'
              : r.recordKey.includes(':')
                ? 'task-create'
                : 'lead-upsert';
    await deps.deadLetter.add({ system: r.system, operation, recordKey: r.recordKey, reason: rejectionReason(r), error: { code: r.code, fields: r.fields }, at });
  }
  return rejections.length;
}

/** The campaign names a batch's hand-offs carry (mapping.yaml campaign.name_from), for findPeople. */
function campaignNames(handoffs: readonly RoutedHandoff[], property: string): string[] {
  return [...new Set(handoffs.map((h) => h.properties[property]?.trim() ?? '').filter(Boolean))];
}

/**
 * A campaign name that matches two or more campaigns is refused with their ids, never guessed: the
 * hand-off itself lands, its membership waits in the dead-letter list until the names are told
 * apart (the contact's next sync then adds it).
 */
async function deadLetterAmbiguousCampaigns(deps: SyncDeps, plan: HandoffPlan, at: number): Promise<number> {
  const ambiguous = plan.skipped.filter((s) => s.reason === 'campaign-ambiguous');
  for (const s of ambiguous) {
    await deps.deadLetter.add({
      system: 'salesforce',
      operation: 'campaign-member-create',
      recordKey: s.contactId,
      reason: `campaign-ambiguous: ${s.campaignIds?.length ?? 0} campaigns are named "${s.campaign}" (${(s.campaignIds ?? []).join(', ')}); rename all but one`,
      error: { code: 'CAMPAIGN_AMBIGUOUS', campaignIds: s.campaignIds },
      at,
    });
  }
  return ambiguous.length;
}
