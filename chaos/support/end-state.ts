import type { Sandbox } from '../../src/sandbox/server.ts';

const EXTERNAL_ID = 'HubSpot_Contact_Id__c';
const TASK_KEY = 'Leadloop_Key__c';
/** The Lead fields leadloop sets (mapping.yaml): owner and status on create, the rest on every write. */
const LEAD_FIELDS = ['OwnerId', 'Status', 'Rating', 'Lead_Score__c', 'Lead_Grade__c', 'LeadSource', 'Lead_Source_Detail__c', 'Company', 'LastName', 'Email', 'IsConverted'] as const;
/** The Task fields leadloop sets, but the due date (ActivityDate: a reference run on another day would differ). */
const TASK_FIELDS = ['Subject', 'OwnerId', 'Priority', 'Type', 'Status'] as const;
/** What leadloop writes back to each HubSpot contact (mapping.yaml hubspot_writeback, those the lead sync writes). */
const WRITEBACK = ['leadloop_score', 'leadloop_grade', 'leadloop_mql', 'leadloop_owner', 'leadloop_salesforce_id', 'leadloop_handoff_at'] as const;

/**
 * What a run leaves behind, in terms that compare across two sandboxes seeded alike: leads by the
 * HubSpot contact they carry (the ids of leads leadloop created differ between runs; seeded records
 * keep theirs), tasks by their key, write-backs by contact — a Salesforce id written back is named
 * by the contact whose lead it is, and the hand-off time only by whether it is set.
 */
export interface EndState {
  leads: Map<string, Record<string, unknown>>;
  /** Existing Salesforce Contacts leadloop linked (external ID set): contact id → Salesforce Contact id. */
  linkedContacts: Map<string, string>;
  tasks: Map<string, Record<string, unknown>>;
  writebacks: Map<string, Record<string, string>>;
  /** Contact ids with more than one lead; task keys with more than one task. */
  duplicateLeads: string[];
  duplicateTasks: string[];
  /** Leads per owner id (users and queues). */
  leadsPerOwner: Map<string, number>;
}

export function endState(sandbox: Sandbox, contactIds?: ReadonlySet<string>): EndState {
  const include = (id: string) => contactIds === undefined || contactIds.has(id);
  const allLeads = sandbox.salesforce.records('Lead').filter((l) => l[EXTERNAL_ID] && !l.IsDeleted);
  const contactOfLead = new Map(allLeads.map((l) => [String(l.Id), String(l[EXTERNAL_ID])]));
  const name = (id: unknown) => (typeof id === 'string' && contactOfLead.has(id) ? `lead-of:${contactOfLead.get(id)}` : (id ?? null));
  const leads = new Map<string, Record<string, unknown>>();
  const duplicateLeads: string[] = [];
  const leadsPerOwner = new Map<string, number>();
  for (const lead of allLeads) {
    const contactId = String(lead[EXTERNAL_ID]);
    if (!include(contactId)) continue;
    if (leads.has(contactId)) duplicateLeads.push(contactId);
    leads.set(contactId, Object.fromEntries(LEAD_FIELDS.map((f) => [f, lead[f] ?? null])));
    leadsPerOwner.set(String(lead.OwnerId), (leadsPerOwner.get(String(lead.OwnerId)) ?? 0) + 1);
  }
  const linkedContacts = new Map<string, string>();
  for (const c of sandbox.salesforce.records('Contact')) if (c[EXTERNAL_ID] && include(String(c[EXTERNAL_ID]))) linkedContacts.set(String(c[EXTERNAL_ID]), String(c.Id));
  const tasks = new Map<string, Record<string, unknown>>();
  const duplicateTasks: string[] = [];
  for (const task of sandbox.salesforce.records('Task')) {
    const key = task[TASK_KEY];
    if (typeof key !== 'string' || task.IsDeleted) continue;
    if (!include(key.split(':')[0]!)) continue;
    if (tasks.has(key)) duplicateTasks.push(key);
    tasks.set(key, { ...Object.fromEntries(TASK_FIELDS.map((f) => [f, task[f] ?? null])), WhoId: name(task.WhoId) });
  }
  const writebacks = new Map<string, Record<string, string>>();
  for (const id of contactIds ?? allContactIds(sandbox)) {
    const p = sandbox.hubspot.getContact(id)?.properties;
    if (!p || !WRITEBACK.some((k) => p[k])) continue;
    const written: Record<string, string> = {};
    for (const k of WRITEBACK) {
      if (!p[k]) continue;
      written[k] = k === 'leadloop_handoff_at' ? 'set' : k === 'leadloop_salesforce_id' ? String(name(p[k])) : p[k]!;
    }
    writebacks.set(id, written);
  }
  return { leads, linkedContacts, tasks, writebacks, duplicateLeads, duplicateTasks, leadsPerOwner };
}

/** The seeded contacts' ids (1001, 1002, … as the sandbox numbers them) and any created since. */
function allContactIds(sandbox: Sandbox): string[] {
  const ids: string[] = [];
  for (let id = 1001, misses = 0; misses < 1_000; id++) {
    if (sandbox.hubspot.getContact(String(id))) {
      ids.push(String(id));
      misses = 0;
    } else misses++;
  }
  return ids;
}

