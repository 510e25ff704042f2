/**
 * The Salesforce SOAP API (Partner WSDL, `/services/Soap/u/{version}`) as far as leadloop uses it:
 * the `merge` call here, `convertLead` in conversion.ts. The XML shapes and their sources are in
 * docs/salesforce-api.md#soap-merge and #lead-conversion;
 * what no source states is marked "Assumption" here and in the README's sandbox fidelity list.
 */
import { isSalesforceId, sobjectOfId, toId18 } from './ids.ts';
import { type Org, RecordError, type SfRecord, sfDate } from './org.ts';

/** One XML element: local name (prefix dropped), attributes as written, children, and its own text. */
export interface XmlElement {
  name: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = ENTITIES[ref];
    if (named === undefined) throw new XmlError(`unknown entity ${whole}`);
    return named;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * A small, strict XML reader for SOAP envelopes: elements, attributes, text, entities, CDATA,
 * comments and the declaration. No DTDs (a DOCTYPE is refused), no recursion (deep input cannot
 * exhaust the stack).
 */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlError(`${what} at offset ${i}`);
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
    if (chunk.length > 0) {
      const top = stack.at(-1);
      if (top) top.text += decode(chunk);
      else if (chunk.trim() !== '') fail('text outside the root element');
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end === -1) fail('unterminated declaration');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end === -1) fail('unterminated CDATA');
      const top = stack.at(-1) ?? fail('CDATA outside the root element');
      top.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE is not allowed');
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      if (end === -1) fail('unterminated end tag');
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`end tag </${name}> does not match`);
      i = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(text.slice(i, i + 65_536));
      if (!tag) fail('malformed start tag');
      const [whole, name, attrText, selfClosing] = tag as unknown as [string, string, string, string];
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      const element: XmlElement = { name, local: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name, attrs, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (!selfClosing) stack.push(element);
      i += whole.length;
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack.at(-1)!.name}>`);
  return root ?? fail('no root element');
}

export const child = (e: XmlElement | undefined, local: string): XmlElement | undefined => e?.children.find((c) => c.local === local);

/** What a SOAP call answers: the status, the XML, and the operation name for the request log. */
export interface SoapReply {
  status: number;
  body: string;
}

const ENVELOPE_OPEN = '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"';

/**
 * A SOAP fault: HTTP 500, `<soapenv:Fault>` with `faultcode` `sf:<ExceptionCode>` and
 * `faultstring` "<CODE>: <message>", and for API faults a `detail` naming the fault type with
 * `exceptionCode` and `exceptionMessage` (the INVALID_SESSION_ID fault Salesforce answers is the
 * documented example of this shape; jsforce reads only faultcode and faultstring, and tells an
 * expired session by `<faultcode>sf:INVALID_SESSION_ID</faultcode>` in the raw body).
 * `soapenv:Client` faults (a request the server cannot read) carry no detail.
 */
export function soapFault(code: string, message: string, faultType = 'UnexpectedErrorFault'): SoapReply {
  if (code.startsWith('soapenv:')) {
    return {
      status: 500,
      body: `${ENVELOPE_OPEN}><soapenv:Body><soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    };
  }
  return {
    status: 500,
    body:
      `${ENVELOPE_OPEN} xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>` +
      `<faultcode>sf:${code}</faultcode><faultstring>${escapeXml(`${code}: ${message}`)}</faultstring>` +
      `<detail><sf:${faultType} xsi:type="sf:${faultType}"><sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:${faultType}></detail>` +
      '</soapenv:Fault></soapenv:Body></soapenv:Envelope>',
  };
}

/**
 * A successful call's envelope: `<{operation}Response>` holding its `<result>` elements in the
 * Partner namespace (declared on the Envelope: jsforce takes the first key under Body as the
 * response, so Body carries no attribute), and the LimitInfoHeader with the org's API usage.
 */
export function soapResponse(operation: string, results: readonly string[], usage: { used: number; limit: number }): SoapReply {
  return {
    status: 200,
    body:
      `${ENVELOPE_OPEN} xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<soapenv:Header><LimitInfoHeader><limitInfo><current>${usage.used}</current><limit>${usage.limit}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header>` +
      `<soapenv:Body><${operation}Response>${results.map((r) => `<result>${r}</result>`).join('')}</${operation}Response></soapenv:Body></soapenv:Envelope>`,
  };
}

