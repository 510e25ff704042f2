import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailed, DailyLimit, RequestRefused, Unavailable } from '../errors/index.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { connectSalesforce } from './connection.ts';
import { classifySalesforceError } from './errors.ts';
import { mergeLeads } from './mergeLeads.ts';
import { rekeyLeads } from './rekeyLeads.ts';

// The merge of HubSpot contacts as it reaches Salesforce (rekeyLeads over mergeLeads), through
// leadloop's connection and real jsforce against the sandbox's SOAP merge.

const EXT = 'HubSpot_Contact_Id__c';
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function open(options: Parameters<typeof startSandbox>[0] = {}) {
  sandbox = await startSandbox(options);
  const info = sandbox.connectionInfo().salesforce;
  const conn = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken }, apiVersion: '64.0' });
  const owner = sandbox.salesforce.records('User')[0]!.Id as string;
  const lead = (contactId: string, extra: Record<string, unknown> = {}) =>
    sandbox!.salesforce.insert('Lead', { LastName: `Lead of ${contactId}`, Company: 'Merge Co', OwnerId: owner, [EXT]: contactId, ...extra });
  const task = (whoId: string) => sandbox!.salesforce.insert('Task', { Subject: 'Call', WhoId: whoId, OwnerId: owner });
  const live = (id: string) => sandbox!.salesforce.records('Lead').find((l) => l.Id === id);
  return { s: sandbox, conn, lead, task, live };
}

describe('rekeyLeads after a HubSpot merge', () => {
  it('merges the merged-away contact’s open lead into the survivor’s: the survivor’s stays (its values), the other goes, its tasks move', async () => {
    const { s, conn, lead, task, live } = await open();
    const kept = lead('s1', { Title: 'Head of Data' });
    const gone = lead('m1', { Title: 'Analyst' });
    const call = task(gone);
    expect(await rekeyLeads(conn, EXT, 's1', ['m1'])).toEqual({ merged: { masterId: kept, mergedIds: [gone] }, conflicts: [] });
    expect(live(gone)).toBeUndefined();
    expect(live(kept)).toMatchObject({ [EXT]: 's1', Title: 'Head of Data' });
    expect(s.salesforce.records('Task').find((t) => t.Id === call)!.WhoId).toBe(kept);
    expect(s.requestLog.total('salesforce', 'soap.merge')).toBe(1);
    // Done is done: a retried hand-off finds nothing left to merge.
    expect(await rekeyLeads(conn, EXT, 's1', ['m1'])).toEqual({ conflicts: [] });
    expect(s.requestLog.total('salesforce', 'soap.merge')).toBe(1);
  });

  it('re-keys the lead when the survivor has none (no merge call), and merges a second merged contact’s lead into it', async () => {
    const { s, conn, lead, live } = await open();
    const older = lead('m2a');
    const newer = lead('m2b');
    expect(await rekeyLeads(conn, EXT, 's2', ['m2b', 'm2a'])).toEqual({ rekeyed: { leadId: older, fromContactId: 'm2a' }, merged: { masterId: older, mergedIds: [newer] }, conflicts: [] });
    expect(live(older)![EXT]).toBe('s2');
    expect(live(newer)).toBeUndefined();
    expect(s.requestLog.total('salesforce', 'soap.merge')).toBe(1);
    const { s: other, conn: c2, lead: lead2 } = await reopen();
    const only = lead2('m2c');
    expect(await rekeyLeads(c2, EXT, 's2c', ['m2c'])).toEqual({ rekeyed: { leadId: only, fromContactId: 'm2c' }, conflicts: [] });
    expect(other.requestLog.total('salesforce', 'soap.merge')).toBe(0);
  });

  it('merges nothing when a lead is converted: conflicts with both lead ids, and which one is converted', async () => {
    const { s, conn, lead, live } = await open();
    const survivors = lead('s3');
    const converted = lead('m3');
    s.salesforce.convertLead(converted);
    expect(await rekeyLeads(conn, EXT, 's3', ['m3'])).toEqual({
      conflicts: [{ leadId: converted, contactId: 'm3', survivorLeadId: survivors, reason: { kind: 'converted', leadIds: [converted] } }],
    });
    const convertedSurvivor = lead('s4');
    const open4 = lead('m4');
    s.salesforce.convertLead(convertedSurvivor);
    expect(await rekeyLeads(conn, EXT, 's4', ['m4'])).toEqual({
      conflicts: [{ leadId: open4, contactId: 'm4', survivorLeadId: convertedSurvivor, reason: { kind: 'converted', leadIds: [convertedSurvivor] } }],
    });
    expect([survivors, converted, convertedSurvivor, open4].every((id) => live(id))).toBe(true);
    expect(s.requestLog.total('salesforce', 'soap.merge')).toBe(0);
  });

  it('merges at most 2 leads a request, several requests in one call', async () => {
    const { s, conn, lead, live } = await open();
    const master = lead('s5');
    const others = ['m5a', 'm5b', 'm5c'].map((id) => lead(id));
    expect(await rekeyLeads(conn, EXT, 's5', ['m5a', 'm5b', 'm5c'])).toEqual({ merged: { masterId: master, mergedIds: others }, conflicts: [] });
    expect(others.some((id) => live(id))).toBe(false);
    expect(s.requestLog.total('salesforce', 'soap.merge')).toBe(1);
  });
});

