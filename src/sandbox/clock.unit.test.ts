import { describe, expect, it } from 'vitest';
import { createSandboxClock } from './clock.ts';
import { FaultInjector } from './faults.ts';
import { createHubSpotEmulator } from './hubspot/emulator.ts';
import { createSalesforceEmulator } from './salesforce/emulator.ts';

const JAN_2030 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

describe('SandboxClock', () => {
  it('runs with real time plus an offset that advance and set move', () => {
    const clock = createSandboxClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50);
    clock.advance(10 * DAY);
    expect(clock.now() - Date.now()).toBeGreaterThan(10 * DAY - 50);
    clock.set(JAN_2030);
    expect(Math.abs(clock.now() - JAN_2030)).toBeLessThan(50);
  });

  it('stands still when frozen, moving only by advance and set', async () => {
    const clock = createSandboxClock({ start: JAN_2030, frozen: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toBe(JAN_2030);
    clock.advance(1_000);
    expect(clock.now()).toBe(JAN_2030 + 1_000);
    clock.set(JAN_2030 - DAY);
    expect(clock.now()).toBe(JAN_2030 - DAY);
  });

  it('stamps Salesforce and HubSpot record times with the sandbox clock, not the wall clock', async () => {
    const clock = createSandboxClock({ start: JAN_2030, frozen: true });
    const salesforce = await createSalesforceEmulator({ baseUrl: 'http://sandbox.test', faults: new FaultInjector(undefined, 1), seed: 1, clock, fieldHistoryTracking: ['Lead.Status'] });
    const hubspot = await createHubSpotEmulator({ baseUrl: 'http://sandbox.test', faults: new FaultInjector(undefined, 1), seed: 1, clock });
    try {
      const leadId = salesforce.create('Lead', { LastName: 'Clock', Company: 'Clockwork' });
      clock.advance(DAY);
      salesforce.edit('Lead', leadId, { Status: 'Working - Contacted' });
      const lead = salesforce.records('Lead').find((r) => r.Id === leadId)!;
      expect(lead.CreatedDate).toBe('2030-01-01T00:00:00.000+0000');
      expect(lead.SystemModstamp).toBe('2030-01-02T00:00:00.000+0000');
      const history = salesforce.records('LeadHistory').filter((r) => r.LeadId === leadId && r.Field === 'Status');
      expect(history.map((r) => r.CreatedDate)).toEqual(['2030-01-02T00:00:00.000+0000']);
      const opportunityId = salesforce.createOpportunity({ Name: 'Clockwork deal' });
      expect(salesforce.records('Opportunity').find((r) => r.Id === opportunityId)!.CloseDate).toBe('2030-02-01');

      clock.advance(DAY);
      const contact = hubspot.createContact({ email: 'clock@clockwork.example' });
      expect(contact.createdAt).toBe('2030-01-03T00:00:00.000Z');
      clock.advance(DAY);
      expect(hubspot.updateContact(contact.id, { firstname: 'Tick' }).updatedAt).toBe('2030-01-04T00:00:00.000Z');
    } finally {
      await Promise.all([salesforce.close(), hubspot.close()]);
    }
  });
});
