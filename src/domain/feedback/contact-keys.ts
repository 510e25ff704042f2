import { createHash } from 'node:crypto';
import { normalizeDomain } from '../domain-name.ts';

/**
 * The key an email is matched by: a hash of the trimmed, lower-case address. The ledger keeps this
 * key of each handed-off contact, never the address, and a contact role's email is matched by the
 * same key. Undefined for an empty or malformed address.
 */
export function emailKey(email: string | null | undefined): string | undefined {
  const text = email?.trim().toLowerCase();
  if (!text || !/^[^@\s]+@[^@\s]+$/.test(text)) return undefined;
  return createHash('sha256').update(text).digest('base64url');
}

/** What the ledger keeps of a handed-off contact so an opportunity can find it: its email key and its domains. */
export interface ContactKeys {
  contactId: string;
  emailKey: string | null;
  /** The email's domain, normalised. */
  emailDomain: string | null;
  /** The website's domain, normalised. */
  websiteDomain: string | null;
}

/** A contact's keys from its HubSpot `email` and `website` properties. */
export function contactKeys(contactId: string, properties: { email?: string | null; website?: string | null }): ContactKeys {
  return {
    contactId,
    emailKey: emailKey(properties.email) ?? null,
    emailDomain: normalizeDomain(properties.email) ?? null,
    websiteDomain: normalizeDomain(properties.website) ?? null,
  };
}
