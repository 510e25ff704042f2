import type { KnownCampaign } from '../handoff/types.ts';

/**
 * Hand-offs recorded before campaign membership existed (pure): each hand-off that carried a
 * campaign name should be a CampaignMember of that campaign — a Lead hand-off by its Lead (by the
 * Contact it became when it was converted since), an existing-Contact hand-off by that Contact —
 * with mapping.yaml's member status. What Salesforce holds already is never added again.
 */

/** A hand-off the ledger holds with the campaign name it carried. */
export interface PastHandoff {
  handoffId: number;
  contactId: string;
  campaign: string;
  object: 'Lead' | 'Contact';
  salesforceId: string;
}

/** What Salesforce holds of the page's campaigns, records and memberships. */
export interface PastMemberFacts {
  /** Campaigns by name (lower case), with their member status labels: two or more of one name are ambiguous. */
  campaignsByName: ReadonlyMap<string, readonly KnownCampaign[]>;
  /** The page's Leads that still exist, with the Contact a converted one became. */
  leads: ReadonlyMap<string, { isConverted: boolean; convertedContactId: string | null }>;
  /** The page's Contacts (and converted leads' Contacts) that still exist. */
  contacts: ReadonlySet<string>;
  /** Memberships that exist, as `<campaign id>:<lead or contact id>`. */
  members: ReadonlySet<string>;
}

export type PastMemberSkip = 'campaign-missing' | 'campaign-ambiguous' | 'already-member' | 'record-gone';

export interface PastMemberPlan {
  /** Members to create, once per campaign and record; `key` is `<campaign id>:<record id>`. */
  members: { key: string; contactId: string; campaignId: string; leadId?: string; salesforceContactId?: string; status: string }[];
  /** Member statuses the campaigns lack (one per campaign). */
  statusCreates: { campaignId: string; label: string; sortOrder: number }[];
  skipped: { handoffId: number; contactId: string; reason: PastMemberSkip; campaign: string }[];
}

/**
 * The members a page of past hand-offs lacks. A campaign no campaign or several campaigns are named
 * (SOQL's `=` ignores case) is skipped, never guessed or created; a record Salesforce no longer
 * has (deleted, merged away) is skipped; a converted lead's membership is its Contact's.
 */
export function planPastMembers(handoffs: readonly PastHandoff[], facts: PastMemberFacts, status: string): PastMemberPlan {
  const plan: PastMemberPlan = { members: [], statusCreates: [], skipped: [] };
  const planned = new Set<string>();
  for (const h of handoffs) {
    const skip = (reason: PastMemberSkip) => plan.skipped.push({ handoffId: h.handoffId, contactId: h.contactId, reason, campaign: h.campaign });
    const matches = facts.campaignsByName.get(h.campaign.trim().toLowerCase()) ?? [];
    if (matches.length === 0) {
      skip('campaign-missing');
      continue;
    }
    if (matches.length > 1) {
      skip('campaign-ambiguous');
      continue;
    }
    const campaign = matches[0]!;
    let who: { leadId: string } | { salesforceContactId: string } | undefined;
    if (h.object === 'Lead') {
      const lead = facts.leads.get(h.salesforceId);
      if (lead && !lead.isConverted) who = { leadId: h.salesforceId };
      else if (lead?.convertedContactId && facts.contacts.has(lead.convertedContactId)) {
        // A member before its conversion still names the lead: either id counts as a membership.
        if (facts.members.has(`${campaign.id}:${h.salesforceId}`)) {
          skip('already-member');
          continue;
        }
        who = { salesforceContactId: lead.convertedContactId };
      }
    } else if (facts.contacts.has(h.salesforceId)) who = { salesforceContactId: h.salesforceId };
    if (!who) {
      skip('record-gone');
      continue;
    }
    const record = 'leadId' in who ? who.leadId : who.salesforceContactId;
    const key = `${campaign.id}:${record}`;
    if (facts.members.has(key) || planned.has(key)) {
      skip('already-member');
      continue;
    }
    planned.add(key);
    if (!campaign.statuses.some((s) => s.label === status) && !plan.statusCreates.some((s) => s.campaignId === campaign.id)) {
      plan.statusCreates.push({ campaignId: campaign.id, label: status, sortOrder: Math.max(0, ...campaign.statuses.map((s) => s.sortOrder ?? 0)) + 1 });
    }
    plan.members.push({ key, contactId: h.contactId, campaignId: campaign.id, ...who, status });
  }
  return plan;
}
