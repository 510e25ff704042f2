import { anonymisedLeadFields } from '../domain/mapping/anonymise.ts';
import { eraseLeads } from '../salesforce/eraseLeads.ts';
import { leadsCreatedFor, purgeContact } from '../store/purgeContact.ts';
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
export async function purgeContactData(deps: Pick<SyncDeps, 'salesforce' | 'ledger' | 'state' | 'config'> & { dropDeadLetters: (recordKey: string) => Promise<number> }, contactId: string): Promise<PurgeResult> {
  const mode = deps.config.mapping.privacy_deletion.salesforce_lead;
  const leadIds = mode === 'keep' ? [] : await leadsCreatedFor(deps.ledger, contactId);
  const erased = leadIds.length > 0 && mode !== 'keep' ? await eraseLeads(deps.salesforce, leadIds, mode, anonymisedLeadFields(deps.config.mapping)) : { erased: [], refused: [] };
  // A lead Salesforce refuses to erase (e.g. converted) must not keep us from erasing the rest.
  const ledger = await purgeContact(deps.ledger, contactId);
  await deps.state.forget([contactId]);
  const deadLetters = await deps.dropDeadLetters(contactId);
  return { leads: { mode, erased: erased.erased.length, refused: erased.refused.length }, ledger, deadLetters };
}
