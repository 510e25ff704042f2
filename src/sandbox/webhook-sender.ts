import { createHmac } from 'node:crypto';

/** A HubSpot webhook event as deliveries carry it (test/fixtures/vendor/hubspot/webhook_payload_*.json). */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  mergedObjectIds?: number[];
  primaryObjectId?: number;
  newObjectId?: number;
}

/**
 * HubSpot's v3 signature: base64(HMAC-SHA256(clientSecret, METHOD + URI + body + timestamp)),
 * timestamp in epoch ms (docs/hubspot-api.md#webhook-signatures; test/fixtures/vendor/hubspot/webhook_signature_vectors.md).
 */
export function signWebhookV3(clientSecret: string, method: string, uri: string, body: string, timestamp: number | string): string {
  return createHmac('sha256', clientSecret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** The headers HubSpot sends with a v3-signed delivery. */
export function signedHeaders(clientSecret: string, uri: string, body: string, timestamp = Date.now()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signWebhookV3(clientSecret, 'POST', uri, body, timestamp),
    'x-hubspot-request-timestamp': String(timestamp),
    'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (leadloop sandbox)',
  };
}

export interface SendOptions {
  clientSecret: string;
  /** The URL to POST to. */
  targetUrl: string;
  /** The URL the receiver believes it is at, when a proxy rewrites it (signatures use it). Default: targetUrl. */
  signedUrl?: string;
  /** Attempts before giving up; HubSpot retries up to 10 times over a day, the sandbox a few times quickly. */
  attempts?: number;
  timeoutMs?: number;
}

/** Posts one signed batch (≤ 100 events); retries a few times on a failure or non-2xx. Returns the last status. */
export async function sendWebhookBatch(events: readonly WebhookEvent[], options: SendOptions): Promise<number> {
  const attempts = options.attempts ?? 3;
  let status = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const batch = events.map((e) => ({ ...e, attemptNumber: attempt }));
    const body = JSON.stringify(batch);
    try {
      const response = await fetch(options.targetUrl, {
        method: 'POST',
        headers: signedHeaders(options.clientSecret, options.signedUrl ?? options.targetUrl, body),
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000), // HubSpot gives up after 5 s
      });
      status = response.status;
      await response.arrayBuffer();
      if (status >= 200 && status < 300) return status;
    } catch {
      status = 0;
    }
    await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
  return status;
}
