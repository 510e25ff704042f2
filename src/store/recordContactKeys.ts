import { sql, type Kysely } from 'kysely';
import type { ContactKeys } from '../domain/feedback/contact-keys.ts';
import type { LedgerSchema } from './schema.ts';

// PostgreSQL takes at most 65,535 parameters a statement (5 a row).
const ROWS_PER_STATEMENT = 5_000;

/**
 * Stores what an opportunity finds handed-off contacts by — the hash of the email and the domains
 * of email and website (`contactKeys` in src/domain/feedback) — replacing what a contact had.
 */
export async function recordContactKeys(db: Kysely<LedgerSchema>, keys: readonly ContactKeys[], at: number): Promise<void> {
  const unique = [...new Map(keys.map((k) => [k.contactId, k])).values()];
  for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
    await db
      .insertInto('contact_keys')
      .values(
        unique.slice(i, i + ROWS_PER_STATEMENT).map((k) => ({
          hubspot_contact_id: k.contactId,
          email_key: k.emailKey,
          email_domain: k.emailDomain,
          website_domain: k.websiteDomain,
          updated_at: new Date(at),
        })),
      )
      .onConflict((oc) =>
        oc.column('hubspot_contact_id').doUpdateSet((eb) => ({
          email_key: eb.ref('excluded.email_key'),
          email_domain: eb.ref('excluded.email_domain'),
          website_domain: eb.ref('excluded.website_domain'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Handed-off contacts whose keys the ledger lacks (handed off before it kept them, or by a
 * pipeline that did not record them), a page at a time in id order after `after`: the feedback
 * reads them from HubSpot and records their keys. Erased contacts are not among them.
 */
export async function contactsMissingKeys(db: Kysely<LedgerSchema>, options: { limit: number; after?: string }): Promise<string[]> {
  let query = db
    .selectFrom('handoffs as h')
    .select('h.hubspot_contact_id')
    .distinct()
    .where('h.hubspot_contact_id', 'not like', 'erased:%')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('contact_keys as k').select(sql`1`.as('one')).whereRef('k.hubspot_contact_id', '=', 'h.hubspot_contact_id'))));
  if (options.after !== undefined) query = query.where('h.hubspot_contact_id', '>', options.after);
  const rows = await query.orderBy('h.hubspot_contact_id').limit(options.limit).execute();
  return rows.map((r) => r.hubspot_contact_id);
}
