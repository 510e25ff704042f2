import type { PropertyBag } from '../config/condition.ts';
import type { LeadloopConfig } from '../config/index.ts';
import type { LeadDecision } from '../decide.ts';
import type { RoutedHandoff } from '../handoff/types.ts';
import type { AccountMatch } from '../routing/types.ts';
import type { ContactHistory } from '../scoring/types.ts';
import { type DecisionTrace, type TraceInputs, type TraceKind, traceOf } from './decision-trace.ts';

/** One decision's trace, to store. A held-back contact's key is the ledger's own (its decision's). */
export interface TraceRecord {
  contactId: string;
  handoffKey: string;
  kind: TraceKind;
  inputs: TraceInputs;
  trace: DecisionTrace;
}

export interface BatchTraceInput {
  /** `properties` as decided on (with the derived source); `pulled`, as HubSpot sent them: the inputs kept. */
  contacts: readonly { id: string; properties: PropertyBag; pulled?: PropertyBag; history: ContactHistory }[];
  decisions: ReadonlyMap<string, LeadDecision>;
  /** The batch's hand-offs after storing: those still carrying `fresh` are the decisions this run stored. */
  handoffs: readonly RoutedHandoff[];
  heldBack: readonly { contactId: string }[];
  handoffKeyOf: (contactId: string) => string | undefined;
  config: LeadloopConfig;
  accountByDomain: (domain: string) => AccountMatch | undefined;
}

/**
 * The traces a scored batch leaves: one for each decision it stored (a hand-off), each contact
 * held back at install, and each contact scored without a hand-off (its latest evaluation under its
 * hand-off key). A hand-off that reused a stored decision leaves none: its trace is the one stored
 * with it; a contact cooling down after sales gave it back (no key) leaves none either.
 */
export function batchTraces(input: BatchTraceInput): TraceRecord[] {
  const fresh = new Map(input.handoffs.filter((h) => h.fresh).map((h) => [h.contactId, h]));
  const handedOff = new Set(input.handoffs.map((h) => h.contactId));
  const heldBack = new Set(input.heldBack.map((h) => h.contactId));
  const records: TraceRecord[] = [];
  for (const contact of input.contacts) {
    const decision = input.decisions.get(contact.id);
    if (!decision) continue;
    // As pulled, so a replay tells the source under its own config (mapping.yaml source.derive may change).
    const inputs = { properties: contact.pulled ?? contact.properties, history: contact.history };
    const handoff = fresh.get(contact.id);
    let kind: TraceKind;
    let handoffKey: string | undefined;
    if (handoff) {
      kind = 'handoff';
      handoffKey = handoff.handoffKey;
    } else if (heldBack.has(contact.id)) {
      kind = 'held-back';
      handoffKey = input.handoffKeyOf(contact.id);
    } else if (!handedOff.has(contact.id) && !decision.score.handoff) {
      kind = 'scored';
      handoffKey = input.handoffKeyOf(contact.id);
    } else {
      continue;
    }
    if (handoffKey === undefined) continue;
    records.push({ contactId: contact.id, handoffKey, kind, inputs, trace: traceOf(decision, contact.properties, input.config, input.accountByDomain, handoff?.assignee) });
  }
  return records;
}
