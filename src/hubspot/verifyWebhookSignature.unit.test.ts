import { describe, expect, it } from 'vitest';
import { signWebhookV3 } from '../sandbox/webhook-sender.ts';
import { verifyWebhookSignature } from './verifyWebhookSignature.ts';

const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const base = { clientSecret: secret, method: 'POST', uri: 'https://www.example.com/webhook_uri', rawBody: '[{"eventId":1}]', timestamp: '1700000000000', now: 1_700_000_060_000 };

describe('verifyWebhookSignature (v3)', () => {
  it('accepts the reference v3 vector (docs/hubspot-api.md#webhook-signatures)', () => {
    expect(verifyWebhookSignature({ ...base, signature: 'vnX5Als0n2OhEZQxOS/1ftERzeabHuxE8jEarlPWRdE=' })).toEqual({ ok: true });
  });
  it.each([
    ['a changed body', { rawBody: '[{"eventId":2}]' }, 'bad signature'],
    ['another URI (a proxy rewrote it)', { uri: 'http://10.0.0.5:3000/webhook_uri' }, 'bad signature'],
    ['a timestamp older than 5 minutes', { now: 1_700_000_300_001 }, 'stale timestamp'],
    ['no timestamp header', { timestamp: undefined }, 'missing headers'],
  ])('refuses %s', (_label, change, reason) => {
    expect(verifyWebhookSignature({ ...base, signature: 'vnX5Als0n2OhEZQxOS/1ftERzeabHuxE8jEarlPWRdE=', ...change })).toEqual({ ok: false, reason });
  });
  it('decodes the characters HubSpot decodes in the URI before signing', () => {
    const signature = signWebhookV3(secret, 'POST', 'https://hooks.example.com/webhooks/hubspot?portal=1:2', '[]', '1700000000000');
    expect(verifyWebhookSignature({ ...base, uri: 'https://hooks.example.com/webhooks/hubspot?portal=1%3A2', rawBody: '[]', signature })).toEqual({ ok: true });
  });
});
