import type { Client } from '@hubspot/api-client';
import type { Contact, ContactCursor } from '../domain/contact.ts';
import { toContact } from './contact.ts';
import { classifyHubSpotError } from './errors.ts';

export interface SearchPullOptions {
  cursor: ContactCursor;
  /** Upper bound of the window: now minus HubSpot's indexing lag, so nothing still being indexed is skipped. */
  until: number;
  properties: readonly string[];
  /** Contacts per page; HubSpot allows at most 200. */
  pageSize?: number;
}

export interface ContactPage {
  contacts: Contact[];
  cursor: ContactCursor;
}

/**
 * Pulls contacts modified since the cursor with keyset paging. Search allows one sort and `after`
 * is an offset that shifts when records change, so each page is a fresh query starting at the
 * cursor (`lastmodifieddate GTE at AND LTE until`, ascending) that skips the ids already taken at
 * the boundary timestamp. When a whole page is already taken (a tie at least a page long), the
 * tie is read on `hs_object_id` instead (EQ at, GT last id, sorted by id): no offsets, so neither
 * the 10,000-result cap nor records changing meanwhile can skip a contact.
 */
export async function* searchModifiedContacts(client: Client, options: SearchPullOptions): AsyncGenerator<ContactPage> {
  const pageSize = Math.min(options.pageSize ?? 200, 200);
  const properties = [...new Set([...options.properties, 'lastmodifieddate', 'hs_object_id'])];
  let cursor: ContactCursor = { ...options.cursor, idsAtBoundary: [...options.cursor.idsAtBoundary] };

  for (;;) {
    if (cursor.tieAfterId !== undefined) {
      const results = await search(client, {
        filterGroups: [
          {
            filters: [
              { propertyName: 'lastmodifieddate', operator: 'EQ', value: String(cursor.at) },
              { propertyName: 'hs_object_id', operator: 'GT', value: cursor.tieAfterId },
            ],
          },
        ],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties,
        limit: pageSize,
        after: '0',
      });
      const seen = new Set(cursor.idsAtBoundary);
      const taken = results.filter((c) => !seen.has(c.id));
      const last = results.at(-1)?.id;
      cursor =
        results.length < pageSize
          ? { at: cursor.at, idsAtBoundary: [], pastBoundary: true }
          : { at: cursor.at, tieAfterId: last!, idsAtBoundary: cursor.idsAtBoundary.filter((id) => Number(id) > Number(last)) };
      if (taken.length > 0 || results.length < pageSize) yield { contacts: taken, cursor: copy(cursor) };
      continue;
    }

    const results = await search(client, {
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: cursor.pastBoundary ? 'GT' : 'GTE', value: String(cursor.at) },
            { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(options.until) },
          ],
        },
      ],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties,
      limit: pageSize,
      // Never an offset past the boundary ids: records written meanwhile (our own write-back
      // included) leave the window and would shift it, skipping contacts never seen.
      after: '0',
    });
    const seen = new Set(cursor.pastBoundary ? [] : cursor.idsAtBoundary);
    const taken: Contact[] = [];
    let next: ContactCursor = copy(cursor);
    for (const contact of results) {
      const at = Date.parse(contact.properties.lastmodifieddate ?? contact.updatedAt);
      if (at === cursor.at && seen.has(contact.id)) continue;
      if (cursor.pastBoundary && at <= cursor.at) continue;
      taken.push(contact);
      if (at > next.at || next.pastBoundary) next = { at: Math.max(at, next.at), idsAtBoundary: [contact.id] };
      else next.idsAtBoundary.push(contact.id);
    }
    if (taken.length === 0 && results.length === pageSize) {
      // A full page of ids already taken: read the rest of the tie at `at` by id.
      cursor = { at: cursor.at, idsAtBoundary: cursor.idsAtBoundary, tieAfterId: '0' };
      continue;
    }
    cursor = next;
    if (taken.length > 0) yield { contacts: taken, cursor: copy(cursor) };
    if (results.length < pageSize) return;
  }
}

interface SearchRequest {
  filterGroups: { filters: { propertyName: string; operator: string; value: string }[] }[];
  sorts: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: string[];
  limit: number;
  after: string;
}

async function search(client: Client, request: SearchRequest): Promise<Contact[]> {
  try {
    // The SDK types `sorts` as strings but passes objects through unchanged (docs/hubspot-api.md, "Search").
    const page = await client.crm.contacts.searchApi.doSearch(request as never);
    return page.results.map(toContact);
  } catch (error) {
    throw classifyHubSpotError(error);
  }
}

function copy(cursor: ContactCursor): ContactCursor {
  return { ...cursor, idsAtBoundary: [...cursor.idsAtBoundary] };
}
