import { z } from 'zod';
import type { ContactEvent } from '../domain/webhook-events.ts';

// HubSpot ids are numbers in deliveries; strings are accepted too, and kept as strings.
const objectId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

const event = z
  .object({
    objectId,
    subscriptionType: z.string().min(1).optional(),
    eventType: z.string().min(1).optional(),
    occurredAt: z.number().int().nonnegative(),
    eventId: z.union([z.number(), z.string()]).optional(),
    propertyName: z.string().optional(),
    primaryObjectId: objectId.optional(),
    mergedObjectIds: z.array(objectId).optional(),
    newObjectId: objectId.optional(),
    // Generic subscriptions (`object.creation`, ...) name the object type: contacts are 0-1.
    objectTypeId: z.string().optional(),
  })
  .loose()
  .refine((e) => e.subscriptionType !== undefined || e.eventType !== undefined, { message: 'needs subscriptionType (or eventType)' });

/** HubSpot posts a JSON array of events; "batch size can vary, but will be under 100". */
export const webhookBody = z.array(event).min(1).max(100);

/** Validates a parsed webhook body; the error names the first problem's path, never a value. */
export function parseWebhookBody(body: unknown): { ok: true; events: ContactEvent[] } | { ok: false; reason: string } {
  const parsed = webhookBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return { ok: false, reason: `${where}: ${issue.message}` };
  }
  return {
    ok: true,
    events: parsed.data.map((e) => ({
      type: contactEventType((e.subscriptionType ?? e.eventType)!, e.objectTypeId),
      objectId: e.objectId,
      occurredAt: e.occurredAt,
      ...(e.propertyName !== undefined ? { propertyName: e.propertyName } : {}),
      ...(e.primaryObjectId !== undefined ? { primaryObjectId: e.primaryObjectId } : {}),
      ...(e.mergedObjectIds !== undefined ? { mergedObjectIds: e.mergedObjectIds } : {}),
      ...(e.newObjectId !== undefined ? { newObjectId: e.newObjectId } : {}),
    })),
  };
}

const CONTACT_OBJECT_TYPE = '0-1';

/**
 * Apps on HubSpot's current developer platform may subscribe with the generic format
 * (`object.propertyChange` plus `objectTypeId`) or the legacy one (`contact.propertyChange`):
 * both come out as the legacy name for contacts; other objects keep theirs.
 */
function contactEventType(type: string, objectTypeId: string | undefined): string {
  if (type.startsWith('object.') && objectTypeId === CONTACT_OBJECT_TYPE) return `contact.${type.slice('object.'.length)}`;
  return type;
}
