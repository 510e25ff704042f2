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
      type: (e.subscriptionType ?? e.eventType)!,
      objectId: e.objectId,
      occurredAt: e.occurredAt,
      ...(e.propertyName !== undefined ? { propertyName: e.propertyName } : {}),
      ...(e.primaryObjectId !== undefined ? { primaryObjectId: e.primaryObjectId } : {}),
      ...(e.mergedObjectIds !== undefined ? { mergedObjectIds: e.mergedObjectIds } : {}),
      ...(e.newObjectId !== undefined ? { newObjectId: e.newObjectId } : {}),
    })),
  };
}
