import { sql, type Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** Contacts leadloop handed off (a row in `handoffs`), by the email key each has: several contacts may share one. */
export async function handedOffByEmailKey(db: Kysely<LedgerSchema>, emailKeys: readonly string[]): Promise<Map<string, string[]>> {
  const wanted = [...new Set(emailKeys)];
  if (wanted.length === 0) return new Map();
  const rows = await handedOff(db).select(['k.email_key as key', 'k.hubspot_contact_id as contactId']).where('k.email_key', 'in', wanted).orderBy('k.hubspot_contact_id').execute();
  return group(rows);
}

/** Contacts leadloop handed off at each of these domains (normalised), by their email's domain or their website's. */
export async function handedOffByDomain(db: Kysely<LedgerSchema>, domains: readonly string[]): Promise<Map<string, string[]>> {
  const wanted = [...new Set(domains)];
  if (wanted.length === 0) return new Map();
  const byEmail = handedOff(db).select(['k.email_domain as key', 'k.hubspot_contact_id as contactId']).where('k.email_domain', 'in', wanted);
  const byWebsite = handedOff(db).select(['k.website_domain as key', 'k.hubspot_contact_id as contactId']).where('k.website_domain', 'in', wanted);
  const rows = await byEmail.union(byWebsite).orderBy('contactId').execute();
  return group(rows);
}

function handedOff(db: Kysely<LedgerSchema>) {
  return db
    .selectFrom('contact_keys as k')
    .where(({ exists, selectFrom }) => exists(selectFrom('handoffs as h').select(sql`1`.as('one')).whereRef('h.hubspot_contact_id', '=', 'k.hubspot_contact_id')));
}

function group(rows: readonly { key: string | null; contactId: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    if (r.key === null) continue;
    const list = out.get(r.key) ?? [];
    if (!list.includes(r.contactId)) list.push(r.contactId);
    out.set(r.key, list);
  }
  return out;
}