/** How two end states differ, as readable lines (at most `limit`); empty when they are equal. */
export function diffEndStates(expected: EndState, actual: EndState, limit = 25): string[] {
  const out: string[] = [];
  const compare = <V>(what: string, a: Map<string, V>, b: Map<string, V>) => {
    let missing = 0;
    let extra = 0;
    let differ = 0;
    for (const [key, value] of a) {
      const other = b.get(key);
      if (other === undefined) {
        missing++;
        if (out.length < limit) out.push(`${what} ${key}: missing (expected ${JSON.stringify(value)})`);
      } else if (!alike(value, other)) {
        differ++;
        if (out.length < limit) out.push(`${what} ${key}: ${JSON.stringify(other)} where the clean run has ${JSON.stringify(value)}`);
      }
    }
    for (const [key, value] of b)
      if (!a.has(key)) {
        extra++;
        if (out.length < limit) out.push(`${what} ${key}: not in the clean run (${JSON.stringify(value)})`);
      }
    if (missing + extra + differ > 0) out.push(`${what}s: ${missing} missing, ${extra} extra, ${differ} different (clean run ${a.size}, this run ${b.size})`);
  };
  compare('lead', expected.leads, actual.leads);
  compare('linked contact', expected.linkedContacts, actual.linkedContacts);
  compare('task', expected.tasks, actual.tasks);
  compare('write-back', expected.writebacks, actual.writebacks);
  if (actual.duplicateLeads.length > 0) out.push(`duplicate leads for contacts ${actual.duplicateLeads.slice(0, 10).join(', ')} (${actual.duplicateLeads.length})`);
  if (actual.duplicateTasks.length > 0) out.push(`duplicate tasks ${actual.duplicateTasks.slice(0, 10).join(', ')} (${actual.duplicateTasks.length})`);
  return out;
}

const SCORES = ['leadloop_score', 'Lead_Score__c'];

/**
 * Whether two records are alike, scores within one point: engagement decays with time, and a run
 * that scores a contact minutes after its reference run may land one point lower (26 → 25) — the
 * grade, the owner and every other field must still match exactly.
 */
function alike(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return JSON.stringify(a) === JSON.stringify(b);
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const key of keys) {
    if (SCORES.includes(key) && Number.isFinite(Number(x[key])) && Number.isFinite(Number(y[key])) && x[key] !== null && y[key] !== null) {
      if (Math.abs(Number(x[key]) - Number(y[key])) > 1) return false;
    } else if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) return false;
  }
  return true;
}

/** The end state restricted to some contacts (what a saved position claims done). */
export function restrictTo(state: EndState, contactIds: ReadonlySet<string>): EndState {
  const pick = <V>(m: Map<string, V>, keyOf: (k: string) => string = (k) => k) => new Map([...m].filter(([k]) => contactIds.has(keyOf(k))));
  return {
    leads: pick(state.leads),
    linkedContacts: pick(state.linkedContacts),
    tasks: pick(state.tasks, (k) => k.split(':')[0]!),
    writebacks: pick(state.writebacks),
    duplicateLeads: state.duplicateLeads.filter((id) => contactIds.has(id)),
    duplicateTasks: state.duplicateTasks.filter((k) => contactIds.has(k.split(':')[0]!)),
    leadsPerOwner: state.leadsPerOwner,
  };
}

/** Reps whose leads exceed their routing.yaml daily_capacity: owner email → [leads, capacity]. */
export function overCapacity(sandbox: Sandbox, state: EndState, routingYaml: string): Map<string, [number, number]> {
  const capacity = new Map<string, number>();
  for (const match of routingYaml.matchAll(/email:\s*([^\s,}]+)[^\n]*?daily_capacity:\s*(\d+)/g)) capacity.set(match[1]!.toLowerCase(), Number(match[2]));
  const emailOf = new Map(sandbox.salesforce.records('User').map((u) => [String(u.Id), String(u.Email ?? '').toLowerCase()]));
  const over = new Map<string, [number, number]>();
  for (const [ownerId, n] of state.leadsPerOwner) {
    const email = emailOf.get(ownerId);
    const cap = email ? capacity.get(email) : undefined;
    if (cap !== undefined && n > cap) over.set(email!, [n, cap]);
  }
  return over;
}

/**
 * Every Salesforce write the sandbox carried out, per record: lead creations by the contact
 * they carry, lead updates, task creations by key, and the task creations the org refused
 * (a second task with a key already taken: Leadloop_Key__c is unique). Taps the org's own
 * create and update, so a write is counted whichever API carried it.
 */
export class WriteTap {
  leadCreates = new Map<string, number>();
  leadUpdates = new Map<string, number>();
  taskCreates = new Map<string, number>();
  refusedTaskCreates = 0;
  refusedLeadCreates = 0;
  /** Called after each write the org accepted (the chaos scenarios kill processes from here). */
  onWrite: ((write: { sobject: string; kind: 'create' | 'update'; record: Record<string, unknown> }) => void) | undefined;

  constructor(sandbox: Sandbox) {
    const org = sandbox.salesforce.org;
    const create = org.create.bind(org);
    const update = org.update.bind(org);
    org.create = (sobject, input, options, at) => {
      let record: ReturnType<typeof create>;
      try {
        record = create(sobject, input, options, at);
      } catch (error) {
        if (sobject === 'Task') this.refusedTaskCreates++;
        if (sobject === 'Lead') this.refusedLeadCreates++;
        throw error;
      }
      if (sobject === 'Lead' && record[EXTERNAL_ID]) bump(this.leadCreates, String(record[EXTERNAL_ID]));
      if (sobject === 'Task' && record[TASK_KEY]) bump(this.taskCreates, String(record[TASK_KEY]));
      this.onWrite?.({ sobject, kind: 'create', record });
      return record;
    };
    org.update = (sobject, id, input, options, at) => {
      const record = update(sobject, id, input, options, at);
      if (sobject === 'Lead') bump(this.leadUpdates, id);
      this.onWrite?.({ sobject, kind: 'update', record });
      return record;
    };
  }

  total(m: Map<string, number>): number {
    let n = 0;
    for (const v of m.values()) n += v;
    return n;
  }

  /** Keys written more than once. */
  repeated(m: Map<string, number>): string[] {
    return [...m].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}
