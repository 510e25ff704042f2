import type { Client } from '@hubspot/api-client';
import type { Contact } from '../domain/contact.ts';
import { toContact } from './contact.ts';
import { classifyHubSpotError } from './errors.ts';

/**
 * Full backfill through the list endpoint: no 10,000-result cap (unlike search), 100 a page,
 * resumable from the `after` cursor the caller persists after each page.
 */
export async function* listContacts(client: Client, options: { properties: readonly string[]; after?: string }): AsyncGenerator<{ contacts: Contact[]; after: string | undefined }> {
  let after = options.after;
  for (;;) {
    let page: Awaited<ReturnType<Client['crm']['contacts']['basicApi']['getPage']>>;
    try {
      page = await client.crm.contacts.basicApi.getPage(100, after, [...options.properties]);
    } catch (error) {
      throw classifyHubSpotError(error);
    }
    after = page.paging?.next?.after;
    yield { contacts: page.results.map(toContact), after };
    if (after === undefined) return;
  }
}
