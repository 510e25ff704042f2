import { rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/** Carries out the feedback's contact writes (outcome properties, lifecycle stage): or, in a dry run, lists them. */
export async function writeFeedbackContacts(deps: SyncDeps, writes: readonly { contactId: string; properties: Record<string, string> }[], summary: FeedbackSummary): Promise<void> {
  if (writes.length === 0) return;
  if (deps.plannedWrites) {
    deps.plannedWrites.push(...writes.map((w) => ({ system: 'hubspot' as const, operation: 'contact-writeback' as const, key: w.contactId, fields: w.properties })));
    return;
  }
  const result = await deps.contacts.writeBack(writes);
  summary.contactsUpdated += result.updated.length;
  for (const r of result.rejections) {
    await deps.deadLetter.add({ system: r.system, operation: 'feedback-contact', recordKey: r.recordKey, reason: rejectionReason(r), error: { code: r.code, fields: r.fields }, at: deps.now() });
    summary.deadLettered += 1;
  }
}
