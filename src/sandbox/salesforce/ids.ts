/** Key prefixes of the objects the sandbox holds (Salesforce's standard prefixes). */
export const KEY_PREFIX: Record<string, string> = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
  Task: '00T',
  User: '005',
  Group: '00G',
  Campaign: '701',
  CampaignMember: '00v',
  CampaignMemberStatus: '01Y',
  OpportunityContactRole: '00K',
  Organization: '00D',
};

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-safety suffix that turns a 15-character id into its 18-character form. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return suffix;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Deterministic ids: prefix + pod "5g" + a counter in base 62, with the real suffix. */
export class IdFactory {
  #counters = new Map<string, number>();

  next(sobject: string): string {
    const prefix = KEY_PREFIX[sobject] ?? '0XX';
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    let digits = '';
    let v = n;
    for (let i = 0; i < 10; i++) {
      digits = BASE62[v % 62] + digits;
      v = Math.floor(v / 62);
    }
    const id15 = `${prefix}5g${digits}`;
    return id15 + caseSafeSuffix(id15);
  }
}

export function isSalesforceId(value: string): boolean {
  return /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value);
}

/** The 18-character form of a 15- or 18-character id. */
export function toId18(value: string): string {
  return value.length === 18 ? value : value + caseSafeSuffix(value);
}

export function sobjectOfId(id: string): string | undefined {
  const prefix = id.slice(0, 3);
  return Object.entries(KEY_PREFIX).find(([, p]) => p === prefix)?.[0];
}
