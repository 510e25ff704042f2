import type { CrmObjectType } from './object-types.ts';

/**
 * HubSpot-defined association types between contacts, companies and deals, with the ids of the
 * SDK's `AssociationTypes` (e.g. contactToCompany = 279, primaryContactToCompany = 1,
 * dealToContact = 3, contactToDeal = 4, dealToCompany = 341, primaryDealToCompany = 5).
 * Every type has an inverse, stored with it: associating A to B also associates B to A.
 */
export interface AssociationType {
  from: CrmObjectType;
  to: CrmObjectType;
  typeId: number;
  inverse: number;
  /** `"Primary"` for the primary company; `null` for the unlabelled (default) type. */
  label: string | null;
  primary: boolean;
  /** The name the v3 object endpoints give it under `associations` (`?associations=` on a read). */
  v3: string;
}

const type = (from: CrmObjectType, to: CrmObjectType, typeId: number, inverse: number, v3: string, primary = false): AssociationType => ({
  from,
  to,
  typeId,
  inverse,
  label: primary ? 'Primary' : null,
  primary,
  v3,
});

export const ASSOCIATION_TYPES: readonly AssociationType[] = [
  type('contacts', 'companies', 279, 280, 'contact_to_company_unlabeled'),
  type('companies', 'contacts', 280, 279, 'company_to_contact_unlabeled'),
  type('contacts', 'companies', 1, 2, 'contact_to_company', true),
  type('companies', 'contacts', 2, 1, 'company_to_contact', true),
  type('deals', 'contacts', 3, 4, 'deal_to_contact'),
  type('contacts', 'deals', 4, 3, 'contact_to_deal'),
  type('deals', 'companies', 341, 342, 'deal_to_company_unlabeled'),
  type('companies', 'deals', 342, 341, 'company_to_deal_unlabeled'),
  type('deals', 'companies', 5, 6, 'deal_to_company', true),
  type('companies', 'deals', 6, 5, 'company_to_deal', true),
];

export function associationType(from: CrmObjectType, to: CrmObjectType, typeId: number): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
}

/** The default (unlabelled, "most generic") type from one object type to another, if they can be associated. */
export function defaultType(from: CrmObjectType, to: CrmObjectType): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && !t.primary);
}

/** The Primary (company) type from one object type to another, if there is one. */
export function primaryType(from: CrmObjectType, to: CrmObjectType): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.primary);
}

/** The type a HUBSPOT_DEFINED id means from `from`, whatever the target (inline associations name no target type). */
export function typeFrom(from: CrmObjectType, typeId: number): AssociationType | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.typeId === typeId);
}

export interface AssociationStoreOptions {
  /** Whether a live record exists: associations to archived records are kept but not shown. */
  exists: (type: CrmObjectType, id: string) => boolean;
  /** A contact's or deal's primary company changed (`null`: it has none now). */
  onPrimaryCompany?: (holder: CrmObjectType, holderId: string, companyId: string | null) => void;
}

/**
 * Who is associated with whom, and by which types. Rules kept:
 * - every association holds the pair's unlabelled type; a labelled type (Primary) adds it;
 * - removing the unlabelled type removes every type between the pair ("Deleting an unlabeled
 *   association will also delete all labeled associations between those two objects", v4 spec);
 * - a contact or deal has at most one primary company: setting another moves it.
 */
export class AssociationStore {
  /** `from|fromId|to` → toId → type ids in that direction. */
  readonly #links = new Map<string, Map<string, Set<number>>>();
  readonly #options: AssociationStoreOptions;

  constructor(options: AssociationStoreOptions) {
    this.#options = options;
  }

  /** Adds `typeIds` (from → to) and what they imply. Callers check the types and the records first. */
  add(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, typeIds: number[]): void {
    const unlabelled = defaultType(from, to);
    if (!unlabelled) throw new Error(`${from} cannot be associated with ${to}`);
    this.#set(from, fromId, to, toId, unlabelled);
    for (const typeId of typeIds) {
      const t = associationType(from, to, typeId);
      if (!t) throw new Error(`no association type ${typeId} from ${from} to ${to}`);
      if (t.primary) this.#setPrimary(t, fromId, toId);
      else this.#set(from, fromId, to, toId, t);
    }
  }

