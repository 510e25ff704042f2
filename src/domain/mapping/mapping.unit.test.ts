import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mappingConfigSchema } from '../config/mapping.ts';
import { syncConfigSchema } from '../config/sync.ts';
import { playbook } from '../playbook.ts';
import { toSalesforceFields } from './lead-fields.ts';
import { hubspotWriteback } from './writeback.ts';

const read = (name: string) => parse(readFileSync(new URL(`../../../config/${name}.yaml`, import.meta.url), 'utf8'));
const mapping = mappingConfigSchema.parse(read('mapping'));
const sync = syncConfigSchema.parse(read('sync'));
const facts = (properties: Record<string, string | null>) => ({ contactId: '501', properties, score: 72, grade: 'hot' as const, handoffReason: 'mql' });

describe('toSalesforceFields', () => {
  it('fills Salesforce-required fields with defaults and keys the record by the external ID', () => {
    const fields = toSalesforceFields(facts({ email: 'a@b.example' }), mapping.lead.fields, mapping, 'create');
    expect(fields).toMatchObject({ HubSpot_Contact_Id__c: '501', LastName: '[not provided]', Company: '[not provided]', Email: 'a@b.example', Status: 'Open - Not Contacted' });
    expect(fields).not.toHaveProperty('FirstName');
  });

  it('maps picklists, numbers and computed values', () => {
    const fields = toSalesforceFields(
      facts({ lead_source: 'trade_show', numemployees: '100-500', industry: 'UNLISTED', lead_source_detail: 'Web Summit 2026' }),
      mapping.lead.fields,
      mapping,
      'create',
    );
    expect(fields).toMatchObject({
      LeadSource: 'Trade Show',
      NumberOfEmployees: 500,
      Industry: 'Other',
      Rating: 'Hot',
      Lead_Score__c: 72,
      Lead_Grade__c: 'hot',
      Lead_Source_Detail__c: 'Web Summit 2026',
    });
  });

  it('cuts long text to the field length on a character boundary', () => {
    const fields = toSalesforceFields(facts({ company: `${'Ω'.repeat(254)}😀😀`, lastname: 'x'.repeat(300) }), mapping.lead.fields, mapping, 'create');
    expect(Array.from(fields.Company as string)).toHaveLength(255);
    expect((fields.Company as string).endsWith('😀')).toBe(true);
    expect(fields.LastName).toHaveLength(80);
  });

  it('never sends the fields sales owns on an update', () => {
    const fields = toSalesforceFields(facts({ lastname: 'Ng' }), mapping.lead.fields, mapping, 'update');
    expect(fields).not.toHaveProperty('Status');
    expect(fields).not.toHaveProperty('OwnerId');
    expect(fields.LastName).toBe('Ng');
  });

  it("keeps quotes, backslashes and unicode as they are (escaping is the adapter's job)", () => {
    const fields = toSalesforceFields(facts({ lastname: "O'Brien\\", firstname: 'Zoë' }), mapping.lead.fields, mapping, 'create');
    expect(fields).toMatchObject({ LastName: "O'Brien\\", FirstName: 'Zoë' });
  });
});

describe('hubspotWriteback', () => {
  const names = { hubspot_writeback: mapping.hubspot_writeback };
  const threshold = sync.writeback;
  it('writes everything the first time', () => {
    expect(hubspotWriteback({ score: 72, grade: 'hot', mql: true, ownerLabel: 'Dana Whitfield', salesforceId: '00Q1' }, {}, names, threshold)).toEqual({
      leadloop_score: '72',
      leadloop_grade: 'hot',
      leadloop_mql: 'true',
      leadloop_owner: 'Dana Whitfield',
      leadloop_salesforce_id: '00Q1',
    });
  });
  it('writes nothing when nothing worth writing changed', () => {
    const current = { leadloop_score: '70', leadloop_grade: 'hot', leadloop_mql: 'true', leadloop_owner: 'Dana Whitfield', leadloop_salesforce_id: '00Q1' };
    expect(hubspotWriteback({ score: 72, grade: 'hot', mql: true, ownerLabel: 'Dana Whitfield', salesforceId: '00Q1' }, current, names, threshold)).toEqual({});
  });
  it('writes a score move of at least the threshold, and any grade change', () => {
    const current = { leadloop_score: '70', leadloop_grade: 'hot', leadloop_mql: 'true' };
    expect(hubspotWriteback({ score: 75, grade: 'hot', mql: true }, current, names, threshold)).toEqual({ leadloop_score: '75' });
    expect(hubspotWriteback({ score: 69, grade: 'warm', mql: true }, current, names, threshold)).toEqual({ leadloop_score: '69', leadloop_grade: 'warm' });
  });
});

describe('playbook', () => {
  it('hot: call now, high priority, due within the hour', () => {
    expect(playbook('hot', true, sync, { source: 'SaaStr Annual 2026', name: 'Ann', company: 'Acme', score: '90' })).toEqual([
      { subject: 'Call now: hot lead from SaaStr Annual 2026', priority: 'High', type: 'Call', dueInMs: 3_600_000, description: 'Ann (Acme) scored 90. Call, brief them and propose next steps.' },
    ]);
  });
  it('warm: a follow-up with a meeting or trial invitation in two days', () => {
    expect(playbook('warm', true, sync)).toMatchObject([{ subject: 'Follow up: send a meeting or trial invitation', priority: 'Normal', dueInMs: 2 * 86_400_000 }]);
  });
  it('cold and handed off (an immediate source): a low-priority follow-up in three days', () => {
    expect(playbook('cold', true, sync, { source: 'Web Summit 2026', name: 'Bo', company: 'Acme', score: '12' })).toEqual([
      {
        subject: 'Follow up: Web Summit 2026 contact, not warm yet',
        priority: 'Low',
        type: 'Email',
        dueInMs: 3 * 86_400_000,
        description: 'Bo (Acme) came from Web Summit 2026 and scored 12: qualify before investing more time.',
      },
    ]);
  });
  it('not handed off: stays with marketing, no task, whatever the temperature', () => {
    for (const grade of ['hot', 'warm', 'cold'] as const) expect(playbook(grade, false, sync)).toEqual([]);
  });
});
