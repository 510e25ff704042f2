import { anonymisedLeadFields } from '../domain/mapping/anonymise.ts';
import type { SyncDeps } from './ports.ts';

export interface PurgeResult {
  leads: { mode: 'delete' | 'anonymise' | 'keep'; erased: number; refused: number };
  ledger: { decisions: number; handoffs: number };
  deadLetters: number;
}

/**
 * A HubSpot privacy deletion: the Lead leadloop created is deleted or anonymised (as
 * mapping.yaml's privacy_deletion says), then the contact's decisions leave the ledger, its
 * hand-offs lose every link to the person, and its state and dead letters are dropped. Salesforce
 * goes first, so a failure there is retried with the ledger still knowing which lead to erase.
 */
export async function purgeContactData(deps: Pick<SyncDeps, 'leads' | 'ledger' | 'contactState' | 'config' | 'deadLetter'>, contactId: string): Promise<PurgeResult> {
  const mode = deps.config.mapping.privacy_deletion.salesforce_lead;
  const leadIds = mode === 'keep' ? [] : await deps.ledger.leadsCreatedFor(contactId);
  const erased = leadIds.length > 0 && mode !== 'keep' ? await deps.leads.eraseLeads(leadIds, mode, anonymisedLeadFields(deps.config.mapping)) : { erased: [], rejections: [] };
  // A lead Salesforce refuses to erase (e.g. converted) must not keep us from erasing the rest.
  const ledger = await deps.ledger.purgeContact(contactId);
  await deps.contactState.forget([contactId]);
  const deadLetters = await deps.deadLetter.dropForRecord(contactId);
  return { leads: { mode, erased: erased.erased.length, refused: erased.rejections.length }, ledger, deadLetters };
}
