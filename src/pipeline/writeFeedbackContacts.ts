import { contactPropertiesRead, planContactWrites } from '../domain/feedback/index.ts';
import { rejectionReason } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';
import type { FeedbackSummary } from './syncFeedback.ts';

/** What the feedback has to say of one contact: its outcome summary, a lifecycle move forward, or its return to marketing. */
export type ContactFeedback = Parameters<typeof planContactWrites>[0]['contacts'][number];

/**
 * The feedback's contact writes (outcome properties, lifecycle stage, lead status): reads what
 * HubSpot holds of these contacts, plans only what differs (planContactWrites), and writes it — the
 * stages to move back cleared first, in a request of their own, as HubSpot requires. A dry run
 * lists the writes instead.
 */
export async function writeFeedbackContacts(deps: SyncDeps, contacts: readonly ContactFeedback[], org: FeedbackSummary['org'], summary: FeedbackSummary): Promise<void> {
  if (contacts.length === 0) return;
  const current = await deps.contacts.read(
    contacts.map((c) => c.contactId),
    contactPropertiesRead(deps.config.mapping),
  );
  const plan = planContactWrites({
    contacts,
    current: new Map(current.contacts.map((c) => [c.id, c.properties])),
    mapping: deps.config.mapping,
    connectorSetsLifecycle: org.connectorSyncsDeals,
  });
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
