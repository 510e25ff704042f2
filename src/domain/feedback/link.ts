import { normalizeDomain } from '../domain-name.ts';
import { emailKey } from './contact-keys.ts';
import type { LinkEvidence, LinkPath, OpportunityLinks, OpportunitySnapshot } from './types.ts';

/**
 * The HubSpot contacts an opportunity belongs to, by the strongest evidence there is:
 * 1. `converted-lead`: the external ID of each lead converted into it (Lead.ConvertedOpportunityId);
 * 2. its contact roles, primary first: the Contact's external ID (`contact-role-external-id`),
 *    else its email matched to contacts leadloop handed off (`contact-role-email`);
 * 3. `account-domain`: the contacts leadloop handed off at its Account's website domain.
 * A weaker step is tried only when the stronger ones found nobody; within step 2 every role counts.
 * Erased contacts are never linked. An opportunity nobody links to is `unlinked`: recorded, listed,
 * never dropped. Deleted opportunities link the same way (the ledger marks them deleted).
 */
export function linkOpportunity(opportunity: OpportunitySnapshot, evidence: LinkEvidence): OpportunityLinks {
  const erased = evidence.erased ?? new Set<string>();
  const found = new Map<string, LinkPath>();
  const add = (contactId: string | null | undefined, path: LinkPath) => {
    if (!contactId || erased.has(contactId) || found.has(contactId)) return;
    found.set(contactId, path);
  };

  for (const lead of evidence.convertedLeads.get(opportunity.opportunityId) ?? []) add(lead.externalId, 'converted-lead');

  if (found.size === 0) {
    const roles = opportunity.contactRoles.toSorted((a, b) => Number(b.isPrimary) - Number(a.isPrimary));
    for (const role of roles) {
      if (role.externalId) {
        add(role.externalId, 'contact-role-external-id');
        continue;
      }
      const key = emailKey(role.email);
      for (const contactId of (key && evidence.handedOffByEmail.get(key)) || []) add(contactId, 'contact-role-email');
    }
  }

  if (found.size === 0) {
    const domain = normalizeDomain(opportunity.accountWebsite);
    for (const contactId of (domain && evidence.handedOffByDomain.get(domain)) || []) add(contactId, 'account-domain');
  }

  if (found.size === 0) return { kind: 'unlinked' };
  const contacts = [...found].map(([contactId, path]) => ({ contactId, path }));
  const order: LinkPath[] = ['converted-lead', 'contact-role-external-id', 'contact-role-email', 'account-domain'];
  const path = order.find((p) => contacts.some((c) => c.path === p)) ?? 'account-domain';
  return { kind: 'linked', path, contacts };
}
