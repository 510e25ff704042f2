import type { MappingConfig } from '../config/mapping.ts';
import type { LeadSnapshot, LeadStatusChange, LeadStatusClass, LeadStatusHistoryRow } from './types.ts';

type LeadStatusMapping = MappingConfig['lead_status'];

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * What a Lead Status means, by mapping.yaml's `lead_status` lists: accepted (SQL), disqualified,
 * recycled (back to marketing). A status in no list — new, being worked, or a converted status
 * nobody listed — is `open`. Compared trimmed and case-insensitively; a status listed twice
 * counts for the first list in that order.
 */
export function classifyLeadStatus(status: string | null | undefined, mapping: LeadStatusMapping): LeadStatusClass {
  if (!status) return 'open';
  if (mapping.accepted.some((s) => same(s, status))) return 'accepted';
  if (mapping.disqualified.some((s) => same(s, status))) return 'disqualified';
  if (mapping.recycled?.some((s) => same(s, status))) return 'recycled';
  return 'open';
}

/**
 * A lead's status changes. Where Status history is tracked (`history` given, LeadHistory rows of
 * the lead's Status field, possibly none), each row is a change at its own time. Where it is not
 * (`history` undefined), only the current status is known, dated by SystemModstamp — the latest
 * edit of any field, so at or after the real change — and flagged `approximated`. The reason is
 * kept for disqualifications only, and only from the lead's current value (LeadHistory tracks
 * Status alone), so the latest disqualification carries it.
 */
export function leadStatusChanges(lead: LeadSnapshot, history: readonly LeadStatusHistoryRow[] | undefined, mapping: LeadStatusMapping): LeadStatusChange[] {
  const reasonFor = (status: string, isCurrent: boolean): string | null => (isCurrent && classifyLeadStatus(status, mapping) === 'disqualified' ? (lead.disqualifiedReason ?? null) : null);
  if (history === undefined) {
    return [
      {
        leadId: lead.leadId,
        contactId: lead.contactId,
        status: lead.status,
        class: classifyLeadStatus(lead.status, mapping),
        changedAt: lead.systemModstamp,
        approximated: true,
        reason: reasonFor(lead.status, true),
      },
    ];
  }
  const rows = history
    .filter((r): r is LeadStatusHistoryRow & { newValue: string } => r.leadId === lead.leadId && r.newValue !== null && r.newValue !== '')
    .toSorted((a, b) => a.createdDate - b.createdDate);
  return rows.map((r, i) => ({
    leadId: lead.leadId,
    contactId: lead.contactId,
    status: r.newValue,
    class: classifyLeadStatus(r.newValue, mapping),
    changedAt: r.createdDate,
    approximated: false,
    reason: reasonFor(r.newValue, i === rows.length - 1 && same(r.newValue, lead.status)),
  }));
}