/** A fault a whole call ends with (as opposed to one merge request's errors). */
export class SoapFault extends Error {
  readonly code: string;
  readonly faultType: string;
  constructor(code: string, message: string, faultType = 'UnexpectedErrorFault') {
    super(message);
    this.code = code;
    this.faultType = faultType;
  }
}

/** One MergeResult (Partner WSDL: errors*, id, mergedRecordIds*, success, updatedRelatedIds*). */
export interface MergeResult {
  id: string | null;
  success: boolean;
  mergedRecordIds: string[];
  updatedRelatedIds: string[];
  errors: { statusCode: string; message: string; fields: string[] }[];
}

export function mergeResultXml(r: MergeResult): string {
  const errors = r.errors
    .map((e) => `<errors>${e.fields.map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`)
    .join('');
  // Assumption: a failed request answers `<id xsi:nil="true"/>`, as a failed SaveResult does.
  const id = r.id === null ? '<id xsi:nil="true"/>' : `<id>${r.id}</id>`;
  return `${errors}${id}${r.mergedRecordIds.map((m) => `<mergedRecordIds>${m}</mergedRecordIds>`).join('')}<success>${r.success}</success>${r.updatedRelatedIds.map((u) => `<updatedRelatedIds>${u}</updatedRelatedIds>`).join('')}`;
}

/** "Up to 200 merge requests can be made in a single SOAP call" (merge() docs). */
export const MAX_MERGE_REQUESTS = 200;
/** "Up to three records can be merged in a single request, including the master record" (merge() docs). */
export const MAX_RECORDS_TO_MERGE = 2;

/**
 * Runs the merge requests of one call, in order, each its own transaction (merge() docs): the
 * master keeps its field values (plus any fields set on `masterRecord`, "similar to a call to
 * update"), the records merged into it go to the recycle bin (IsDeleted, MasterRecordId) and
 * their Tasks (WhoId) and CampaignMembers (LeadId) move to the master. Only Lead is emulated.
 * Request-level problems (no type, a type merge() does not support) throw a SoapFault.
 */
export function runMerge(org: Org, requests: readonly XmlElement[], userId: string, at = org.clock.now()): MergeResult[] {
  if (requests.length > MAX_MERGE_REQUESTS) {
    // Assumption: the fault's code and text (the docs give the limit only).
    throw new SoapFault('EXCEEDED_ID_LIMIT', `too many merge requests: at most ${MAX_MERGE_REQUESTS} in one call`);
  }
  const parsed = requests.map((request) => {
    const master = child(request, 'masterRecord');
    const type = child(master, 'type')?.text.trim();
    // The message jsforce users report for an sObject sent without its type (jsforce/jsforce#950).
    if (!master || !type) throw new SoapFault('INVALID_TYPE', "Missing entity type information. sObject requires a separate 'type' field be sent.", 'InvalidSObjectFault');
    if (!['lead', 'contact', 'account'].includes(type.toLowerCase())) {
      // A real answer for Opportunity (StevenMMortimer/salesforcer#102): a fault, HTTP 500.
      throw new SoapFault('INVALID_TYPE_FOR_OPERATION', 'entity type does not support merge', 'InvalidSObjectFault');
    }
    if (type.toLowerCase() !== 'lead') throw new SoapFault('INVALID_TYPE_FOR_OPERATION', `sandbox: merge of ${type} is not emulated (Lead only)`, 'InvalidSObjectFault');
    return { master, ids: request.children.filter((c) => c.local === 'recordToMergeIds').map((c) => c.text.trim()) };
  });
  return parsed.map(({ master, ids }) => {
    try {
      return mergeOne(org, master, ids, userId, at);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      return { id: null, success: false, mergedRecordIds: [], updatedRelatedIds: [], errors: [error.error] };
    }
  });
}

/**
 * The record a merge names, or the error Salesforce gives for it: MALFORMED_ID for what is not
 * an id, INVALID_CROSS_REFERENCE_KEY for a lead id that names nothing (or another object), and
 * ENTITY_IS_DELETED for one in the recycle bin (merged or deleted before). Assumption: the codes
 * are those the REST API gives for the same ids; no source shows merge()'s own.
 */
