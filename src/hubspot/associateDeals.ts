import type { Client } from '@hubspot/api-client';
import { chunks } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';

// leadloop sends 100 pairs a call, as for objects; the association batch limits themselves are
// unconfirmed (docs/hubspot-api.md#crm-objects-unconfirmed).
const BATCH_LIMIT = 100;

/** A deal and the records to associate it with. */
export interface DealLinks {
  dealId: string;
  contactIds: readonly string[];
  companyIds: readonly string[];
}

/**
 * Adds the default (unlabelled) association of each deal with each of its contacts and companies:
 * associations v4 `batch/associate/default` deals → contacts and deals → companies, 100 pairs a
 * call (docs/hubspot-api.md#associations). Idempotent: an association that exists stays as it is,
 * with its labels (a primary company stays primary), so every pair is sent without reading first.
 * A pair whose record no longer exists is refused on its own (207) and left out; the others are
 * written. Returns the number of pairs HubSpot refused.
 */
export async function associateDeals(client: Client, links: readonly DealLinks[]): Promise<{ refused: number }> {
  let refused = 0;
  for (const [to, ids] of [
    ['contacts', (l: DealLinks) => l.contactIds],
    ['companies', (l: DealLinks) => l.companyIds],
  ] as const) {
    const pairs = links.flatMap((l) => [...new Set(ids(l))].map((id) => ({ _from: { id: l.dealId }, to: { id } })));
    for (const chunk of chunks(pairs, BATCH_LIMIT)) {
      try {
        const response = (await client.crm.associations.v4.batchApi.createDefault('deals', to, { inputs: chunk })) as { errors?: unknown[] };
        refused += response.errors?.length ?? 0;
      } catch (error) {
        throw classifyHubSpotError(error);
      }
    }
  }
  return { refused };
}