describe('mergeLeads: what Salesforce refuses', () => {
  it('returns a refused request with its status code (a converted master); the other requests stand', async () => {
    const { s, conn, lead, live } = await open();
    const converted = lead('c1');
    const open1 = lead('o1');
    s.salesforce.convertLead(converted);
    expect(await mergeLeads(conn, converted, [open1])).toEqual({ merged: [], refused: [{ leadId: open1, code: 'CANNOT_UPDATE_CONVERTED_LEAD' }] });
    const master = lead('o2');
    const [a, b, c] = [lead('o3'), lead('o4'), lead('o5')];
    s.salesforce.update('Lead', c, { IsDeleted: true });
    expect(await mergeLeads(conn, master, [a, b, c])).toEqual({ merged: [a, b], refused: [{ leadId: c, code: 'ENTITY_IS_DELETED' }] });
    expect(live(open1)).toBeDefined();
  });

  it('classifies SOAP faults: the daily allocation (DAILY_LIMIT), an expired session it cannot refresh (AUTH_FAILED), a server error (UNAVAILABLE)', async () => {
    const spent = await open({ salesforce: { dailyApiLimit: 0 } });
    await expect(mergeLeads(spent.conn, '00Q5g0000000001AAA', ['00Q5g0000000002AAA'])).rejects.toBeInstanceOf(DailyLimit);
    const expired = await reopen();
    expired.s.salesforce.expireSessions();
    await expect(mergeLeads(expired.conn, '00Q5g0000000001AAA', ['00Q5g0000000002AAA'])).rejects.toBeInstanceOf(AuthFailed);
    const failing = await reopen({ faults: { salesforce: { rate5xx: 1 } } });
    const error = await mergeLeads(failing.conn, '00Q5g0000000001AAA', ['00Q5g0000000002AAA']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).message).toContain('SERVER_UNAVAILABLE');
  });
});

describe('classifySalesforceError on the SOAP faults jsforce throws', () => {
  it('reads sf:<ExceptionCode> like the REST code, keeps codes only, and tells soapenv:Client from soapenv:Server', () => {
    const fault = (faultcode: string, faultstring: string) => Object.assign(new Error(faultstring), { name: faultcode, errorCode: faultcode, data: { errorCode: faultcode, message: faultstring } });
    expect(classifySalesforceError(fault('sf:REQUEST_LIMIT_EXCEEDED', 'REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.'))).toBeInstanceOf(DailyLimit);
    expect(classifySalesforceError(fault('sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session'))).toBeInstanceOf(AuthFailed);
    expect(classifySalesforceError(fault('sf:UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record'))).toBeInstanceOf(Unavailable);
    const refused = classifySalesforceError(fault('sf:INVALID_TYPE_FOR_OPERATION', "INVALID_TYPE_FOR_OPERATION: entity type does not support merge: jane.doe@example.com's record"));
    expect(refused).toBeInstanceOf(RequestRefused);
    expect((refused as RequestRefused).vendorCode).toBe('INVALID_TYPE_FOR_OPERATION');
    expect(refused.message).not.toContain('jane.doe');
    expect((classifySalesforceError(fault('soapenv:Client', 'Unable to parse the request')) as RequestRefused).vendorCode).toBe('SOAP_CLIENT_FAULT');
    expect(classifySalesforceError(fault('soapenv:Server', 'internal error'))).toBeInstanceOf(Unavailable);
  });
});

/** A second sandbox beside the first (closed after the test too). */
const extra: Sandbox[] = [];
afterEach(async () => {
  for (const s of extra.splice(0)) await s.close();
});
async function reopen(options: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(options);
  extra.push(s);
  const info = s.connectionInfo().salesforce;
  const conn = await connectSalesforce({ auth: { kind: 'token', instanceUrl: info.instanceUrl, accessToken: info.accessToken }, apiVersion: '64.0' });
  const owner = s.salesforce.records('User')[0]!.Id as string;
  const lead = (contactId: string) => s.salesforce.insert('Lead', { LastName: `Lead of ${contactId}`, Company: 'Merge Co', OwnerId: owner, [EXT]: contactId });
  return { s, conn, lead };
}
