/**
 * What a batch of HubSpot contact webhook events asks leadloop to do. Pure: the HTTP layer
 * validates the body, this decides, the queue layer enqueues.
 */

/** One event as HubSpot delivers it, after validation (either `subscriptionType` or `eventType`). */
export interface ContactEvent {
  type: string;
  objectId: string;
  occurredAt: number;
  propertyName?: string;
  primaryObjectId?: string;
  mergedObjectIds?: string[];
  newObjectId?: string;
}

export interface Merge {
  /** The contact that survives the merge. */
  survivorId: string;
  /** The contacts merged into it (their ids no longer exist in HubSpot). */
  mergedIds: string[];
}

export interface WebhookPlan {
  /** Contacts to score (and hand off when qualified), each once. */
  handoffs: string[];
  merges: Merge[];
  /** Privacy deletions: every trace of these contacts goes (ledger, state, and per config Salesforce). */
  purges: string[];
  /** Plain deletions: nothing to hand off; the Salesforce lead is sales' and stays. */
  deletions: string[];
  ignored: { ownProperty: number; unknownType: number; notContact: number };
}

const HANDOFF_TYPES = new Set(['contact.creation', 'contact.propertyChange', 'contact.restore', 'contact.associationChange']);

/**
 * Several events for one contact become one hand-off; a contact deleted or merged away in the
 * same batch is not handed off; changes to the properties leadloop writes itself are ignored,
 * so our write-back never triggers a hand-off.
 */
export function planWebhookEvents(events: readonly ContactEvent[], ownProperties: ReadonlySet<string>): WebhookPlan {
  const plan: WebhookPlan = { handoffs: [], merges: [], purges: [], deletions: [], ignored: { ownProperty: 0, unknownType: 0, notContact: 0 } };
  const handoffs = new Set<string>();
  const gone = new Set<string>();
  const purges = new Set<string>();
  const deletions = new Set<string>();
  // HubSpot does not order deliveries: occurredAt does.
  const ordered = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
  for (const event of ordered) {
    if (!event.type.startsWith('contact.')) {
      plan.ignored.notContact += 1;
      continue;
    }
    if (event.type === 'contact.propertyChange' && event.propertyName && ownProperties.has(event.propertyName)) {
      plan.ignored.ownProperty += 1;
      continue;
    }
    if (HANDOFF_TYPES.has(event.type)) {
      handoffs.add(event.objectId);
      if (event.type === 'contact.restore') {
        gone.delete(event.objectId);
        deletions.delete(event.objectId);
      }
    } else if (event.type === 'contact.merge') {
      const survivorId = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
      const mergedIds = [...new Set([...(event.mergedObjectIds ?? []), ...(event.primaryObjectId ? [event.primaryObjectId] : [])])].filter((id) => id !== survivorId);
      plan.merges.push({ survivorId, mergedIds });
      for (const id of mergedIds) gone.add(id);
      handoffs.add(survivorId);
    } else if (event.type === 'contact.privacyDeletion') {
      purges.add(event.objectId);
      gone.add(event.objectId);
    } else if (event.type === 'contact.deletion') {
      deletions.add(event.objectId);
      gone.add(event.objectId);
    } else {
      plan.ignored.unknownType += 1;
    }
  }
  plan.handoffs = [...handoffs].filter((id) => !gone.has(id));
  plan.purges = [...purges];
  plan.deletions = [...deletions].filter((id) => !purges.has(id));
  return plan;
}
