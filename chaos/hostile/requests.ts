import { createHash } from 'node:crypto';
import { signWebhookV3 } from '../../src/sandbox/webhook-sender.ts';

/** One request to send, what it is, and the status leadloop must answer (README, "Webhook hand-off"). */
export interface HostileRequest {
  kind: Kind;
  method: 'POST' | 'GET' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  expected: number;
  /** Contacts this request hands off (valid batches only). */
  contactIds?: string[];
}

/** Every kind of request, with its share of the mix (weights) and the status it must get. */
export const KINDS = {
  // Signed v3 batches of real contacts (creation and property changes): handed off.
  valid: { weight: 60, expected: 200 },
  // The same with `; charset=utf-8`, and with the generic `object.*` format.
  'valid-charset-generic': { weight: 10, expected: 200 },
  // Signed, well-formed creation events for contacts HubSpot does not have: accepted, nothing lands.
  'valid-unknown-contact': { weight: 10, expected: 200 },
  // 100-event batches of subscription types leadloop does not handle, signed: accepted, all ignored.
  'unknown-types-signed': { weight: 40, expected: 200 },
  'unknown-types-unsigned': { weight: 20, expected: 401 },
  // Signatures: wrong, from another secret, not base64, missing, timestamp missing/stale/future/not a number.
  'bad-signature': { weight: 40, expected: 401 },
  'wrong-secret': { weight: 20, expected: 401 },
  'garbled-signature': { weight: 20, expected: 401 },
  'missing-signature': { weight: 30, expected: 401 },
  'missing-timestamp': { weight: 20, expected: 401 },
  'stale-timestamp': { weight: 30, expected: 401 },
  'future-timestamp': { weight: 15, expected: 401 },
  'nonnumeric-timestamp': { weight: 15, expected: 401 },
  // HubSpot's older schemes, correctly signed: leadloop checks v3 only, so these lack its headers.
  'v1-signature': { weight: 20, expected: 401 },
  'v2-signature': { weight: 20, expected: 401 },
  // Bodies: garbage and truncated JSON (signed, so the body is what is judged; and unsigned).
  'garbage-json-signed': { weight: 40, expected: 400 },
  'garbage-json-unsigned': { weight: 20, expected: 401 },
  'truncated-json-signed': { weight: 40, expected: 400 },
  // Valid JSON of the wrong shape, signed: an object, 101 events, bad ids, deep nesting, huge numbers.
  'wrong-shape-signed': { weight: 40, expected: 400 },
  // 2 MB bodies, signed or not: over the 1 MB limit.
  'huge-body': { weight: 30, expected: 413 },
  // Empty bodies: signed (the signature over no bytes holds: then not JSON) and unsigned.
  'empty-body-signed': { weight: 15, expected: 400 },
  'empty-body-unsigned': { weight: 15, expected: 401 },
  // No Content-Type, or a wrong one, whatever the body and signature.
  'no-content-type': { weight: 25, expected: 415 },
  'wrong-content-type': { weight: 25, expected: 415 },
  // Other methods on the webhook path, and other paths.
  'wrong-method': { weight: 8, expected: 404 },
  'wrong-path': { weight: 8, expected: 404 },
} as const;

export type Kind = keyof typeof KINDS;

/** mulberry32: a small seeded generator, so a run's mix can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A booth scan at a trade show: an immediate source, so every one is handed off as a lead. */
export function boothScan(i: number): Record<string, string> {
  return {
    email: `hostile.scan${i}@northwind-logistics.example`,
    firstname: 'Ana',
    lastname: `Scan ${i}`,
    company: 'Northwind Logistics',
    jobtitle: 'VP of Data',
    country: 'Germany',
    numemployees: '1000+',
    industry: 'COMPUTER_SOFTWARE',
    lead_source: 'trade_show',
    lead_source_detail: 'Chaos Summit 2026',
    lead_source_date: new Date().toISOString(),
    bant_budget: 'approved',
    bant_authority: 'decision_maker',
    bant_need: 'urgent',
    bant_timeline: 'within_3_months',
  };
}

export interface MixOptions {
  seed: number;
  /** The URL HubSpot would sign: `http://host:port/webhooks/hubspot`. */
  webhookUrl: string;
  clientSecret: string;
  /** Creates a contact in the sandbox's HubSpot (as a form or an import would) and returns its id. */
  createContact: (i: number) => string;
  now?: () => number;
}

const UNKNOWN_TYPES = ['deal.creation', 'company.propertyChange', 'ticket.deletion', 'contact.someFutureEvent', 'product.creation', 'line_item.propertyChange'];
const HUGE = 2 * 1024 * 1024;

/**
 * The hostile mix, one request at a time (each built when it is sent, so timestamps are fresh and
 * a valid batch's contact exists just before it is announced). Deterministic for a seed: the
 * sequence of kinds and bodies depends on the seed alone. Every hostile body carries a canary
 * (`canary-<n>`) that must never come back in an answer.
 */
