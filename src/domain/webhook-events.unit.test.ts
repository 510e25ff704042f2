import { describe, expect, it } from 'vitest';
import { planWebhookEvents, type ContactEvent } from './webhook-events.ts';

const own = new Set(['leadloop_score', 'leadloop_grade']);
const ev = (type: string, objectId: string, extra: Partial<ContactEvent> = {}, occurredAt = 1): ContactEvent => ({ type, objectId, occurredAt, ...extra });

describe('planWebhookEvents', () => {
  it('makes one hand-off per contact however many events name it', () => {
    const plan = planWebhookEvents(
      [ev('contact.creation', '1'), ev('contact.propertyChange', '1', { propertyName: 'email' }), ev('contact.propertyChange', '2', { propertyName: 'lead_source' })],
      own,
    );
    expect(plan.handoffs).toEqual(['1', '2']);
  });

  it('ignores changes to the properties leadloop writes, and counts them', () => {
    const plan = planWebhookEvents([ev('contact.propertyChange', '1', { propertyName: 'leadloop_score' }), ev('contact.propertyChange', '1', { propertyName: 'leadloop_grade' })], own);
    expect(plan.handoffs).toEqual([]);
    expect(plan.ignored.ownProperty).toBe(2);
  });

  it('counts unknown and non-contact types instead of failing on them', () => {
    const plan = planWebhookEvents([ev('contact.somethingNew', '1'), ev('deal.creation', '9')], own);
    expect(plan).toMatchObject({ handoffs: [], ignored: { unknownType: 1, notContact: 1 } });
  });

  it('re-keys merged contacts to the survivor and hands off the survivor only', () => {
    const plan = planWebhookEvents(
      [ev('contact.propertyChange', '7', { propertyName: 'email' }, 1), ev('contact.merge', '5', { primaryObjectId: '5', mergedObjectIds: ['7'], newObjectId: '5' }, 2)],
      own,
    );
    expect(plan.merges).toEqual([{ survivorId: '5', mergedIds: ['7'] }]);
    expect(plan.handoffs).toEqual(['5']);
  });

  it('treats a merge whose new id differs from both as re-keying both', () => {
    const plan = planWebhookEvents([ev('contact.merge', '5', { primaryObjectId: '5', mergedObjectIds: ['7'], newObjectId: '9' })], own);
    expect(plan.merges).toEqual([{ survivorId: '9', mergedIds: ['7', '5'] }]);
  });

  it('does not hand off a contact deleted or privacy-deleted in the same batch, whatever the delivery order', () => {
    const plan = planWebhookEvents(
      [ev('contact.privacyDeletion', '3', {}, 5), ev('contact.propertyChange', '3', { propertyName: 'email' }, 4), ev('contact.deletion', '4', {}, 2), ev('contact.creation', '4', {}, 1)],
      own,
    );
    expect(plan.handoffs).toEqual([]);
    expect(plan.purges).toEqual(['3']);
    expect(plan.deletions).toEqual(['4']);
  });

  it('hands off a contact restored after its deletion', () => {
    const plan = planWebhookEvents([ev('contact.deletion', '4', {}, 1), ev('contact.restore', '4', {}, 2)], own);
    expect(plan.handoffs).toEqual(['4']);
    expect(plan.deletions).toEqual([]);
  });
});
