import { rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/**
 * Carries out the feedback's contact writes (outcome properties, lifecycle stage, lead status): the
 * stages to move back are cleared first, in a request of their own, as HubSpot requires. A dry run
 * lists them instead.
 */
export async function writeFeedbackContacts(
  deps: SyncDeps,
  plan: { writes: readonly { contactId: string; properties: Record<string, string> }[]; clearFirst: readonly string[] },
  summary: FeedbackSummary,
): Promise<void> {
  const clears = plan.clearFirst.map((contactId) => ({ contactId, properties: { lifecyclestage: '' } }));
  if (deps.plannedWrites) {
    deps.plannedWrites.push(...[...clears, ...plan.writes].map((w) => ({ system: 'hubspot' as const, operation: 'contact-writeback' as const, key: w.contactId, fields: w.properties })));
    return;
  }
  for (const batch of [clears, plan.writes]) {
    if (batch.length === 0) continue;
    const result = await deps.contacts.writeBack(batch);
    if (batch === plan.writes) summary.contactsUpdated += result.updated.length;
    for (const r of result.rejections) {
      await deps.deadLetter.add({ system: r.system, operation: 'feedback-contact', recordKey: r.recordKey, reason: rejectionReason(r), error: { code: r.code, fields: r.fields }, at: deps.now() });
      summary.deadLettered += 1;
    }
  }
}