export function hostileMix(options: MixOptions): { next(index: number): HostileRequest } {
  const random = rng(options.seed);
  const now = options.now ?? Date.now;
  const url = new URL(options.webhookUrl);
  const path = url.pathname;
  const secret = options.clientSecret;
  const entries = Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][];
  const total = entries.reduce((n, [, k]) => n + k.weight, 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const sent: string[] = [];
  let contacts = 0;
  let eventId = 1;

  const event = (objectId: number | string, subscriptionType: string, extra: Record<string, unknown> = {}) => ({
    eventId: eventId++,
    subscriptionId: 1000,
    portalId: 62515,
    appId: 54321,
    occurredAt: now(),
    subscriptionType,
    attemptNumber: 0,
    objectId: Number(objectId),
    changeSource: 'CRM',
    ...extra,
  });
  const signed = (body: string | Buffer, at = now(), contentType = 'application/json') => ({
    'content-type': contentType,
    'x-hubspot-signature-v3': signWebhookV3(secret, 'POST', options.webhookUrl, Buffer.isBuffer(body) ? body.toString('utf8') : body, at),
    'x-hubspot-request-timestamp': String(at),
  });
  const request = (kind: Kind, headers: Record<string, string>, body?: string | Buffer, extra: Partial<HostileRequest> = {}): HostileRequest => ({
    kind,
    method: 'POST',
    path,
    headers,
    ...(body !== undefined ? { body } : {}),
    expected: KINDS[kind].expected,
    ...extra,
  });
  const garbage = (canary: string) =>
    pick([
      `not json at all ${canary}`,
      `{"${canary}": undefined}`,
      `[{objectId: 1, ${canary}}]`,
      `\u0000\u0001\u0002${canary}\uffff`,
      `[1,2,3,]${canary}`,
      `<?xml version="1.0"?><events>${canary}</events>`,
      `${'['.repeat(50)}${canary}`,
      `NaN${canary}`,
      `'single quotes ${canary}'`,
      `[{"objectId": 1, "subscriptionType": "contact.creation", "occurredAt": 1}]]${canary}`,
    ]);
  const truncated = (canary: string) => {
    const full = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary }), event(1002, 'contact.propertyChange', { propertyName: 'jobtitle', propertyValue: canary })]);
    return full.slice(0, 1 + Math.floor(random() * (full.length - 2)));
  };
  const wrongShape = (canary: string) =>
    pick([
      JSON.stringify({ events: [event(1001, 'contact.creation')], canary }),
      JSON.stringify(Array.from({ length: 101 }, () => event(1001, 'contact.creation', { propertyValue: canary }))),
      JSON.stringify([]),
      JSON.stringify([{ ...event(1001, 'contact.creation'), objectId: -5, canary }]),
      JSON.stringify([{ ...event(1001, 'contact.creation'), objectId: `12a${canary}` }]),
      JSON.stringify([{ ...event(1001, 'contact.creation'), objectId: 1e300 }]),
      JSON.stringify([{ objectId: 1001, occurredAt: now(), canary }]),
      JSON.stringify([{ ...event(1001, 'contact.creation'), occurredAt: canary }]),
      JSON.stringify([null, canary]),
      JSON.stringify(canary),
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      JSON.stringify([{ ...event(1001, ''), canary }]),
    ]);

  return {
    next(index: number): HostileRequest {
      const canary = `canary-${index}`;
      let roll = random() * total;
      let kind: Kind = entries[0]![0];
      for (const [name, k] of entries) {
        roll -= k.weight;
        if (roll < 0) {
          kind = name;
          break;
        }
      }
      switch (kind) {
        case 'valid':
        case 'valid-charset-generic': {
          // Mostly a new contact; sometimes also a change to one announced before (a retry, or a second event).
          const ids: string[] = [];
          if (sent.length === 0 || random() < 0.8) ids.push(options.createContact(contacts++));
          if (sent.length > 0 && (ids.length === 0 || random() < 0.3)) ids.push(pick(sent));
          sent.push(...ids.filter((id) => !sent.includes(id)));
          const generic = kind === 'valid-charset-generic';
          const events = ids.flatMap((id) =>
            random() < 0.5
              ? [generic ? event(id, 'object.creation', { objectTypeId: '0-1' }) : event(id, 'contact.creation')]
              : [
                  generic ? event(id, 'object.creation', { objectTypeId: '0-1' }) : event(id, 'contact.creation'),
                  event(id, 'contact.propertyChange', { propertyName: 'jobtitle', propertyValue: 'VP of Data' }),
                ],
          );
          const body = JSON.stringify(events);
          return request(kind, signed(body, now(), generic ? 'application/json; charset=utf-8' : 'application/json'), body, { contactIds: ids });
        }
        case 'valid-unknown-contact': {
          const body = JSON.stringify([event(900_000_000 + index, 'contact.creation')]);
          return request(kind, signed(body), body);
        }
        case 'unknown-types-signed':
        case 'unknown-types-unsigned': {
          const body = JSON.stringify(
            Array.from({ length: 100 }, (_, i) =>
              i % 7 === 0 ? event(800_000_000 + i, 'object.creation', { objectTypeId: '0-3', propertyValue: canary }) : event(800_000_000 + i, pick(UNKNOWN_TYPES), { propertyValue: canary }),
            ),
          );
          return request(kind, kind === 'unknown-types-signed' ? signed(body) : { 'content-type': 'application/json' }, body);
        }
        case 'bad-signature': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          // Signed over other bytes (a tampered body).
          return request(kind, signed(`${body} `), body);
        }
        case 'wrong-secret': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const at = now();
          return request(
            kind,
            { 'content-type': 'application/json', 'x-hubspot-signature-v3': signWebhookV3(`${secret}x`, 'POST', options.webhookUrl, body, at), 'x-hubspot-request-timestamp': String(at) },
            body,
          );
        }
        case 'garbled-signature': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          return request(
            kind,
            { 'content-type': 'application/json', 'x-hubspot-signature-v3': pick(['%%%not-base64%%%', 'A', '='.repeat(200), 'x'.repeat(4_000), canary]), 'x-hubspot-request-timestamp': String(now()) },
            body,
          );
        }
        case 'missing-signature': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          return request(kind, { 'content-type': 'application/json', ...(random() < 0.5 ? { 'x-hubspot-request-timestamp': String(now()) } : {}) }, body);
        }
        case 'missing-timestamp': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const { 'x-hubspot-request-timestamp': _dropped, ...headers } = signed(body);
          return request(kind, headers, body);
        }
        case 'stale-timestamp':
        case 'future-timestamp': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          // More than 5 minutes away (correctly signed with that timestamp): a replay, or a skewed clock.
          const skew = (300_001 + Math.floor(random() * 86_400_000)) * (kind === 'stale-timestamp' ? -1 : 1);
          return request(kind, signed(body, now() + skew), body);
        }
        case 'nonnumeric-timestamp': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const at = pick(['yesterday', new Date().toISOString(), '1e400', '-Infinity', '0x1F', canary]);
          return request(kind, { 'content-type': 'application/json', 'x-hubspot-signature-v3': signWebhookV3(secret, 'POST', options.webhookUrl, body, at), 'x-hubspot-request-timestamp': at }, body);
        }
        case 'v1-signature':
        case 'v2-signature': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const source = kind === 'v1-signature' ? `${secret}${body}` : `${secret}POST${options.webhookUrl}${body}`;
          return request(
            kind,
            { 'content-type': 'application/json', 'x-hubspot-signature': createHash('sha256').update(source).digest('hex'), 'x-hubspot-signature-version': kind === 'v1-signature' ? 'v1' : 'v2' },
            body,
          );
        }
        case 'garbage-json-signed': {
          const body = garbage(canary);
          return request(kind, signed(body), body);
        }
        case 'garbage-json-unsigned':
          return request(kind, { 'content-type': 'application/json' }, garbage(canary));
        case 'truncated-json-signed': {
          const body = truncated(canary);
          return request(kind, signed(body), body);
        }
        case 'wrong-shape-signed': {
          const body = wrongShape(canary);
          return request(kind, signed(body), body);
        }
        case 'huge-body': {
          // 2 MB: a valid-looking event array padded past the limit, or plain filler; signed or not.
          const filler = JSON.stringify([event(1001, 'contact.creation', { propertyValue: `${canary}${'x'.repeat(HUGE)}` })]);
          const body = random() < 0.5 ? filler : Buffer.alloc(HUGE, 0x61);
          return request(kind, random() < 0.5 ? signed(body) : { 'content-type': 'application/json' }, body);
        }
        case 'empty-body-signed':
          return request(kind, signed(''), '');
        case 'empty-body-unsigned':
          return request(kind, { 'content-type': 'application/json' }, random() < 0.5 ? '' : undefined);
        case 'no-content-type': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const { 'content-type': _dropped, ...headers } = signed(body);
          return request(kind, random() < 0.5 ? headers : {}, body);
        }
        case 'wrong-content-type': {
          const body = JSON.stringify([event(1001, 'contact.creation', { propertyValue: canary })]);
          const type = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonp', 'json', '*/*', 'application/octet-stream']);
          return request(kind, signed(body, now(), type), body);
        }
        case 'wrong-method': {
          const method = pick(['GET', 'PUT'] as const);
          return { kind, method, path, headers: method === 'PUT' ? { 'content-type': 'application/json' } : {}, ...(method === 'PUT' ? { body: '[]' } : {}), expected: KINDS[kind].expected };
        }
        case 'wrong-path': {
          const body = JSON.stringify([event(1001, 'contact.creation')]);
          return request(kind, signed(body), body, { path: pick(['/webhooks/hubspot/x', '/webhooks/salesforce', `/${canary}`, '/webhooks', '/admin']) });
        }
      }
    },
  };
}
