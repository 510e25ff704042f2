import { describe, expect, it } from 'vitest';
import { worldPerTest } from '../../test/support/pipeline.ts';
import { syncFeedback } from './syncFeedback.ts';
import { syncLeads } from './syncLeads.ts';

const worlds = worldPerTest();

const DAY = 86_400_000;

describe('a lead sales gave back, handed off again', () => {
  it('waits out the cool-down, then reopens the same Lead with a newly routed owner as a hand-off of its own', async () => {
    const world = await worlds.open({ contacts: 300, seed: 21 }, { label: 'again' });
    const { sandbox, app } = world;
    const { clock } = world;
    const sf = sandbox.salesforce;
    await syncLeads(app.deps, { indexingLagMs: 0 });
    // A booth scan: an immediate source, so it still qualifies a month later (a hand-raiser's demo request would have aged out).
    const boothScans = app.ledger.db.selectFrom('contact_scores').select('hubspot_contact_id').where('source', '=', 'trade_show');
    const first = await app.ledger.db
      .selectFrom('handoffs')
      .select(['hubspot_contact_id', 'salesforce_id'])
      .where('outcome', '=', 'created')
      .where('hubspot_contact_id', 'in', boothScans)
      .orderBy('hubspot_contact_id')
      .executeTakeFirstOrThrow();
    const contactId = first.hubspot_contact_id;
    const leadId = first.salesforce_id!;

    // Sales recycles it; the feedback sends the contact back to marketing.
    clock.advance(DAY);
    sf.edit('Lead', leadId, { Status: 'Recycled' });
    clock.advance(DAY);
    await syncFeedback(app.deps);
    expect(await app.ledger.backToMarketing([contactId])).toEqual(new Map([[contactId, { since: expect.any(Number), class: 'recycled' }]]));

    // It changes (and still qualifies) before the 30-day cool-down: not handed off.
    const touch = (phone: string) => sandbox.hubspot.updateContact(contactId, { phone });
    touch('+1 555 0100');
    const soon = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(soon.scored).toBeGreaterThanOrEqual(1);
    expect(sf.records('Lead').find((l) => l.Id === leadId)!.Status).toBe('Recycled');
    const keys = async () => (await app.ledger.db.selectFrom('decisions').select('handoff_key').where('hubspot_contact_id', '=', contactId).orderBy('decided_at').execute()).map((d) => d.handoff_key);
    expect(await keys()).toEqual(['first']);

    // After the cool-down it requalifies: its own hand-off, the same Lead reopened, owned as routed now.
    clock.advance(31 * DAY);
    touch('+1 555 0101');
    const later = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(later.deadLettered).toBe(0);
    expect(await keys()).toEqual(['first', expect.stringMatching(/^again:/)]);
    const again = await app.ledger.db.selectFrom('decisions').selectAll().where('hubspot_contact_id', '=', contactId).where('handoff_key', 'like', 'again:%').executeTakeFirstOrThrow();
    const lead = sf.records('Lead').find((l) => l.Id === leadId)!;
    expect(lead).toMatchObject({ Status: 'Open - Not Contacted', OwnerId: again.owner_id });
    expect(sf.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contactId)).toHaveLength(1);
    const handoffs = await app.ledger.db.selectFrom('handoffs').select(['handoff_key', 'salesforce_id']).where('hubspot_contact_id', '=', contactId).orderBy('handed_off_at').execute();
    expect(handoffs.map((h) => [h.handoff_key.startsWith('again:') ? 'again' : h.handoff_key, h.salesforce_id])).toEqual([
      ['first', leadId],
      ['again', leadId],
    ]);

    // A rerun hands nothing off again.
    touch('+1 555 0102');
    await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(await keys()).toHaveLength(2);
  }, 120_000);
});
