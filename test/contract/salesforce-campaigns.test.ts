import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';

/**
 * Campaign as the won/lost feedback reads and writes it, through real jsforce against the
 * emulator: its cost fields, its read-only roll-ups of the opportunities whose Primary Campaign
 * Source (Opportunity.CampaignId) it is, and sObject Collections updates of campaigns and of
 * opportunities' CampaignId. Facts: docs/salesforce-api.md#campaign-roll-ups.
 */
const VERSION = '64.0';
let sandbox: Sandbox;
let conn: Connection;
let owner: string;

type ItemResult = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };
type Row = Record<string, unknown>;
const one = async (soql: string) => {
  const { attributes: _, ...row } = (await conn.query<Row>(soql)).records[0]!;
  return row;
};
const created = async (sobject: string, fields: Record<string, unknown>) => ((await conn.sobject(sobject).create(fields)) as { id: string }).id;
const rollups = (id: string) => one(`SELECT NumberOfOpportunities, NumberOfWonOpportunities, AmountAllOpportunities, AmountWonOpportunities FROM Campaign WHERE Id = '${id}'`);

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3 });
  const sf = sandbox.connectionInfo().salesforce;
  conn = new Connection({ instanceUrl: sf.instanceUrl, accessToken: sf.accessToken, version: VERSION });
  owner = sandbox.salesforce.records('User').find((u) => u.Email === 'dana.whitfield@copperleaf.example')!.Id as string;
});
afterAll(() => sandbox?.close());

describe('Campaign (jsforce)', () => {
  it('describes the opportunity roll-ups as read-only and the costs and the figure fields as editable numbers', async () => {
    const described = await conn.sobject('Campaign').describe();
    const field = (name: string) => described.fields.find((f) => f.name === name)!;
    for (const name of ['NumberOfOpportunities', 'NumberOfWonOpportunities']) expect(field(name)).toMatchObject({ type: 'int', createable: false, updateable: false });
    for (const name of ['AmountAllOpportunities', 'AmountWonOpportunities']) expect(field(name)).toMatchObject({ type: 'currency', createable: false, updateable: false });
    for (const name of ['ActualCost', 'BudgetedCost']) expect(field(name)).toMatchObject({ type: 'currency', createable: true, updateable: true });
    for (const name of ['Leadloop_Handoffs__c', 'Leadloop_SQL__c', 'Leadloop_Lost__c']) expect(field(name)).toMatchObject({ type: 'double', updateable: true });
    expect(field('Leadloop_Win_Rate__c')).toMatchObject({ type: 'percent', updateable: true });
  });

  it('rolls up the opportunities whose CampaignId it is: all and won, count and amount; moving or deleting an opportunity moves its share', async () => {
    const summit = await created('Campaign', { Name: 'Roll-up Summit', OwnerId: owner, ActualCost: 12_000, BudgetedCost: 15_000 });
    const webinar = await created('Campaign', { Name: 'Roll-up webinar', OwnerId: owner });
    expect(await rollups(summit)).toEqual({ NumberOfOpportunities: 0, NumberOfWonOpportunities: 0, AmountAllOpportunities: 0, AmountWonOpportunities: 0 });
    const won = await created('Opportunity', { Name: 'Won', StageName: 'Closed Won', CloseDate: '2026-11-30', Amount: 40_000, CampaignId: summit });
    await created('Opportunity', { Name: 'Lost', StageName: 'Closed Lost', CloseDate: '2026-11-30', Amount: 10_000, CampaignId: summit });
    const open = await created('Opportunity', { Name: 'Open', StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 5_000 });
    expect(await rollups(summit)).toEqual({ NumberOfOpportunities: 2, NumberOfWonOpportunities: 1, AmountAllOpportunities: 50_000, AmountWonOpportunities: 40_000 });

    const answers = (await conn.sobject('Opportunity').update(
      [
        { Id: open, CampaignId: summit },
        { Id: won, CampaignId: webinar },
      ],
      { allOrNone: false } as never,
    )) as unknown as ItemResult[];
    expect(answers.map((a) => a.success)).toEqual([true, true]);
    expect(sandbox.requestLog.counts('salesforce')['sobjects.collections.update']).toBe(1);
    expect(await rollups(summit)).toEqual({ NumberOfOpportunities: 2, NumberOfWonOpportunities: 0, AmountAllOpportunities: 15_000, AmountWonOpportunities: 0 });
    expect(await rollups(webinar)).toEqual({ NumberOfOpportunities: 1, NumberOfWonOpportunities: 1, AmountAllOpportunities: 40_000, AmountWonOpportunities: 40_000 });

    await conn.sobject('Opportunity').destroy(won);
    expect(await rollups(webinar)).toMatchObject({ NumberOfWonOpportunities: 0, AmountWonOpportunities: 0 });
    expect(await one(`SELECT ActualCost, BudgetedCost FROM Campaign WHERE Id = '${summit}'`)).toEqual({ ActualCost: 12_000, BudgetedCost: 15_000 });
  });

  it('refuses a write to a roll-up (INVALID_FIELD_FOR_INSERT_UPDATE) and takes the figure fields in one Collections update', async () => {
    const a = await created('Campaign', { Name: 'Figures A', OwnerId: owner });
    const b = await created('Campaign', { Name: 'Figures B', OwnerId: owner });
    const [refused] = (await conn.sobject('Campaign').update([{ Id: a, NumberOfWonOpportunities: 3 }], { allOrNone: false } as never)) as unknown as ItemResult[];
    expect(refused!.errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['NumberOfWonOpportunities'] });
    const answers = (await conn.sobject('Campaign').update(
      [
        { Id: a, Leadloop_Handoffs__c: 12, Leadloop_SQL__c: 5, Leadloop_Lost__c: 2, Leadloop_Win_Rate__c: 33.33 },
        { Id: b, Leadloop_Handoffs__c: 0, Leadloop_SQL__c: 0, Leadloop_Lost__c: 0, Leadloop_Win_Rate__c: null },
      ],
      { allOrNone: false } as never,
    )) as unknown as ItemResult[];
    expect(answers.map((x) => x.success)).toEqual([true, true]);
    expect(await one(`SELECT Leadloop_Handoffs__c, Leadloop_SQL__c, Leadloop_Lost__c, Leadloop_Win_Rate__c FROM Campaign WHERE Id = '${a}'`)).toEqual({
      Leadloop_Handoffs__c: 12,
      Leadloop_SQL__c: 5,
      Leadloop_Lost__c: 2,
      Leadloop_Win_Rate__c: 33.33,
    });
  });
});
