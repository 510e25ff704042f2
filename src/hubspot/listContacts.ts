import type { Client } from '@hubspot/api-client';
import type { BeforeCall, HubSpotContact } from './client.ts';
import { toHubSpotError } from './errors.ts';

/**
 * Full backfill through the list endpoint: no 10,000-result cap (unlike search), 100 a page,
 * resumable from the `after` cursor the caller persists after each page.
 */
export async function* listContacts(
  client: Client,
  options: { properties: readonly string[]; after?: string; beforeCall?: BeforeCall },
): AsyncGenerator<{ contacts: HubSpotContact[]; after: string | undefined }> {
  let after = options.after;
  for (;;) {
    await options.beforeCall?.('standard');
    let page;
    try {
      page = await client.crm.contacts.basicApi.getPage(100, after, [...options.properties]);
    } catch (error) {
      throw toHubSpotError(error);
    }
    after = page.paging?.next?.after;
    yield { contacts: page.results.map((r) => ({ id: r.id, properties: r.properties, updatedAt: r.updatedAt.toISOString() })), after };
    if (after === undefined) return;
  }
}
