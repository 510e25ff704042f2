import { describe, expect, it } from 'vitest';
import { worldPerTest } from '../../test/support/pipeline.ts';
import { syncFeedback } from './syncFeedback.ts';
import { syncLeads } from './syncLeads.ts';

const worlds = worldPerTest();

const DAY = 86_400_000;

describe('a converted lead whose opportunities were all lost, handed off again', () => {
  it("goes back to marketing, waits out the cool-down, then is its own hand-off: a task for the Contact's owner, no second Lead", async () => {
    const world = await worlds.open({ contacts: 300, seed: 21 }, { label: 'lost-again' });
    const { sandbox, app } = world;
    const { clock } = world;
    const sf = sandbox.salesforce;
    await syncLeads(app.deps, { indexingLagMs: 0 });
    const first = await app.ledger.db
      .selectFrom('handoffs')
      .select(['hubspot_contact_id', 'salesforce_id'])
      .where('outcome', '=', 'created')
      .where('grade', 'in', ['hot', 'warm'])
      // A booth scan: an immediate source, so it still qualifies after the cool-down (a hand-raiser's demo request would have aged out).
      .where('hubspot_contact_id', 'in', app.ledger.db.selectFrom('contact_scores').select('hubspot_contact_id').where('source', '=', 'trade_show'))
      .orderBy('hubspot_contact_id')
      .executeTakeFirstOrThrow();
    const contactId = first.hubspot_contact_id;
    const leadId = first.salesforce_id;
    const leadOwner = String(sf.records('Lead').find((l) => l.Id === leadId)!.OwnerId);

    // (a warm or hot lead: its playbook has a task; a cold one's has none)
    // Sales converts it; the Contact goes to another rep; the opportunity is lost.
    clock.advance(DAY);
    const converted = sf.convertLead(leadId, leadOwner.startsWith('005') ? {} : { ownerId: String(sf.records('User').find((u) => u.IsActive === true)!.Id) });
    const contactOwner = String(sf.records('User').find((u) => u.IsActive === true && u.Id !== leadOwner && u.Id !== sf.records('Contact').find((c) => c.Id === converted.contactId)!.OwnerId)!.Id);
    sf.edit('Contact', converted.contactId, { OwnerId: contactOwner });
    clock.advance(5 * DAY);
    sf.edit('Opportunity', converted.opportunityId!, { StageName: 'Closed Lost' });
    clock.advance(DAY);
    await syncFeedback(app.deps);
    expect(await app.ledger.backToMarketing([contactId])).toEqual(new Map([[contactId, { since: expect.any(Number), class: 'lost' }]]));
    const inHubSpot = () => sandbox.hubspot.store.get(contactId)!.properties;
    expect(inHubSpot()).toMatchObject({ lifecyclestage: 'lead', hs_lead_status: 'BAD_TIMING', leadloop_outcome: 'lost' });

    // It requalifies before the 30-day cool-down: not handed off.
    const touch = (phone: string) => sandbox.hubspot.updateContact(contactId, { phone });
    touch('+1 555 0100');
    const soon = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(soon.scored).toBeGreaterThanOrEqual(1);
    const keys = async () => (await app.ledger.db.selectFrom('decisions').select('handoff_key').where('hubspot_contact_id', '=', contactId).orderBy('decided_at').execute()).map((d) => d.handoff_key);
    expect(await keys()).toEqual(['first']);
    const tasksBefore = sf.records('Task').length;

    // After the cool-down: a hand-off of its own — the task on the converted Contact, owned by the Contact's owner; no new Lead.
    clock.advance(31 * DAY);
    touch('+1 555 0101');
    const later = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(later.deadLettered).toBe(0);
    expect(await keys()).toEqual(['first', expect.stringMatching(/^again:/)]);
    const newTasks = sf.records('Task').slice(tasksBefore);
    const playbook = newTasks.filter((t) => String(t.Leadloop_Key__c).startsWith(`${contactId}:again:`) && String(t.Leadloop_Key__c).includes(':step'));
    expect(playbook).toHaveLength(1);
    expect(playbook[0]).toMatchObject({ WhoId: converted.contactId, OwnerId: contactOwner });
    expect(sf.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contactId)).toEqual([expect.objectContaining({ Id: leadId, IsConverted: true })]);
    const handoffs = await app.ledger.db
      .selectFrom('handoffs')
      .select(['handoff_key', 'salesforce_object', 'salesforce_id'])
      .where('hubspot_contact_id', '=', contactId)
      .orderBy('handed_off_at')
      .execute();
    expect(handoffs.map((h) => [h.handoff_key.startsWith('again:') ? 'again' : h.handoff_key, h.salesforce_object, h.salesforce_id])).toEqual([
      ['first', 'Lead', leadId],
      ['again', 'Contact', converted.contactId],
    ]);

    // A rerun hands nothing off again and makes no task.
    const tasksAfter = sf.records('Task').length;
    touch('+1 555 0102');
    await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(await keys()).toHaveLength(2);
    expect(sf.records('Task').length).toBe(tasksAfter);
  }, 120_000);
});
