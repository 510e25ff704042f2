import type { Contact } from '../domain/contact.ts';

/** The SDK's SimplePublicObject (dates as Date) as leadloop's contact. */
export function toContact(r: { id: string; properties: Record<string, string | null>; updatedAt: Date | string }): Contact {
  return { id: r.id, properties: r.properties, updatedAt: new Date(r.updatedAt).toISOString() };
}
