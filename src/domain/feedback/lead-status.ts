import type { MappingConfig } from '../config/mapping.ts';
import type { LeadSnapshot, LeadStatusChange, LeadStatusClass, LeadStatusHistoryRow } from './types.ts';

type LeadStatusMapping = MappingConfig['lead_status'];
/** mapping.yaml's `lead_status` section, or the whole mapping config. */
type StatusLists = LeadStatusMapping | Pick<MappingConfig, 'lead_status'>;

const listsOf = (mapping: StatusLists): LeadStatusMapping => ('lead_status' in mapping ? mapping.lead_status : mapping);

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * What a Lead Status means, by mapping.yaml's `lead_status` lists: accepted (SQL), disqualified,
 * recycled (back to marketing). A status in no list — new, being worked, or a converted status
 * nobody listed — is `open`. Compared trimmed and case-insensitively; a status listed twice
 * counts for the first list in that order.
 */
export function classifyLeadStatus(status: string | null | undefined, lists: StatusLists): LeadStatusClass {
  const mapping = listsOf(lists);
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
 * Status alone), so the latest disqualification carries it. A converted lead was accepted by
 * sales whatever its converted status is called: its current status counts as `accepted` unless
 * mapping.yaml lists it as something else.
 *
 * Tracked history has gaps (a status set before tracking was turned on, or while it was off):
 * the status a lead had before its first row (that row's OldValue) is recorded as approximated,
 * dated just before that row; and a current status no row leads to (none at all, or set since the
 * last row) is recorded as approximated, dated by SystemModstamp — so a lead already accepted
 * when tracking began still counts as accepted.
 */
export function leadStatusChanges(lead: LeadSnapshot, history: readonly LeadStatusHistoryRow[] | undefined, lists: StatusLists): LeadStatusChange[] {
  const mapping = listsOf(lists);
  const classOf = (status: string, isCurrent: boolean): LeadStatusClass => {
    const listed = classifyLeadStatus(status, mapping);
    return listed === 'open' && isCurrent && lead.isConverted ? 'accepted' : listed;
  };
  const reasonFor = (status: string, isCurrent: boolean): string | null => (isCurrent && classOf(status, true) === 'disqualified' ? (lead.disqualifiedReason ?? null) : null);
  const current: LeadStatusChange = {
    leadId: lead.leadId,
    contactId: lead.contactId,
    status: lead.status,
    class: classOf(lead.status, true),
    changedAt: lead.systemModstamp,
    approximated: true,
    reason: reasonFor(lead.status, true),
  };
  if (history === undefined) return [current];
  const rows = history
    .filter((r): r is LeadStatusHistoryRow & { newValue: string } => r.leadId === lead.leadId && r.newValue !== null && r.newValue !== '')
    .toSorted((a, b) => a.createdDate - b.createdDate);
  if (rows.length === 0) return [current];
  const changes: LeadStatusChange[] = rows.map((r, i) => {
    const isCurrent = i === rows.length - 1 && same(r.newValue, lead.status);
    return {
      leadId: lead.leadId,
      contactId: lead.contactId,
      status: r.newValue,
      class: classOf(r.newValue, isCurrent),
      changedAt: r.createdDate,
      approximated: false,
      reason: reasonFor(r.newValue, isCurrent),
    };
  });
  const before = rows[0]!.oldValue;
  if (before) {
    changes.unshift({ leadId: lead.leadId, contactId: lead.contactId, status: before, class: classOf(before, false), changedAt: rows[0]!.createdDate - 1, approximated: true, reason: null });
  }
  if (!same(rows.at(-1)!.newValue, lead.status)) changes.push(current);
  return changes;
}
