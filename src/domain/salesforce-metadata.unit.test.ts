import { describe, expect, it } from 'vitest';
import { shippedConfig } from '../../test/support/config.ts';
import { customFieldsNeeded, fieldMetadataXml, metadataProject } from './salesforce-metadata.ts';

describe('Salesforce metadata for the fields the mapping needs', () => {
  it('lists every custom field the shipped mapping names, typed by what leadloop writes into it', async () => {
    const { config } = await shippedConfig();
    const specs = customFieldsNeeded(config.mapping, config.scoring.caps.total);
    const byName = new Map(specs.map((s) => [`${s.object}.${s.name}`, s]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'Campaign.Leadloop_Handoffs__c',
        'Campaign.Leadloop_Lost__c',
        'Campaign.Leadloop_SQL__c',
        'Campaign.Leadloop_Win_Rate__c',
        'Contact.HubSpot_Contact_Id__c',
        'Lead.Disqualified_Reason__c',
        'Lead.HubSpot_Contact_Id__c',
        'Lead.Lead_Grade__c',
        'Lead.Lead_Score__c',
        'Lead.Lead_Source_Detail__c',
        'Opportunity.Competitor__c',
        'Opportunity.Loss_Reason__c',
        'Task.Leadloop_Key__c',
      ].sort(),
    );
    expect(byName.get('Lead.HubSpot_Contact_Id__c')).toMatchObject({ type: 'Text', length: 19, externalId: true, unique: true });
    expect(byName.get('Task.Leadloop_Key__c')).toMatchObject({ type: 'Text', externalId: true, unique: true, caseSensitive: true });
    expect(byName.get('Task.Leadloop_Key__c')!.length).toBeGreaterThanOrEqual(64);
    expect(byName.get('Lead.Lead_Score__c')).toMatchObject({ type: 'Number', scale: 0 });
    expect(byName.get('Campaign.Leadloop_Win_Rate__c')).toMatchObject({ type: 'Percent', precision: 5, scale: 2 });
  });

  it('writes each field in Salesforce DX source format, escaped, with a project file to deploy them', async () => {
    const xml = fieldMetadataXml({ object: 'Lead', name: 'Note__c', label: 'Notes & <more>', type: 'Text', length: 80, description: 'a "quoted" note' });
    expect(xml).toContain('<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">');
    expect(xml).toContain('<fullName>Note__c</fullName>');
    expect(xml).toContain('<label>Notes &amp; &lt;more&gt;</label>');
    expect(xml).toContain('<description>a &quot;quoted&quot; note</description>');
    expect(xml).toContain('<length>80</length>');
    expect(xml).not.toContain('<precision>');
    const files = metadataProject([{ object: 'Campaign', name: 'X__c', label: 'X', type: 'Number', precision: 18, scale: 0, description: 'x' }], '62.0');
    expect(files.map((f) => f.path)).toEqual(['sfdx-project.json', 'force-app/main/default/objects/Campaign/fields/X__c.field-meta.xml']);
    expect(JSON.parse(files[0]!.content)).toMatchObject({ packageDirectories: [{ path: 'force-app', default: true }], sourceApiVersion: '62.0' });
  });
});
