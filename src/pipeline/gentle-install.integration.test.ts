import { describe, expect, it } from 'vitest';
import { worldPerTest } from '../../test/support/pipeline.ts';
import { syncLeads } from './syncLeads.ts';

const worlds = worldPerTest();

const DAY = 86_400_000;

describe('a gentle first install', () => {
  it('hands off only the contacts that qualified within backfill.handoff_within; the rest are scored, written back and counted, and hand off once they qualify again', async () => {
    const world = await worlds.open({ contacts: 400, seed: 31 }, { label: 'gentle' });
    const { sandbox, app } = world;
    const first = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(first.qualifiedBeforeInstall).toBeGreaterThan(0);
    expect(first.qualified).toBeGreaterThan(0);

    const held = await app.ledger.db.selectFrom('decisions').selectAll().where('reason', '=', 'qualified-before-install').execute();
    expect(held).toHaveLength(first.qualifiedBeforeInstall);
    const heldIds = new Set(held.map((d) => d.hubspot_contact_id));
    // Not handed off: no hand-off row, no lead of ours; written back with their score, no owner.
    const handedOff = await app.ledger.db.selectFrom('handoffs').select('hubspot_contact_id').execute();
    expect(handedOff.filter((h) => heldIds.has(h.hubspot_contact_id))).toEqual([]);
    const leadsOf = new Set(sandbox.salesforce.records('Lead').map((l) => String(l.HubSpot_Contact_Id__c ?? '')));
    expect([...heldIds].filter((id) => leadsOf.has(id))).toEqual([]);
    const sample = sandbox.hubspot.getContact(held[0]!.hubspot_contact_id)!.properties;
    expect(sample.leadloop_score).toBe(String(held[0]!.score));
    expect(sample.leadloop_owner ?? '').toBe('');
    // Each one held back qualified more than 30 days before the install, as its decision's trace says.
    const installed = (await app.ledger.installedAt())!;
    for (const d of held) {
      const why = (d.trace as { why: string }[])[0]!.why;
      expect(Date.parse(/qualified (\S+),/.exec(why)![1]!)).toBeLessThan(installed - 30 * DAY);
    }

    // One of them asks for a demo today: it qualifies again, and now it is handed off.
    const contactId = held.find((d) => d.reason === 'qualified-before-install')!.hubspot_contact_id;
    world.clock.advance(DAY);
    sandbox.hubspot.updateContact(contactId, { recent_conversion_event_name: 'Request a demo', recent_conversion_date: new Date(world.clock.now()).toISOString() });
    const later = await syncLeads(app.deps, { indexingLagMs: 0 });
    expect(later.qualifiedBeforeInstall).toBe(0);
    const handoff = await app.ledger.db.selectFrom('handoffs').selectAll().where('hubspot_contact_id', '=', contactId).execute();
    expect(handoff.map((h) => h.handoff_key)).toEqual(['first']);
    expect(sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contactId)).toHaveLength(1);
  }, 120_000);
});