  /** Removes `typeIds` between the pair, or every type when none are given or the unlabelled one is. */
  remove(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, typeIds?: number[]): void {
    this.#remove(from, fromId, to, toId, typeIds, true);
  }

  #remove(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, typeIds: number[] | undefined, notify: boolean): void {
    const current = this.types(from, fromId, to, toId);
    const unlabelled = defaultType(from, to)?.typeId;
    const removing = !typeIds || typeIds.includes(unlabelled ?? -1) ? current : current.filter((id) => typeIds.includes(id));
    for (const typeId of removing) {
      const t = associationType(from, to, typeId);
      if (!t) continue;
      this.#links
        .get(key(from, fromId, to))
        ?.get(toId)
        ?.delete(typeId);
      this.#links
        .get(key(to, toId, from))
        ?.get(fromId)
        ?.delete(t.inverse);
      if (t.primary && notify) {
        const [holder, holderId] = from === 'companies' ? [to, toId] : [from, fromId];
        this.#options.onPrimaryCompany?.(holder, holderId, null);
      }
    }
    for (const [a, aId, b, bId] of [
      [from, fromId, to, toId],
      [to, toId, from, fromId],
    ] as const) {
      const targets = this.#links.get(key(a, aId, b));
      if (targets?.get(bId)?.size === 0) targets.delete(bId);
    }
  }

  /** Type ids from → to between two records, ascending. */
  types(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string): number[] {
    return [...(this.#links.get(key(from, fromId, to))?.get(toId) ?? [])].sort((a, b) => a - b);
  }

  /** The live records of type `to` associated with `from` `fromId`, by id, with their type ids. */
  list(from: CrmObjectType, fromId: string, to: CrmObjectType): { toId: string; typeIds: number[] }[] {
    const targets = this.#links.get(key(from, fromId, to));
    if (!targets) return [];
    return [...targets.entries()]
      .filter(([toId, types]) => types.size > 0 && this.#options.exists(to, toId))
      .map(([toId, types]) => ({ toId, typeIds: [...types].sort((a, b) => a - b) }))
      .sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  #set(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string, t: AssociationType): void {
    this.#target(from, fromId, to, toId).add(t.typeId);
    this.#target(to, toId, from, fromId).add(t.inverse);
  }

  /** Makes `companyId` the holder's (contact's or deal's) only primary company. */
  #setPrimary(t: AssociationType, fromId: string, toId: string): void {
    const holderSide = t.from === 'companies' ? { type: t.to, id: toId, companyId: fromId } : { type: t.from, id: fromId, companyId: toId };
    const holderType = associationType(holderSide.type, 'companies', t.from === 'companies' ? t.inverse : t.typeId)!;
    // The old primary stays associated, unlabelled; one change of primary is reported, not two.
    for (const [other, typeIds] of this.#links.get(key(holderSide.type, holderSide.id, 'companies')) ?? []) {
      if (other !== holderSide.companyId && typeIds.has(holderType.typeId)) this.#remove(holderSide.type, holderSide.id, 'companies', other, [holderType.typeId], false);
    }
    this.#set(t.from, fromId, t.to, toId, defaultType(t.from, t.to)!);
    this.#set(t.from, fromId, t.to, toId, t);
    this.#options.onPrimaryCompany?.(holderSide.type, holderSide.id, holderSide.companyId);
  }

  #target(from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string): Set<number> {
    const k = key(from, fromId, to);
    let targets = this.#links.get(k);
    if (!targets) {
      targets = new Map();
      this.#links.set(k, targets);
    }
    let types = targets.get(toId);
    if (!types) {
      types = new Set();
      targets.set(toId, types);
    }
    return types;
  }
}

function key(from: CrmObjectType, fromId: string, to: CrmObjectType): string {
  return `${from}|${fromId}|${to}`;
}
