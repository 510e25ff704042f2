import type { PropertyBag } from '../config/condition.ts';
import type { LeadloopConfig } from '../config/index.ts';
import { decide, type LeadDecision } from '../decide.ts';
import type { AccountMatch, Assignee } from '../routing/types.ts';
import { qualifiedAt } from '../scoring/qualified-at.ts';
import type { ContactHistory } from '../scoring/types.ts';
import type { OwnerDirectory, RoutedHandoff, RoutingState, StoredRouting } from './types.ts';

export interface RouteBatchInput {
  contacts: readonly { id: string; properties: PropertyBag; history: ContactHistory }[];
  /** Decisions stored for these contacts' hand-offs: reused, never routed again. */
  stored: ReadonlyMap<string, StoredRouting>;
  /** Round-robin positions and today's loads before this batch (not changed). */
  state: RoutingState;
  directory: OwnerDirectory;
  accountByDomain: (domain: string) => AccountMatch | undefined;
  config: LeadloopConfig;
  now: number;
  /** Each contact's hand-off key: 'first', or one of its own for a hand-off again (REHANDOFF_PREFIX); undefined: not to be handed off now (cooling down). */
  handoffKeyOf: (contactId: string) => string | undefined;
  /**
   * A first hand-off of a contact that qualified before this instant (leadloop's install minus
   * sync.yaml's `backfill.handoff_within`) is held back: scored and written back, not handed off.
   */
  heldBackBefore?: number;
}

/** The key of a hand-off again starts with this; its Lead is reopened rather than only updated. */
export const REHANDOFF_PREFIX = 'again:';

export interface RoutedBatch {
  /** Every contact's decision (score, grade, hand-off), by contact id. */
  decisions: Map<string, LeadDecision>;
  /** The contacts handed off, in input order. */
  handoffs: RoutedHandoff[];
  /** Round-robin positions and loads after this batch's fresh decisions. */
  state: RoutingState;
  /** Contacts that qualified before install (see heldBackBefore), with when they qualified. */
  heldBack: { contactId: string; qualifiedAt: number; score: number; grade: 'hot' | 'warm' | 'cold'; mql: boolean; reason: 'immediate_source' | 'mql' }[];
}

/**
 * Scores a batch and routes the hand-offs that have no stored decision, one after another, each
 * seeing the round-robin positions and loads the previous ones left. Owners get their Salesforce
 * ids from the directory. Pure: the caller stores the fresh decisions (and only then counts their
 * state changes) before anything is written.
 */
export function routeBatch(input: RouteBatchInput): RoutedBatch {
  const { directory, config, now } = input;
  const state: RoutingState = { roundRobin: { ...input.state.roundRobin }, loadToday: { ...input.state.loadToday } };
  const inactiveOwners = new Set([...directory.usersByEmail].filter(([, u]) => !u.active).map(([email]) => email));
  const context = {
    now,
    roundRobin: state.roundRobin,
    loadToday: state.loadToday,
    inactiveOwners,
    accountByDomain: accountLookup(input.accountByDomain, directory),
  };
  const decisions = new Map<string, LeadDecision>();
  const handoffs: RoutedHandoff[] = [];
  const heldBack: RoutedBatch['heldBack'] = [];
  for (const contact of input.contacts) {
    const decision = decide({ id: contact.id, properties: contact.properties }, contact.history, config, context);
    decisions.set(contact.id, decision);
    if (!decision.score.handoff || !decision.route) continue;
    const handoffKey = input.handoffKeyOf(contact.id);
    if (handoffKey === undefined) continue;
    const stored = input.stored.get(contact.id);
    const qualified = input.heldBackBefore !== undefined && handoffKey === 'first' && !stored ? qualifiedAt(decision.score, contact.properties, config.scoring, now) : undefined;
    if (qualified !== undefined && qualified < input.heldBackBefore!) {
      // Scored and written back as it is, but not handed off: it stays with marketing.
      decisions.set(contact.id, { score: { ...decision.score, handoff: false }, tasks: [] });
      const s = decision.score;
      heldBack.push({ contactId: contact.id, qualifiedAt: qualified, score: s.score, grade: s.grade, mql: s.mql, reason: s.handoffReason ?? 'mql' });
      continue;
    }
    const reopen = handoffKey.startsWith(REHANDOFF_PREFIX) ? { reopenStatus: config.mapping.back_to_marketing.reopen_status } : {};
    if (stored) {
      handoffs.push({
        contactId: contact.id,
        handoffKey,
        properties: contact.properties,
        decision,
        assignee: asConfigured(stored.assignee, config),
        notify: stored.notify,
        firstTime: stored.landedId === null,
        ...reopen,
      });
      continue;
    }
    const route = decision.route;
    const assignee = withSalesforceId(route.assignee, directory);
    if (route.roundRobin) state.roundRobin[route.roundRobin.team] = route.roundRobin.next;
    const ownerEmail = assignee.kind === 'user' ? assignee.email?.toLowerCase() : undefined;
    if (ownerEmail) state.loadToday[ownerEmail] = (state.loadToday[ownerEmail] ?? 0) + 1;
    handoffs.push({
      contactId: contact.id,
      handoffKey,
      properties: contact.properties,
      decision,
      assignee,
      notify: route.notify.map((n) => n.email),
      firstTime: true,
      ...reopen,
      fresh: {
        contactId: contact.id,
        handoffKey,
        score: decision.score.score,
        grade: decision.score.grade,
        mql: decision.score.mql,
        reason: decision.score.handoffReason ?? 'mql',
        ownerKind: assignee.kind,
        ownerId: ownerIdOf(assignee, directory) ?? null,
        ownerEmail: assignee.kind === 'user' ? (assignee.email ?? null) : assignee.kind === 'queue' ? assignee.salesforceQueue : null,
        rule: route.rule,
        notify: route.notify,
        trace: route.trace,
        rotation: route.roundRobin ?? null,
      },
    });
  }
  return { decisions, handoffs, state, heldBack };
}

