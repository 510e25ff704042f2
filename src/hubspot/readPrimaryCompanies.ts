import { AssociationTypes, type Client } from '@hubspot/api-client';
import { chunks } from './batch-errors.ts';
import { classifyHubSpotError } from './errors.ts';

// leadloop reads associations 100 contacts a call, as it does objects; the association batch
// limits themselves are unconfirmed (docs/hubspot-api.md#crm-objects-unconfirmed).
const BATCH_LIMIT = 100;

interface AssociationPage {
  results: { _from: { id: string }; to: { toObjectId: string; associationTypes: { typeId: number }[] }[]; paging?: { next?: { after?: string } } }[];
}

/**
 * Each contact's primary company: associations v4 batch read contacts → companies, 100 contacts a
 * call, the company whose types include HubSpot's "Primary" contact_to_company (type id 1,
 * docs/hubspot-api.md#associations). A contact with no company is reported by HubSpot as an error
 * of a 207 and is simply absent here. A contact with more than a page of companies (500) whose
 * primary is not on the first page is asked again from its `after`.
 */
export async function readPrimaryCompanies(client: Client, contactIds: readonly string[]): Promise<Map<string, string>> {
  const primary = new Map<string, string>();
  let pending: { id: string; after?: string }[] = [...new Set(contactIds)].map((id) => ({ id }));
  while (pending.length > 0) {
    const next: { id: string; after: string }[] = [];
    for (const chunk of chunks(pending, BATCH_LIMIT)) {
      let page: AssociationPage;
      try {
        page = (await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: chunk })) as AssociationPage;
      } catch (error) {
        throw classifyHubSpotError(error);
      }
      for (const result of page.results) {
        const company = result.to.find((t) => t.associationTypes.some((type) => type.typeId === AssociationTypes.primaryContactToCompany));
        if (company) primary.set(result._from.id, String(company.toObjectId));
        else if (result.paging?.next?.after) next.push({ id: result._from.id, after: result.paging.next.after });
      }
    }
    pending = next;
  }
  return primary;
}
