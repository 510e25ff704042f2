import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';

/**
 * Campaign members as the hand-off writes them, through real jsforce against the emulator: a new
 * campaign's default member statuses, a lead or contact once per campaign (DUPLICATE_VALUE),
 * Status limited to the campaign's labels, HasResponded following the status, and a Collections
 * create with allOrNone false answering per record. Facts: docs/salesforce-api.md#campaign-members.
 */
const VERSION = '64.0';
let sandbox: Sandbox;
let conn: Connection;
let dana: string;

type ItemResult = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };
type Row = Record<string, unknown> & { Id: string };
const rows = async (soql: string) => (await conn.query<Row>(soql)).records.map(({ attributes: _, ...r }) => r as Row);
const create = async (sobject: string, fields: Record<string, unknown>) => (await conn.sobject(sobject).create(fields)) as unknown as ItemResult;
const createMany = async (sobject: string, records: Record<string, unknown>[]) => (await conn.sobject(sobject).create(records, { allOrNone: false })) as unknown as ItemResult[];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5 });
  const sf = sandbox.connectionInfo().salesforce;
  conn = new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: VERSION });
  dana = sandbox.salesforce.records('User').find((u) => u.Email === 'dana.whitfield@copperleaf.example')!.Id as string;
});
afterAll(async () => {
  await sandbox?.close();
});

let n = 0;
const newLead = async () => {
  n += 1;
  return (await create('Lead', { LastName: `Member ${n}`, Company: `Member Co ${n}`, Email: `member${n}@members.example`, OwnerId: dana })).id!;
};