function leadOf(org: Org, id: string, role: 'masterRecord.Id' | 'recordToMergeIds'): SfRecord {
  if (!isSalesforceId(id)) throw new RecordError('MALFORMED_ID', `${role}: id value of incorrect type: ${id}`, []);
  if (sobjectOfId(id) !== 'Lead') throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
  const record = org.table('Lead').get(toId18(id));
  if (!record) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
  if (record.IsDeleted) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
  return record;
}

function mergeOne(org: Org, masterXml: XmlElement, ids: readonly string[], userId: string, at: number): MergeResult {
  const masterId = child(masterXml, 'Id')?.text.trim() ?? '';
  // Assumption (codes and texts): no source shows merge()'s refusals of these requests.
  if (masterId === '') throw new RecordError('MISSING_ARGUMENT', 'masterRecord.Id not specified', []);
  if (ids.length === 0) throw new RecordError('MISSING_ARGUMENT', 'recordToMergeIds not specified', []);
  if (ids.length > MAX_RECORDS_TO_MERGE) throw new RecordError('LIMIT_EXCEEDED', `a merge request merges at most ${MAX_RECORDS_TO_MERGE} records into the master`, []);
  const master = leadOf(org, masterId, 'masterRecord.Id');
  const victims = ids.map((id) => leadOf(org, id, 'recordToMergeIds'));
  if (victims.some((v) => v.Id === master.Id)) throw new RecordError('INVALID_ID_FIELD', 'cannot merge a record with itself', []);
  if (new Set(victims.map((v) => v.Id)).size !== victims.length) throw new RecordError('INVALID_ID_FIELD', 'the same record is named twice in recordToMergeIds', []);
  // Converted leads are read-only, so one cannot be the master; a converted lead may be merged
  // into an open one (Salesforce Help, "Limitations of Merging Converted Leads in apex",
  // 005123891). Assumption: the SOAP call behaves as Apex's merge there, and the code, which that
  // article does not give.
  if (master.IsConverted) throw new RecordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);

  // Fields set on masterRecord supersede the master's values, as an update would (validated
  // before anything moves, so a refused value leaves every record as it was).
  const fields: Record<string, unknown> = {};
  for (const c of masterXml.children) {
    if (['type', 'id'].includes(c.local.toLowerCase())) continue;
    if (c.local === 'fieldsToNull') fields[c.text.trim()] = null;
    else fields[c.local] = c.attrs['xsi:nil'] === 'true' ? null : c.text;
  }
  // Assumption: merge() runs no duplicate rule and no assignment rule on the master.
  if (Object.keys(fields).length > 0) org.update('Lead', master.Id, fields, { autoAssign: false, allowDuplicateSave: true, userId }, at);

  const moved: string[] = [];
  const victimIds = new Set(victims.map((v) => v.Id));
  for (const task of org.table('Task').values()) {
    if (task.IsDeleted || !victimIds.has(String(task.WhoId))) continue;
    Object.assign(task, { WhoId: master.Id, LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId });
    moved.push(task.Id);
  }
  const campaignsOfMaster = new Set([...org.table('CampaignMember').values()].filter((m) => !m.IsDeleted && m.LeadId === master.Id).map((m) => m.CampaignId));
  for (const member of org.table('CampaignMember').values()) {
    if (member.IsDeleted || !victimIds.has(String(member.LeadId))) continue;
    if (campaignsOfMaster.has(member.CampaignId)) {
      // Assumption: the master stays the campaign's member and the merged lead's membership goes
      // (a lead is a member of a campaign once; the Help page says the status dates are kept).
      org.delete('CampaignMember', member.Id, at);
      continue;
    }
    Object.assign(member, { LeadId: master.Id, LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId });
    campaignsOfMaster.add(member.CampaignId);
    moved.push(member.Id);
  }
  for (const victim of victims) {
    org.delete('Lead', victim.Id, at);
    // queryAll shows merged records with IsDeleted and MasterRecordId (merge() docs). Not in the
    // emulator's Lead schema, so SOQL cannot select it yet; tests read it from the record.
    victim.MasterRecordId = master.Id;
  }
  Object.assign(master, { LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId });
  org.invalidateIndexes();
  return { id: master.Id, success: true, mergedRecordIds: victims.map((v) => v.Id), updatedRelatedIds: moved, errors: [] };
}
