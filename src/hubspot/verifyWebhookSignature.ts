import { createHmac, timingSafeEqual } from 'node:crypto';

// HubSpot: "Reject the request if the timestamp is older than 5 minutes" (docs/hubspot-api.md#webhook-signatures).
const MAX_AGE_MS = 300_000;

// Characters HubSpot says to decode in the request URI before signing (validating-requests docs).
const DECODE = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing headers' | 'stale timestamp' | 'bad signature' };

/**
 * HubSpot v3: base64(HMAC-SHA256(clientSecret, METHOD + URI + rawBody + timestamp)), compared in
 * constant time. `uri` is the public URL HubSpot called (behind a proxy, not the local one).
 */
export function verifyWebhookSignature(input: {
  clientSecret: string;
  method: string;
  uri: string;
  rawBody: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  now?: number;
}): SignatureVerdict {
  if (!input.signature || !input.timestamp) return { ok: false, reason: 'missing headers' };
  const at = Number(input.timestamp);
  const now = input.now ?? Date.now();
  if (!Number.isFinite(at) || Math.abs(now - at) > MAX_AGE_MS) return { ok: false, reason: 'stale timestamp' };
  const uri = input.uri.replace(DECODE, (match) => decodeURIComponent(match));
  const expected = createHmac('sha256', input.clientSecret).update(`${input.method.toUpperCase()}${uri}`).update(input.rawBody).update(input.timestamp).digest();
  const given = Buffer.from(input.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad signature' };
}