describe('Campaign members (jsforce)', () => {
  it('a campaign created through the API has the member statuses Sent (default) and Responded', async () => {
    const campaign = (await create('Campaign', { Name: 'Data Summit 2027', IsActive: true })).id!;
    const statuses = await rows(`SELECT Label, HasResponded, IsDefault, SortOrder FROM CampaignMemberStatus WHERE CampaignId = '${campaign}' ORDER BY SortOrder`);
    expect(statuses).toEqual([
      { Label: 'Sent', HasResponded: false, IsDefault: true, SortOrder: 1 },
      { Label: 'Responded', HasResponded: true, IsDefault: false, SortOrder: 2 },
    ]);
  });

  it('a lead joins a campaign once: a second create answers DUPLICATE_VALUE, per record with allOrNone false', async () => {
    const campaign = (await create('Campaign', { Name: 'Modern BI webinar 2027' })).id!;
    const [a, b] = [await newLead(), await newLead()];
    expect(await create('CampaignMember', { CampaignId: campaign, LeadId: a, Status: 'Responded' })).toMatchObject({ success: true });
    const results = await createMany('CampaignMember', [
      { attributes: { type: 'CampaignMember' }, CampaignId: campaign, LeadId: a, Status: 'Responded' },
      { attributes: { type: 'CampaignMember' }, CampaignId: campaign, LeadId: b, Status: 'Responded' },
    ]);
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE', message: 'Already a campaign member.' }] });
    expect(results[1]).toMatchObject({ success: true });
    const members = await rows(`SELECT LeadId, Status, HasResponded FROM CampaignMember WHERE CampaignId = '${campaign}' ORDER BY LeadId`);
    expect(members).toEqual([
      { LeadId: a, Status: 'Responded', HasResponded: true },
      { LeadId: b, Status: 'Responded', HasResponded: true },
    ]);
  });

  it('Status must be one of the campaign’s labels; no Status takes the default; a created status can then be used', async () => {
    const campaign = (await create('Campaign', { Name: 'Analytics roadshow 2027' })).id!;
    const [a, b] = [await newLead(), await newLead()];
    const [refused] = await createMany('CampaignMember', [{ attributes: { type: 'CampaignMember' }, CampaignId: campaign, LeadId: a, Status: 'Attended' }]);
    expect(refused).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] }] });
    expect(await create('CampaignMember', { CampaignId: campaign, LeadId: b })).toMatchObject({ success: true });
    expect(await rows(`SELECT Status, HasResponded FROM CampaignMember WHERE LeadId = '${b}'`)).toEqual([{ Status: 'Sent', HasResponded: false }]);

    expect(await create('CampaignMemberStatus', { CampaignId: campaign, Label: 'Attended', HasResponded: true, SortOrder: 3 })).toMatchObject({ success: true });
    const [again] = await createMany('CampaignMember', [{ attributes: { type: 'CampaignMember' }, CampaignId: campaign, LeadId: a, Status: 'Attended' }]);
    expect(again).toMatchObject({ success: true });
    expect(await rows(`SELECT Status, HasResponded FROM CampaignMember WHERE LeadId = '${a}'`)).toEqual([{ Status: 'Attended', HasResponded: true }]);
    const [second] = await createMany('CampaignMemberStatus', [{ attributes: { type: 'CampaignMemberStatus' }, CampaignId: campaign, Label: 'Attended' }]);
    expect(second).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
  });

  it('a contact is a member by ContactId, once; a member names a lead or a contact', async () => {
    const campaign = (await create('Campaign', { Name: 'Partner day 2027' })).id!;
    const contact = (await create('Contact', { LastName: 'Existing', Email: 'existing@members.example', OwnerId: dana })).id!;
    expect(await create('CampaignMember', { CampaignId: campaign, ContactId: contact, Status: 'Responded' })).toMatchObject({ success: true });
    const [dup, neither] = await createMany('CampaignMember', [
      { attributes: { type: 'CampaignMember' }, CampaignId: campaign, ContactId: contact, Status: 'Responded' },
      { attributes: { type: 'CampaignMember' }, CampaignId: campaign, Status: 'Responded' },
    ]);
    expect(dup).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
    expect(neither).toMatchObject({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING' }] });
    expect(await rows(`SELECT ContactId, LeadId, HasResponded FROM CampaignMember WHERE CampaignId = '${campaign}'`)).toEqual([{ ContactId: contact, LeadId: null, HasResponded: true }]);
  });

  it('describe answers CampaignMember as Salesforce does: createable, with CampaignId, LeadId and ContactId set on create only, Status a picklist, HasResponded read-only; a converted lead names its Contact by ConvertedContact', async () => {
    const described = await conn.sobject('CampaignMember').describe();
    expect(described).toMatchObject({ name: 'CampaignMember', label: 'Campaign Member', keyPrefix: '00v', createable: true, queryable: true });
    const field = (name: string) => described.fields.find((f) => f.name === name)!;
    for (const name of ['CampaignId', 'LeadId', 'ContactId']) expect(field(name)).toMatchObject({ type: 'reference', createable: true, updateable: false });
    expect(field('CampaignId')).toMatchObject({ nillable: false, referenceTo: ['Campaign'], relationshipName: 'Campaign' });
    expect(field('Status')).toMatchObject({ type: 'picklist', createable: true, updateable: true, length: 40 });
    expect(field('HasResponded')).toMatchObject({ type: 'boolean', createable: false, updateable: false });
    const lead = await conn.sobject('Lead').describe();
    expect(lead.fields.find((f) => f.name === 'ConvertedContactId')).toMatchObject({ type: 'reference', referenceTo: ['Contact'], relationshipName: 'ConvertedContact', createable: false });
    const converted = sandbox.salesforce.convertLead(await newLead(), { doNotCreateOpportunity: true });
    const contactOwner = String(sandbox.salesforce.records('Contact').find((c) => c.Id === converted.contactId)!.OwnerId);
    expect(await rows(`SELECT ConvertedContactId, ConvertedContact.OwnerId FROM Lead WHERE ConvertedContactId = '${converted.contactId}'`)).toEqual([
      { ConvertedContactId: converted.contactId, ConvertedContact: { attributes: expect.objectContaining({ type: 'Contact' }), OwnerId: contactOwner } },
    ]);
  });
});