/** Account matches with their owner's email where the directory knows the owner's id: what routing (and a decision's trace) sees. */
export function accountLookup(accountByDomain: (domain: string) => AccountMatch | undefined, directory: OwnerDirectory): (domain: string) => AccountMatch | undefined {
  return (domain) => {
    const account = accountByDomain(domain);
    if (!account?.ownerId || account.ownerEmail) return account;
    const ownerEmail = directory.emailsById.get(account.ownerId);
    return ownerEmail ? { ...account, ownerEmail } : account;
  };
}

/** The Salesforce id of a user or queue assignee (given in the config, or found by email / DeveloperName). */
export function ownerIdOf(assignee: Assignee, directory: OwnerDirectory): string | undefined {
  if (assignee.kind === 'user') return assignee.salesforceUserId ?? (assignee.email ? directory.usersByEmail.get(assignee.email.toLowerCase())?.id : undefined);
  if (assignee.kind === 'queue') return assignee.salesforceQueueId ?? directory.queuesByName.get(assignee.salesforceQueue);
  return undefined;
}

/** How people read an owner: a name, a queue, or the org's assignment rules. */
export function ownerLabelOf(assignee: Assignee): string {
  if (assignee.kind === 'user') return assignee.name ?? assignee.email ?? assignee.salesforceUserId ?? '';
  if (assignee.kind === 'queue') return `queue ${assignee.queue}`;
  return 'Salesforce assignment rules';
}

/**
 * A stored decision's owner named as a fresh decision names it. The ledger keeps a person's email
 * and Salesforce id and a queue's DeveloperName; the person's name and the queue's key in
 * routing.yaml come from the config, so the owner written back to HubSpot (ownerLabelOf) does not
 * depend on whether the decision was made now or reused (a retry, a rerun after a crash, a webhook
 * hand-off that lost the race, the rescore). Owners the config no longer lists stay as stored.
 */
function asConfigured(assignee: Assignee, config: LeadloopConfig): Assignee {
  if (assignee.kind === 'user' && assignee.name === undefined && assignee.email !== undefined) {
    const email = assignee.email.toLowerCase();
    const owner = config.routing.owners.find((o) => o.email.toLowerCase() === email);
    return owner ? { ...assignee, name: owner.name } : assignee;
  }
  if (assignee.kind === 'queue') {
    const key = Object.entries(config.routing.queues).find(([, q]) => q.salesforce_queue === assignee.salesforceQueue)?.[0];
    return key === undefined ? assignee : { ...assignee, queue: key };
  }
  return assignee;
}

function withSalesforceId(assignee: Assignee, directory: OwnerDirectory): Assignee {
  const id = ownerIdOf(assignee, directory);
  if (!id) return assignee;
  if (assignee.kind === 'user') return { ...assignee, salesforceUserId: id };
  if (assignee.kind === 'queue') return { ...assignee, salesforceQueueId: id };
  return assignee;
}
