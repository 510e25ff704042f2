import { anonymisedLeadFields } from '../domain/mapping/anonymise.ts';
import { rejectionReason, type Rejection } from '../errors/index.ts';
import type { SyncDeps } from './ports.ts';

export interface PurgeResult {
  leads: { mode: 'delete' | 'anonymise' | 'keep'; erased: number; refused: number };
  tasks: { erased: number; refused: number };
  ledger: { decisions: number; handoffs: number };
  deadLetters: number;
}

/**
 * A HubSpot privacy deletion. In Salesforce, as mapping.yaml's privacy_deletion says (delete,
 * anonymise or keep): the leads leadloop created for the contact — those the ledger lists, and any
 * lead carrying the contact's id in our external ID field that the ledger does not list as
 * adopted (sales' own record), which catches a write that landed after the ledger was read — and
 * the tasks leadloop created for it (their subject and comments can name the person). What
 * Salesforce refuses to erase (a converted lead) is dead-lettered by its Salesforce id alone, for a
 * person to erase. Then the ledger forgets the person (decisions, scores, state; hand-offs stay for
 * the figures without the link) and the contact's dead letters go. Idempotent: the webhook intake
 * runs it twice (soon, and after every write in flight has had time to land).
 */
export async function purgeContactData(deps: Pick<SyncDeps, 'leads' | 'ledger' | 'contactState' | 'config' | 'deadLetter' | 'now'>, contactId: string): Promise<PurgeResult> {
  const mode = deps.config.mapping.privacy_deletion.salesforce_lead;
  const result: PurgeResult = { leads: { mode, erased: 0, refused: 0 }, tasks: { erased: 0, refused: 0 }, ledger: { decisions: 0, handoffs: 0 }, deadLetters: 0 };
  if (mode !== 'keep') {
    const [recorded, keyed] = await Promise.all([deps.ledger.leadsOf(contactId), deps.leads.leadsKeyedBy(contactId)]);
    const adopted = new Set(recorded.adopted);
    const ours = [...new Set([...recorded.created, ...keyed.filter((l) => !adopted.has(l.id)).map((l) => l.id)])];
    const anonymised = { ...anonymisedLeadFields(deps.config.mapping), [deps.config.mapping.external_id_field]: null };
    const leads = ours.length > 0 ? await deps.leads.eraseLeads(ours, mode, anonymised) : { erased: [], rejections: [] };
    const tasks = await deps.leads.eraseTasks(contactId, mode);
    result.leads = { mode, erased: leads.erased.length, refused: leads.rejections.length };
    result.tasks = { erased: tasks.erased.length, refused: tasks.rejections.length };
    // A record Salesforce refuses to erase must not keep us from erasing the rest: a person takes it from here.
    await deadLetterRefusals(deps, [...leads.rejections, ...tasks.rejections], mode);
  }
  result.ledger = await deps.ledger.purgeContact(contactId);
  await deps.contactState.forget([contactId]);
  result.deadLetters = await deps.deadLetter.dropForRecord(contactId);
  return result;
}

async function deadLetterRefusals(deps: Pick<SyncDeps, 'deadLetter' | 'now'>, refusals: readonly Rejection[], mode: 'delete' | 'anonymise'): Promise<void> {
  for (const r of refusals) {
    // Keyed by the Salesforce id only: nothing here links back to the person.
    await deps.deadLetter.add({
      system: 'leadloop',
      operation: 'privacy-erase',
      recordKey: `salesforce-${r.recordKey}`,
      reason: `a privacy deletion could not ${mode} Salesforce record ${r.recordKey} (${rejectionReason(r)}): erase it in Salesforce by hand (a converted lead: erase its contact too), then drop this entry`,
      error: { code: r.code, fields: r.fields },
      at: deps.now(),
    });
  }
}
